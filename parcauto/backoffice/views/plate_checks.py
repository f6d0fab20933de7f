"""The plate checks of a day: what patrol agents and cameras asked, and the answers.

The same readers as the notices (`views.notices`): the managers and agents of the
check's institution and operator admins; patrol agents see their own checks on their
patrol pages only.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from parcauto.core.clock import local_today
from parcauto.enforcement.selectors import plate_check_history

from ..enforcement_forms import PlateCheckFilterForm
from .base import StaffRequest, backoffice_view
from .billing import PAGE_SIZE
from .notices import notice_organizations, notices_context


@require_GET
@backoffice_view
def plate_checks(request: StaffRequest) -> HttpResponse:
    visible = notice_organizations(request)
    form = PlateCheckFilterForm(request.GET, organizations=visible, today=local_today())
    found = plate_check_history(organizations=form.organizations(visible), filters=form.filters())
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "backoffice/notices/checks.html", notices_context(request, form=form, page=page)
    )
