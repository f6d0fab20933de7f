"""The retention job's dry run: what the next run would delete, counted per kind.

For the managers of each institution and the operator (agents do not decide what is
kept); the counts of rows that belong to no institution (accounts, downloads, closures)
are the operator's alone.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from parcauto.core.clock import now
from parcauto.privacy.selectors import privacy_settings_for
from parcauto.privacy.services import retention

from .base import StaffRequest, backoffice_view, layout_context, staff

KIND_LABELS = {
    retention.PROOFS: gettext_lazy("Proof documents"),
    retention.CHEQUES: gettext_lazy("Cheque specimens"),
    retention.DRAFTS: gettext_lazy("Unfinished requests"),
    retention.REMINDERS: gettext_lazy("Reminders before deleting a request"),
    retention.ACCOUNTS: gettext_lazy("Accounts never validated"),
    retention.DOWNLOADS: gettext_lazy("Expired data downloads"),
    retention.CLOSURES: gettext_lazy("Closed accounts still to erase"),
}


@require_GET
@backoffice_view
def retention_report(request: StaffRequest) -> HttpResponse:
    access = staff(request)
    if not access.may_edit_somewhere:  # operator admins and managers
        raise PermissionDenied
    organizations = access.editable_organizations().order_by("name_fr")
    report = retention.retention_run(
        now=now(), dry_run=True, organizations=organizations, overall=access.operator_admin
    )
    rows = [
        (
            organization,
            privacy_settings_for(organization).proof_retention_months,
            [report.by_institution[organization.pk][kind] for kind in retention.INSTITUTION_KINDS],
        )
        for organization in organizations
    ]
    return render(
        request,
        "backoffice/privacy/retention.html",
        {
            **layout_context(request),
            "kinds": [KIND_LABELS[kind] for kind in retention.INSTITUTION_KINDS],
            "rows": rows,
            "overall": [
                (KIND_LABELS[kind], report.overall[kind]) for kind in retention.OVERALL_KINDS
            ]
            if access.operator_admin
            else [],
        },
    )
