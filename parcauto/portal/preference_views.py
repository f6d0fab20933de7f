"""PARAMÈTRES > Langue et courriels."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _

from parcauto.accounts.preferences import communication_preferences_save
from parcauto.core.clock import now as clock_now
from parcauto.core.http import PortalRequest
from parcauto.notifications.services import email_topics_refused
from parcauto.notifications.topics import EmailTopic

from .decorators import portal_view
from .privacy_forms import CommunicationForm


@portal_view
def communication(request: PortalRequest) -> HttpResponse:
    user, languages = request.user, request.organization.languages
    if request.method == "POST":
        form = CommunicationForm(request.POST, languages=languages)
        if form.is_valid():
            language = form.cleaned_data["language"]
            communication_preferences_save(
                user=user, language=language, refused_topics=form.refused(), now=clock_now()
            )
            translation.activate(language)
            messages.success(request, _("Your preferences have been saved."))
            return redirect("portal:settings")
    else:
        refused = email_topics_refused(person_id=user.pk)
        form = CommunicationForm(
            initial={
                "language": user.language if user.language in languages else "fr",
                "wanted": [topic for topic in EmailTopic.values if topic not in refused],
            },
            languages=languages,
        )
    return render(request, "portal/communication.html", {"form": form})
