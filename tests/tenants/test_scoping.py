"""The tenant scope fails closed: only one module may lift it, and the tests run inside it.

Each test here fails if the guard is lifted somewhere new, or if the test suite stops
running in its institution's scope (a query missing its filter would then pass).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.http import HttpRequest, HttpResponse
from django.tasks import task
from django.test import Client
from django.urls import path
from django_scopes import ScopeError, scope

import parcauto
from parcauto.catalog.models import ParkingLot
from parcauto.tenants.models import Organization
from parcauto.tenants.scoping import every_institution, institutions_each
from tests.factories import ParkingLotFactory, PermitProductFactory
from tests.scoping import within

pytestmark = pytest.mark.django_db

PARCAUTO = Path(parcauto.__file__).parent
SCOPING = PARCAUTO / "tenants" / "scoping.py"
# Code that lifts the guard altogether, each use with the reason it gives.
EVERY_INSTITUTION = {"parcauto/demo/loader.py"}


def _lines_with(text: str) -> list[str]:
    return [
        f"{source.relative_to(PARCAUTO.parent)}:{number}"
        for source in sorted(PARCAUTO.rglob("*.py"))
        if "migrations" not in source.parts and source != SCOPING
        for number, line in enumerate(source.read_text().splitlines(), 1)
        if text in line
    ]


def test_only_the_scoping_module_may_lift_the_tenant_guard():
    assert _lines_with("scopes_disabled") == []


def test_the_guard_is_lifted_only_where_nothing_goes_one_institution_at_a_time():
    users = {line.split(":")[0] for line in _lines_with("every_institution(")}
    assert users <= EVERY_INSTITUTION


def test_lifting_the_guard_needs_a_reason():
    with pytest.raises(ValueError, match="reason"), every_institution(reason="  "):
        pass


def test_institutions_each_lists_them_all_active_or_not(organization, other_organization):
    other_organization.is_active = False
    other_organization.save()
    assert institutions_each() == sorted([organization, other_organization], key=lambda o: o.pk)
    active = Organization.objects.filter(is_active=True)
    assert institutions_each(active) == [organization]


def test_a_scope_that_names_no_institution_opens_none(organization):
    lot = ParkingLotFactory(organization=organization)
    product = PermitProductFactory(organization=organization, lots=[lot])
    # django-scopes alone reads None as "every institution".
    with scope(organization=None), pytest.raises(ScopeError):
        ParkingLot.objects.count()
    with scope(organization=None), pytest.raises(ScopeError):
        list(product.lots.all())


# --- The tests' own scope ----------------------------------------------------------------


def _lot(organization: Organization, name: str) -> ParkingLot:
    return ParkingLotFactory(organization=organization, name=name)


def test_a_test_sees_only_its_institutions_rows(organization, other_organization):
    _lot(organization, "CHUS")
    _lot(other_organization, "CISSSO")
    assert list(ParkingLot.objects.values_list("name", flat=True)) == ["CHUS"]
    with within(other_organization):
        assert list(ParkingLot.objects.values_list("name", flat=True)) == ["CISSSO"]


def test_a_test_without_an_institution_reads_no_tenant_row():
    with pytest.raises(ScopeError):
        ParkingLot.objects.count()


def _count_lots(request: HttpRequest) -> HttpResponse:
    return HttpResponse(str(ParkingLot.objects.count()))


urlpatterns = [path("stationnements/", _count_lots)]


@pytest.mark.urls(__name__)
def test_a_request_starts_in_its_own_scope_not_the_tests(organization, other_organization):
    _lot(organization, "CHUS")
    _lot(other_organization, "CISSSO")
    assert Client(HTTP_HOST="cisso.testserver").get("/stationnements/").content == b"1"
    with pytest.raises(ScopeError):  # the operator's host, nobody signed in: no scope
        Client().get("/stationnements/")


@task()
def count_lots() -> int:
    return ParkingLot.objects.count()


def test_a_task_starts_in_no_scope_and_its_failure_fails_the_test(organization):
    _lot(organization, "CHUS")
    assert ParkingLot.objects.count() == 1
    with pytest.raises(AssertionError, match="ScopeError"):
        count_lots.enqueue()
