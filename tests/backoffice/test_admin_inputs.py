"""The admin given ids no browser sends: the list or the form again, never a 500.

Each case answered 500 before: Django's admin hands the ticked rows, the list filters,
many-to-many choices and an autocomplete field's bound value to the database as they
come ("²" raises ValueError, 23 digits OverflowError on SQLite).
"""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages

from parcauto.accounts.models import StaffRole
from parcauto.catalog.models import PermitProduct
from parcauto.tenants.models import Organization
from tests.backoffice.conftest import signed_in, snapshot
from tests.catalog.test_admin import PRODUCTS, _product_form_data
from tests.factories import ParkingLotFactory, PermitProductFactory, UserCategoryFactory

pytestmark = pytest.mark.django_db

NOT_IDS = ["²", "1" * 23, "9223372036854775808", "-1", "0", "a\x00b", "x" * 10_000]
TOO_BIG = ["1" * 23, "9223372036854775808", "-" + "9" * 30, "1,2," + "1" * 23]


@pytest.mark.parametrize("value", NOT_IDS)
def test_ticked_rows_that_are_no_ids_run_no_action(operator, organization, value):
    before = snapshot(Organization)
    response = signed_in(operator).post(
        "/admin/tenants/organization/",
        {"action": "delete_selected", "_selected_action": [str(organization.pk), value]},
    )
    assert response.status_code == 302
    assert response.url == "/admin/tenants/organization/"
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Cochez les lignes à traiter parmi celles de la liste."
    ]
    assert snapshot(Organization) == before


@pytest.mark.parametrize("value", TOO_BIG)
@pytest.mark.parametrize("name", ["organization", "organization__id__exact", "lot__in"])
def test_a_list_filter_beyond_any_id_shows_the_list_unfiltered(manager, name, value):
    response = signed_in(manager).get("/admin/catalog/parkinglot/", {name: value})
    assert response.status_code == 302
    assert response.url == "/admin/catalog/parkinglot/?e=1"


def test_a_list_filter_with_small_numbers_still_filters(manager, organization):
    lot = ParkingLotFactory(organization=organization)
    client = signed_in(manager)
    response = client.get(
        "/admin/catalog/parkinglot/", {"organization__id__exact": organization.pk}
    )
    assert list(response.context["cl"].result_list) == [lot]
    response = client.get("/admin/catalog/parkinglot/", {"is_active__exact": "0"})
    assert list(response.context["cl"].result_list) == []


@pytest.mark.parametrize("value", NOT_IDS)
def test_a_lot_that_is_no_id_is_an_invalid_choice(manager, organization, value):
    lot = ParkingLotFactory(organization=organization)
    category = UserCategoryFactory(organization=organization)
    product = PermitProductFactory.build(organization=organization, number="5571")
    data = _product_form_data(product, lots=[str(lot.pk), value], categories=[category.pk])
    response = signed_in(manager).post(f"{PRODUCTS}add/", data)
    assert response.status_code == 200
    assert "lots" in response.context["adminform"].form.errors
    assert not PermitProduct.objects.filter(number="5571").exists()


@pytest.mark.parametrize("value", NOT_IDS)
def test_an_autocomplete_user_that_is_no_id_is_an_invalid_choice(operator, value):
    before = snapshot(StaffRole)
    response = signed_in(operator).post(
        "/admin/accounts/staffrole/add/", {"user": value, "role": StaffRole.Role.OPERATOR_ADMIN}
    )
    assert response.status_code == 200
    assert "user" in response.context["adminform"].form.errors
    assert snapshot(StaffRole) == before


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("term_end", "9999-12-31"),
        ("term_start", "1999-12-31"),
        ("sales_end_0", "9999-12-31"),
    ],
)
def test_admin_dates_lie_between_2000_and_2100(manager, organization, name, value):
    # A fixed term ending in year 9999 would overflow every calendar of its contracts.
    lot = ParkingLotFactory(organization=organization)
    category = UserCategoryFactory(organization=organization)
    product = PermitProductFactory.build(
        organization=organization, number="5572", kind=PermitProduct.Kind.FIXED_TERM
    )
    data = _product_form_data(
        product,
        lots=[lot.pk],
        categories=[category.pk],
        billing_frequency=PermitProduct.Billing.PER_TERM,
        term_start="2026-09-01",
        term_end="2026-12-20",
        sales_end_0="2026-12-01",
        sales_end_1="00:00:00",
    )
    response = signed_in(manager).post(f"{PRODUCTS}add/", data | {name: value})
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert (
        "Entrez une date entre le 1er janvier 2000 et le 31 décembre 2100."
        in (errors[name.removesuffix("_0")])
    )
    assert not PermitProduct.objects.filter(number="5572").exists()
    assert signed_in(manager).post(f"{PRODUCTS}add/", data).status_code == 302
