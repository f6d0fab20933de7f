""" "Mes avis": the claim notices this portal sent to the person's account, each with a
link to its public payment page (the number filled in)."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from parcauto.core.clock import local_today
from parcauto.core.http import PortalRequest
from parcauto.enforcement.notice_selectors import notices_of_person

from .decorators import portal_view


@require_GET
@portal_view
def my_notices(request: PortalRequest) -> HttpResponse:
    notices = notices_of_person(
        person=request.user, organization=request.organization, today=local_today()
    )
    return render(request, "portal/notices/list.html", {"notices": notices})
