"""“Borne de test”: what a gate of a lot would answer to a pass or a plate, now.

The answer comes from the gates' own decision (`access.decisions.access_evaluate`), with
the lot's anti-passback, but nothing is recorded as a gate event: a test at the desk
must neither fill the contract's history nor count as an entry. Each test is audited
(who looked up which credential at which lot, and the answer), as a look-up of a
person's permit. A picture of the QR code is read as gates read it (zxing-cpp).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from parcauto.access.decisions import (
    DecisionError,
    access_evaluate,
    plate_credential,
    reason_display,
    token_credential,
)
from parcauto.access.qr_reading import qr_texts
from parcauto.audit.services import audit_log
from parcauto.catalog.models import ParkingLot
from parcauto.core.clock import now

from ..access_forms import SimulatorForm
from .base import StaffRequest, backoffice_view, layout_context, staff, staff_organizations


def _answer(form: SimulatorForm, request: StaffRequest) -> dict[str, Any] | None:
    """The gate's answer, or None with the form's error said."""
    data = form.cleaned_data
    lot: ParkingLot = data["lot"]
    token = data["token"].strip()
    if data["screenshot"]:
        found = qr_texts(data["screenshot"])
        if not found:
            form.add_error("screenshot", _("No QR code could be read in this picture."))
            return None
        token = found[0]
    try:
        credential = (
            plate_credential(data["plate"], data["province"])
            if data["plate"]
            else token_credential(token)
        )
    except DecisionError as refused:
        field = "screenshot" if refused.field == "token" and data["screenshot"] else refused.field
        form.add_error(field if field in form.fields else None, refused.message)
        return None
    at = now()
    verdict = access_evaluate(lot=lot, credential=credential, direction=data["direction"], now=at)
    audit_log(
        action="access.gate_simulated",
        actor=request.user,
        organization=lot.organization,
        target=lot,
        data={
            "kind": credential.kind,
            "plate": credential.value if credential.kind == "plate" else "",
            "direction": data["direction"],
            "reason": verdict.reason,
            "subscription": verdict.subscription_id,
        },
    )
    return {
        "verdict": verdict,
        "display": reason_display(verdict.reason),
        "decided_at": at,
        "read_token": token if data["screenshot"] else "",
        "may_open_contract": verdict.subscription_id is not None
        and staff(request).may_view(lot.organization_id),
    }


@require_http_methods(["GET", "POST"])
@backoffice_view
def gate_simulator(request: StaffRequest) -> HttpResponse:
    lots = ParkingLot.objects.filter(organization__in=staff_organizations(request))
    posted = request.method == "POST"
    form = SimulatorForm(request.POST if posted else None, request.FILES or None, lots=lots)
    answer = _answer(form, request) if posted and form.is_valid() else None
    return render(
        request,
        "backoffice/access/simulator.html",
        {**layout_context(request), "form": form, "answer": answer},
        status=400 if posted and answer is None else 200,
    )
