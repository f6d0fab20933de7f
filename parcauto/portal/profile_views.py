from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _

from parcauto.accounts.models import Profile
from parcauto.accounts.normalizers import format_phone
from parcauto.accounts.profile_services import ProfileData, profile_save
from parcauto.core.http import PortalRequest

from .decorators import portal_view
from .forms import PHONE_FIELDS, ProfileForm


@portal_view
def profile(request: PortalRequest) -> HttpResponse:
    user = request.user
    organization = request.organization
    existing = Profile.objects.filter(user=user).first()
    first_time = existing is None
    if request.method == "POST":
        form = ProfileForm(request.POST, languages=organization.languages)
        if form.is_valid():
            language = form.cleaned_data["language"]
            profile_save(
                user=user, data=form.to_data(), language=language, organization=organization
            )
            translation.activate(language)
            messages.success(request, _("Your personal information has been updated."))
            return redirect("portal:dashboard")
    else:
        initial = {"language": user.language, "province": "QC"}
        if existing is not None:
            initial |= {k: getattr(existing, k) for k in ProfileData.__dataclass_fields__}
            initial |= {k: format_phone(getattr(existing, k)) for k in PHONE_FIELDS}
        form = ProfileForm(initial=initial, languages=organization.languages)
    template = "portal/profile_first.html" if first_time else "portal/profile.html"
    return render(request, template, {"form": form, "first_time": first_time})
