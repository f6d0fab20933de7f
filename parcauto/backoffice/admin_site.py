from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib import admin
from django.core.exceptions import BadRequest, PermissionDenied
from django.db.models import Model
from django.db.models.base import ModelBase
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

from .admin_scoping import ForeignAdminWrapper, RoleAwareAdmin, access_for


class ParcautoAdminSite(admin.AdminSite):
    """Django's admin as the operator's back office.

    - Served on the root host only: a portal host answers 404, so staff sessions and
      customer sessions never share a cookie.
    - Entry is by staff role (see `parcauto.accounts.roles`), not by the `is_staff` flag.
    - Login goes through allauth, which asks staff for their authenticator code; the
      admin's own password-only login form is never shown.
    - Every registered ModelAdmin derives its permissions from staff roles: one that does
      not subclass `RoleAwareAdmin` is wrapped in `ForeignAdminWrapper` (operator admins
      only).
    """

    site_header = _("Parcauto · operator back office")
    site_title = _("Parcauto back office")
    index_title = _("Administration")

    def register(
        self,
        model_or_iterable: type[Model] | Iterable[type[Model]],
        admin_class: type[admin.ModelAdmin[Any]] | None = None,
        **options: Any,
    ) -> None:
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, RoleAwareAdmin):
            admin_class = type(
                f"OperatorOnly{admin_class.__name__}",
                (ForeignAdminWrapper, admin_class),
                {"__module__": admin_class.__module__},
            )
        models = (
            [model_or_iterable] if isinstance(model_or_iterable, ModelBase) else model_or_iterable
        )
        super().register(models, admin_class, **options)

    def has_permission(self, request: HttpRequest) -> bool:
        return access_for(request).works_in_office  # patrol agents: their pages only

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        _refuse_portal_host(request)
        if request.user.is_authenticated:
            # Signed in but without a staff role: asking again would loop.
            if not self.has_permission(request):
                raise PermissionDenied
            return HttpResponseRedirect(reverse("admin:index", current_app=self.name))
        next_url = request.GET.get("next", "")
        if not url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            next_url = reverse("admin:index", current_app=self.name)
        return HttpResponseRedirect(f"{reverse('account_login')}?{urlencode({'next': next_url})}")

    def autocomplete_view(self, request: HttpRequest) -> HttpResponse:
        # Django searches the term as typed: PostgreSQL refuses a NUL byte in a text
        # comparison (a 500), and no name or address holds one.
        if "\x00" in request.GET.get("term", ""):
            raise BadRequest
        return super().autocomplete_view(request)

    def admin_view(self, view: Callable[..., Any], cacheable: bool = False) -> Any:
        """Served on the root host only. Every admin page, rendering included, runs in
        the tenant scope of the staff member's institutions (`StaffScopeMiddleware`),
        besides the narrowing by role of each ModelAdmin (OrganizationScopedAdmin)."""
        inner = super().admin_view(view, cacheable)

        @wraps(inner)
        def root_host_only(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            _refuse_portal_host(request)
            return inner(request, *args, **kwargs)

        return root_host_only


def _refuse_portal_host(request: HttpRequest) -> None:
    if getattr(request, "organization", None) is not None:
        raise Http404
