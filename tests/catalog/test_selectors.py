from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import translation

from parcauto.catalog.errors import EmailDomainNotAllowed
from parcauto.catalog.models import PermitProduct
from parcauto.catalog.selectors import (
    category_check_email,
    category_email_domain_rules,
    category_list,
    lot_list_for_portal,
    product_list_for,
)
from tests.catalog.conftest import NOW
from tests.factories import (
    ParkingLotFactory,
    PermitProductFactory,
    ProductGrantFactory,
    UserCategoryFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

HIDDEN = PermitProduct.Visibility.HIDDEN


def _numbers(products) -> list[str]:
    return [product.number for product in products]


def _list(organization, lot, category, user=None, at=NOW, access_code=None) -> list[str]:
    return _numbers(
        product_list_for(
            organization=organization,
            lot=lot,
            category=category,
            user=user,
            at=at,
            access_code=access_code,
        )
    )


def _offer(organization, lot, category, **kwargs) -> PermitProduct:
    return PermitProductFactory(
        organization=organization, lots=[lot], categories=[category], **kwargs
    )


def test_the_list_holds_the_products_of_that_lot_and_category_on_sale_now(
    organization, lot, category
):
    _offer(organization, lot, category, number="5569")
    _offer(organization, lot, category, number="5570", sales_start=NOW + dt.timedelta(days=1))
    _offer(organization, lot, category, number="5571", sales_end=NOW)
    _offer(organization, lot, category, number="5572", is_active=False)
    other_lot = ParkingLotFactory(organization=organization, number="1086")
    _offer(organization, other_lot, category, number="5573")
    other_category = UserCategoryFactory(organization=organization)
    _offer(organization, lot, other_category, number="5574")
    _offer(
        organization,
        lot,
        category,
        number="5575",
        sales_start=NOW - dt.timedelta(days=1),
        sales_end=NOW + dt.timedelta(days=1),
    )
    assert _list(organization, lot, category) == ["5569", "5575"]


def test_a_multisite_product_is_listed_under_each_of_its_lots(organization, lot, category):
    other_lot = ParkingLotFactory(organization=organization, number="1534")
    PermitProductFactory(
        organization=organization, number="5432", lots=[lot, other_lot], categories=[category]
    )
    assert _list(organization, lot, category) == ["5432"]
    assert _list(organization, other_lot, category) == ["5432"]


def test_a_sold_out_product_stays_listed_for_the_waiting_list(organization, lot, category):
    _offer(organization, lot, category, number="3001", quantity=400, units_taken=400)
    assert _list(organization, lot, category) == ["3001"]


def test_a_finished_term_is_no_longer_on_sale(organization, lot, category):
    _offer(
        organization,
        lot,
        category,
        number="3001",
        kind=PermitProduct.Kind.FIXED_TERM,
        billing_frequency=PermitProduct.Billing.PER_TERM,
        term_start=dt.date(2026, 8, 20),
        term_end=dt.date(2026, 11, 24),
    )
    assert _list(organization, lot, category) == []
    assert _list(organization, lot, category, at=NOW - dt.timedelta(days=1)) == ["3001"]


def test_a_hidden_product_is_listed_only_for_a_granted_person(organization, lot, category):
    _offer(organization, lot, category, number="7117")
    vip = _offer(organization, lot, category, number="7116", visibility=HIDDEN)
    grant = ProductGrantFactory(product=vip)
    stranger = UserFactory()
    assert _list(organization, lot, category, user=grant.user) == ["7116", "7117"]
    assert _list(organization, lot, category, user=stranger) == ["7117"]
    assert _list(organization, lot, category, user=AnonymousUser()) == ["7117"]
    assert _list(organization, lot, category, user=None) == ["7117"]


def test_a_hidden_product_is_listed_for_its_access_code_in_any_case(organization, lot, category):
    _offer(organization, lot, category, number="7117")
    _offer(organization, lot, category, number="7116", visibility=HIDDEN, access_code="CADRES")
    _offer(organization, lot, category, number="7118", visibility=HIDDEN)
    assert _list(organization, lot, category, access_code="cadres ") == ["7116", "7117"]
    assert _list(organization, lot, category, access_code="CADRE") == ["7117"]
    # An empty code never matches a hidden product that has no code.
    assert _list(organization, lot, category, access_code="") == ["7117"]
    assert _list(organization, lot, category, access_code="   ") == ["7117"]


def test_a_grant_in_another_institution_does_not_reveal_a_product(
    organization, other_organization, lot, category
):
    vip = _offer(organization, lot, category, number="7116", visibility=HIDDEN)
    person = UserFactory()
    other_vip = PermitProductFactory(organization=other_organization, visibility=HIDDEN)
    ProductGrantFactory(product=other_vip, user=person)
    assert _list(organization, lot, category, user=person) == []
    ProductGrantFactory(product=vip, user=person)
    assert _list(organization, lot, category, user=person) == ["7116"]


def test_another_institutions_products_never_appear(organization, other_organization, category):
    other_lot = ParkingLotFactory(organization=other_organization, number="1085")
    other_category = UserCategoryFactory(organization=other_organization)
    PermitProductFactory(
        organization=other_organization,
        number="7117",
        lots=[other_lot],
        categories=[other_category],
    )
    lot = ParkingLotFactory(organization=organization, number="1085")
    assert _list(organization, lot, category) == []
    # Asking one institution for another's lot or category gives nothing either.
    assert _list(organization, other_lot, other_category) == []
    assert _list(organization, lot, other_category) == []


def test_an_inactive_lot_or_category_lists_nothing(organization, lot, category):
    _offer(organization, lot, category, number="5569")
    lot.is_active = False
    assert _list(organization, lot, category) == []
    lot.is_active = True
    category.is_active = False
    assert _list(organization, lot, category) == []


def test_the_portal_lists_its_own_active_lots_by_number(organization, other_organization):
    ParkingLotFactory(organization=organization, number="1461")
    ParkingLotFactory(organization=organization, number="1085")
    ParkingLotFactory(organization=organization, number="1099", is_active=False)
    ParkingLotFactory(organization=other_organization, number="1000")
    assert _numbers(lot_list_for_portal(organization=organization)) == ["1085", "1461"]


def test_categories_are_listed_in_their_sort_order(organization, other_organization):
    UserCategoryFactory(organization=organization, name_fr="Résident", sort_order=2)
    UserCategoryFactory(organization=organization, name_fr="Employé du CISSSO", sort_order=1)
    UserCategoryFactory(organization=organization, name_fr="Ancien", is_active=False)
    UserCategoryFactory(organization=other_organization, name_fr="Étudiant")
    names = [category.name_fr for category in category_list(organization=organization)]
    assert names == ["Employé du CISSSO", "Résident"]


def test_the_email_domain_rules_name_the_category_in_the_active_language(
    organization, other_organization
):
    UserCategoryFactory(
        organization=organization,
        name_fr="Étudiant",
        name_en="Student",
        email_domain="cegepmontpetit.ca",
    )
    UserCategoryFactory(organization=organization, name_fr="Employé")
    UserCategoryFactory(organization=other_organization, email_domain="usherbrooke.ca")
    with translation.override("fr"):
        assert category_email_domain_rules(organization=organization) == [
            ("Étudiant", "cegepmontpetit.ca")
        ]
    with translation.override("en"):
        assert category_email_domain_rules(organization=organization) == [
            ("Student", "cegepmontpetit.ca")
        ]


@pytest.mark.parametrize("email", ["1234567@cegepmontpetit.ca", "Marie@CegepMontpetit.CA"])
def test_an_address_of_the_category_domain_is_accepted(organization, email):
    student = UserCategoryFactory(organization=organization, email_domain="cegepmontpetit.ca")
    category_check_email(category=student, email=email)


@pytest.mark.parametrize(
    "email",
    [
        "marie@gmail.com",
        "marie@etu.cegepmontpetit.ca",
        "marie@cegepmontpetit.ca.evil.com",
        "cegepmontpetit.ca",
    ],
)
def test_an_address_outside_the_category_domain_is_refused_with_a_translated_message(
    organization, email
):
    student = UserCategoryFactory(
        organization=organization,
        name_fr="Étudiant",
        name_en="Student",
        email_domain="cegepmontpetit.ca",
    )
    with translation.override("en"), pytest.raises(EmailDomainNotAllowed) as error:
        category_check_email(category=student, email=email)
    assert error.value.code == "email_domain_not_allowed"
    assert str(error.value.message) == (
        "The “Student” category requires an @cegepmontpetit.ca e-mail address."
    )
    assert error.value.domain == "cegepmontpetit.ca"


def test_the_refusal_is_in_french_by_default(organization):
    student = UserCategoryFactory(
        organization=organization, name_fr="Étudiant", email_domain="cegepmontpetit.ca"
    )
    with translation.override("fr"), pytest.raises(EmailDomainNotAllowed) as error:
        category_check_email(category=student, email="marie@gmail.com")
    assert str(error.value) == (
        "La catégorie «\u00a0Étudiant\u00a0» exige une adresse courriel @cegepmontpetit.ca."
    )


def test_a_category_without_a_domain_accepts_any_address(organization):
    employee = UserCategoryFactory(organization=organization)
    category_check_email(category=employee, email="marie@gmail.com")
