from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.test import Client

from parcauto.access.models import AccessGrant
from parcauto.access.services import access_sync
from parcauto.accounts.models import StaffRole, User
from parcauto.catalog.models import PermitProduct, ProductGrant
from parcauto.subscriptions.models import Subscription
from parcauto.tenants.models import Organization
from tests.access.conftest import add_vehicle, at, contract
from tests.factories import (
    ParkingLotFactory,
    PermitProductFactory,
    ProductGrantFactory,
    ProfileFactory,
    UserCategoryFactory,
    UserFactory,
)
from tests.scoping import within

pytestmark = pytest.mark.django_db

PRODUCTS = "/admin/catalog/permitproduct/"


def _staff_client(role: str, organization: Organization | None) -> tuple[Client, User]:
    """A staff member signed in on the operator's host, authenticator app already set up."""
    user = UserFactory()
    StaffRole.objects.create(user=user, role=role, organization=organization)
    TOTP.activate(user, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    client = Client()
    client.force_login(user)
    return client, user


def _product_form_data(product: PermitProduct, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "organization": product.organization_id,
        "number": product.number,
        "name_fr": product.name_fr,
        "name_en": product.name_en,
        "kind": product.kind,
        "is_active": "on",
        "description_fr": "",
        "description_en": "",
        "lots": [lot.pk for lot in product.lots.all()] if product.pk else [],
        "categories": [c.pk for c in product.categories.all()] if product.pk else [],
        "price": str(product.price),
        "billing_frequency": product.billing_frequency,
        "taxable": "on",
        "accepts_card": "on",
        "cancellation_notice_days": product.cancellation_notice_days,
        "visibility": product.visibility,
        "access_code": product.access_code,
        "approval_required": "on",
        "quantity": "",
        "term_start": "",
        "term_end": "",
        "max_term_days": product.max_term_days,
        "sales_start_0": "",
        "sales_start_1": "",
        "sales_end_0": "",
        "sales_end_1": "",
    }
    data.update(changes)
    return data


@pytest.fixture
def chus_product(organization, lot, category) -> PermitProduct:
    return PermitProductFactory(
        organization=organization, number="5569", lots=[lot], categories=[category]
    )


@pytest.fixture
def cisso_product(other_organization) -> PermitProduct:
    cisso_lot = ParkingLotFactory(organization=other_organization, number="1461")
    cisso_category = UserCategoryFactory(organization=other_organization, name_fr="Résident")
    return PermitProductFactory(
        organization=other_organization,
        number="7117",
        lots=[cisso_lot],
        categories=[cisso_category],
    )


def test_a_manager_lists_only_the_products_of_their_institution(
    organization, chus_product, cisso_product
):
    client, _ = _staff_client(StaffRole.Role.MANAGER, organization)
    response = client.get(PRODUCTS)
    assert response.status_code == 200
    assert [product.number for product in response.context["cl"].result_list] == ["5569"]
    assert "7117" not in response.content.decode()


def test_an_operator_admin_lists_every_institutions_products(chus_product, cisso_product):
    client, _ = _staff_client(StaffRole.Role.OPERATOR_ADMIN, None)
    response = client.get(PRODUCTS)
    numbers = {product.number for product in response.context["cl"].result_list}
    assert numbers == {"5569", "7117"}


def test_another_institutions_product_is_out_of_a_managers_reach(organization, cisso_product):
    client, _ = _staff_client(StaffRole.Role.MANAGER, organization)
    change_url = f"{PRODUCTS}{cisso_product.pk}/change/"
    response = client.get(change_url)
    assert response.status_code == 302
    assert response.url == "/admin/"
    response = client.post(change_url, _product_form_data(cisso_product, name_fr="Piraté"))
    assert response.status_code == 302
    cisso_product.refresh_from_db()
    assert cisso_product.name_fr != "Piraté"
    response = client.get(f"{PRODUCTS}{cisso_product.pk}/delete/")
    assert response.status_code == 302
    with within(cisso_product.organization):
        assert PermitProduct.objects.filter(pk=cisso_product.pk).exists()


def test_a_manager_is_offered_only_their_institutions_lots_and_categories(
    organization, other_organization, lot, category, cisso_product
):
    client, _ = _staff_client(StaffRole.Role.MANAGER, organization)
    response = client.get(f"{PRODUCTS}add/")
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert list(form.fields["organization"].queryset) == [organization]
    assert list(form.fields["lots"].queryset) == [lot]
    assert list(form.fields["categories"].queryset) == [category]


def test_a_product_form_offers_only_the_lots_of_the_products_institution(
    lot, category, chus_product, cisso_product
):
    client, _ = _staff_client(StaffRole.Role.OPERATOR_ADMIN, None)
    response = client.get(f"{PRODUCTS}{chus_product.pk}/change/")
    form = response.context["adminform"].form
    assert list(form.fields["lots"].queryset) == [lot]
    assert list(form.fields["categories"].queryset) == [category]


def test_an_operator_cannot_attach_another_institutions_lot_to_a_product(
    organization, other_organization, lot, category
):
    client, _ = _staff_client(StaffRole.Role.OPERATOR_ADMIN, None)
    foreign_lot = ParkingLotFactory(organization=other_organization, number="1461")
    product = PermitProductFactory.build(organization=organization, number="5570")
    data = _product_form_data(product, lots=[lot.pk, foreign_lot.pk], categories=[category.pk])
    response = client.post(f"{PRODUCTS}add/", data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors == {
        "lots": [f"Ces éléments appartiennent à un autre établissement\u00a0: {foreign_lot}."]
    }
    assert not PermitProduct.objects.filter(number="5570").exists()


def test_a_manager_adds_a_product_for_their_institution(organization, lot, category):
    client, _ = _staff_client(StaffRole.Role.MANAGER, organization)
    product = PermitProductFactory.build(
        organization=organization, number="5570", name_fr="Permis G", price=Decimal("23.08")
    )
    data = _product_form_data(product, lots=[lot.pk], categories=[category.pk], quantity="40")
    response = client.post(f"{PRODUCTS}add/", data)
    assert response.status_code == 302
    created = PermitProduct.objects.get(organization=organization, number="5570")
    assert created.price == Decimal("23.08")
    assert created.quantity == 40
    assert created.units_taken == 0
    assert list(created.lots.all()) == [lot]


@pytest.mark.parametrize("forged", ["9" * 23, "\u00b2", "-1"])
def test_a_lot_id_that_is_no_id_is_an_error_on_the_page(organization, lot, category, forged):
    # A 23-digit id reached SQLite as posted: OverflowError, a 500.
    client, _ = _staff_client(StaffRole.Role.MANAGER, organization)
    product = PermitProductFactory.build(organization=organization, number="5570")
    data = _product_form_data(product, lots=[lot.pk, forged], categories=[category.pk])
    response = client.post(f"{PRODUCTS}add/", data)
    assert response.status_code == 200
    assert "lots" in response.context["adminform"].form.errors
    assert not PermitProduct.objects.filter(number="5570").exists()


@pytest.mark.parametrize(("days", "saved"), [("120", 120), ("0", None), ("1097", None)])
def test_a_manager_sets_how_long_an_episodic_permit_may_last(
    organization, lot, category, days, saved
):
    client, _ = _staff_client(StaffRole.Role.MANAGER, organization)
    product = PermitProductFactory.build(
        organization=organization, number="5571", kind=PermitProduct.Kind.EPISODIC
    )
    data = _product_form_data(product, lots=[lot.pk], categories=[category.pk], max_term_days=days)
    response = client.post(f"{PRODUCTS}add/", data)
    created = PermitProduct.objects.filter(number="5571").first()
    assert (created.max_term_days if created else None) == saved
    if saved is None:
        assert response.status_code == 200
        assert "max_term_days" in response.context["adminform"].form.errors


def test_a_manager_grants_a_hidden_product_to_a_person_by_email(organization):
    client, manager = _staff_client(StaffRole.Role.MANAGER, organization)
    vip = PermitProductFactory(
        organization=organization, number="7116", visibility=PermitProduct.Visibility.HIDDEN
    )
    person = UserFactory(email="cadre@example.com")
    response = client.post(
        "/admin/catalog/productgrant/add/",
        {
            "organization": organization.pk,
            "product": vip.pk,
            "user": " Cadre@Example.com ",
            "reason": "Cadre, espace réservé",
        },
    )
    assert response.status_code == 302
    grant = ProductGrant.objects.get()
    assert (grant.product, grant.user, grant.granted_by) == (vip, person, manager)


def test_a_grant_of_a_public_product_is_refused(organization, chus_product):
    client, _ = _staff_client(StaffRole.Role.MANAGER, organization)
    UserFactory(email="cadre@example.com")
    response = client.post(
        "/admin/catalog/productgrant/add/",
        {
            "organization": organization.pk,
            "product": chus_product.pk,
            "user": "cadre@example.com",
            "reason": "Essai",
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "product": [
            "Les produits publics sont visibles de tous\u00a0: "
            "n'attribuez que des produits masqués."
        ]
    }
    assert not ProductGrant.objects.exists()


@pytest.mark.parametrize("model", ["parkinglot", "usercategory", "permitproduct", "productgrant"])
def test_every_catalog_page_opens_for_an_operator_and_a_manager(organization, chus_product, model):
    grant = ProductGrantFactory(
        product=PermitProductFactory(
            organization=organization, visibility=PermitProduct.Visibility.HIDDEN
        )
    )
    objects = {
        "parkinglot": chus_product.lots.get(),
        "usercategory": chus_product.categories.get(),
        "permitproduct": chus_product,
        "productgrant": grant,
    }
    for role, where in [
        (StaffRole.Role.OPERATOR_ADMIN, None),
        (StaffRole.Role.MANAGER, organization),
    ]:
        client, _ = _staff_client(role, where)
        base = f"/admin/catalog/{model}/"
        for url in [base, f"{base}add/", f"{base}{objects[model].pk}/change/"]:
            assert client.get(url).status_code == 200, (role, url)
        assert client.get(f"{base}?q=1085").status_code == 200


def test_an_agent_views_their_institutions_products_but_cannot_change_them(
    organization, chus_product
):
    client, _ = _staff_client(StaffRole.Role.AGENT, organization)
    change_url = f"{PRODUCTS}{chus_product.pk}/change/"
    response = client.get(change_url)
    assert response.status_code == 200
    assert response.context["has_change_permission"] is False
    response = client.post(change_url, _product_form_data(chus_product, name_fr="Modifié"))
    assert response.status_code == 403
    chus_product.refresh_from_db()
    assert chus_product.name_fr != "Modifié"


def test_a_lot_added_to_a_product_opens_it_to_the_products_holders(
    organization, chus_product, django_capture_on_commit_callbacks
):
    holder = ProfileFactory().user
    add_vehicle(holder, plate="abc-123", now=at(dt.date(2026, 7, 1)))
    contract_ = contract(chus_product, holder, status=Subscription.Status.ACTIVE)
    access_sync(subscription=contract_, now=at(dt.date(2026, 9, 1)))
    new_lot = ParkingLotFactory(organization=organization, number="1534")
    client, _ = _staff_client(StaffRole.Role.MANAGER, organization)

    lots = [*chus_product.lots.values_list("pk", flat=True), new_lot.pk]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{PRODUCTS}{chus_product.pk}/change/", _product_form_data(chus_product, lots=lots)
        )

    assert response.status_code == 302
    opened = AccessGrant.objects.filter(subscription=contract_, lot=new_lot)
    assert {(grant.kind, grant.state) for grant in opened} == {
        (AccessGrant.Kind.PASS, AccessGrant.State.VALID),
        (AccessGrant.Kind.PLATE, AccessGrant.State.VALID),
    }
