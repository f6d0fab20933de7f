from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from django_scopes import scopes_disabled

from parcauto.accounts.roles import is_staff_member


class ParcautoAdminSite(admin.AdminSite):
    site_header = _("Parcauto · operator back office")
    site_title = _("Parcauto back office")
    index_title = _("Administration")

    def has_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and is_staff_member(request.user)

    def admin_view(self, view: Callable[..., Any], cacheable: bool = False) -> Any:
        # The back office spans institutions: each ModelAdmin narrows rows to the
        # institutions the staff member holds a role for (OrganizationScopedAdmin).
        inner = super().admin_view(view, cacheable)

        @wraps(inner)
        def scoped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            with scopes_disabled():
                return inner(request, *args, **kwargs)

        return scoped
