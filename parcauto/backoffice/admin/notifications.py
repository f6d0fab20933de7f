"""The outbox in the back office: operator admins only, and never a usable link.

An e-mail is addressed to a person, and a person is one identity across every portal:
no institution's staff read the outbox (Finding 1 of issue 9: a reset asked on B's
portal for A's customer was B's agent's to read and follow). Messages that carry a
personal link are stored with the link redacted; the sendable copy (`sealed`) is never
shown, to anyone, and is erased once sent.
"""

from __future__ import annotations

from django.contrib import admin

from parcauto.backoffice.admin_scoping import ReadOnlyOperatorAdmin
from parcauto.notifications.models import OutboundEmail

_SHOWN = tuple(f.name for f in OutboundEmail._meta.fields if f.name != "sealed")


@admin.register(OutboundEmail)
class OutboundEmailAdmin(ReadOnlyOperatorAdmin):
    list_display = ["created_at", "to", "subject", "status", "organization"]
    list_filter = ["status", "template"]
    list_select_related = ["organization"]
    search_fields = ["to", "subject"]
    fields = readonly_fields = _SHOWN
