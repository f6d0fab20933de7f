"""The outbox in the back office: operator admins only, and never a usable link.

An e-mail is addressed to a person, and a person is one identity across every portal:
no institution's staff read the outbox (Finding 1 of issue 9: a reset asked on B's
portal for A's customer was B's agent's to read and follow). Messages that carry a
personal link are stored with the link redacted; the sendable copy (`sealed`) is never
shown, to anyone, and is erased once sent.

A message the mail server kept refusing ends FAILED: "Renvoyer" (on the list or on the
message) queues it again with its full count of attempts (`notifications.delivery`).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.options import ActionLocation
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from parcauto.backoffice.admin_scoping import ReadOnlyOperatorAdmin, access_for
from parcauto.notifications.models import OutboundEmail
from parcauto.notifications.services import email_resend

_SHOWN = tuple(f.name for f in OutboundEmail._meta.fields if f.name != "sealed")


@admin.register(OutboundEmail)
class OutboundEmailAdmin(ReadOnlyOperatorAdmin):
    list_display = ["created_at", "to", "subject", "status", "attempts", "organization"]
    list_filter = ["status", "template"]
    list_select_related = ["organization"]
    search_fields = ["to", "subject", "message_id"]
    fields = readonly_fields = _SHOWN
    actions = ["resend"]

    def has_resend_permission(self, request: HttpRequest) -> bool:
        return access_for(request).operator_admin

    @admin.action(
        description=_("Resend"),
        permissions=["resend"],
        location=[ActionLocation.CHANGE_LIST, ActionLocation.CHANGE_FORM],
    )
    def resend(self, request: HttpRequest, queryset: QuerySet[OutboundEmail]) -> Any:
        selected = list(queryset.values_list("pk", flat=True))
        queued = email_resend(email_ids=selected)
        if queued:
            self.message_user(
                request,
                ngettext(
                    "%(count)d message queued again.", "%(count)d messages queued again.", queued
                )
                % {"count": queued},
                messages.SUCCESS,
            )
        if len(selected) > queued:
            self.message_user(
                request,
                _("Messages already sent or being sent are not sent again."),
                messages.WARNING,
            )
        return None
