from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from parcauto.catalog.models import ParkingLot, PermitProduct, UserCategory
from parcauto.catalog.validators import validate_email_domain
from parcauto.tenants.scoping import every_institution
from tests.catalog.conftest import NOW
from tests.factories import ParkingLotFactory, PermitProductFactory, UserCategoryFactory

pytestmark = pytest.mark.django_db


def _error_codes(error: ValidationError) -> dict[str, list[str]]:
    return {field: [e.code for e in errors] for field, errors in error.error_dict.items()}


def test_units_taken_cannot_exceed_the_quantity_in_the_database(organization):
    product = PermitProductFactory(organization=organization, quantity=2, units_taken=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        PermitProduct.objects.filter(pk=product.pk).update(units_taken=3)
    product.refresh_from_db()
    assert product.units_taken == 2


def test_units_taken_cannot_go_below_zero_in_the_database(organization):
    product = PermitProductFactory(organization=organization, quantity=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        PermitProduct.objects.filter(pk=product.pk).update(units_taken=-1)


def test_an_unlimited_product_counts_units_without_a_ceiling(organization):
    product = PermitProductFactory(organization=organization, quantity=None, units_taken=10_000)
    assert product.is_limited is False
    assert product.units_left is None
    assert product.is_sold_out is False


def test_units_left_is_the_quantity_minus_the_units_taken(organization):
    product = PermitProductFactory(organization=organization, quantity=400, units_taken=399)
    assert product.is_limited is True
    assert product.units_left == 1
    assert product.is_sold_out is False
    product.units_taken = 400
    assert product.units_left == 0
    assert product.is_sold_out is True


def test_the_quantity_cannot_be_lowered_below_the_units_taken(organization):
    product = PermitProductFactory(organization=organization, quantity=10, units_taken=8)
    product.quantity = 5
    with pytest.raises(ValidationError) as error:
        product.full_clean()
    assert _error_codes(error.value) == {"quantity": ["quantity_below_taken"]}


def test_a_lot_number_is_unique_within_an_institution(organization):
    ParkingLotFactory(organization=organization, number="1085")
    with pytest.raises(IntegrityError), transaction.atomic():
        ParkingLotFactory(organization=organization, number="1085")
    assert ParkingLot.objects.filter(number="1085").count() == 1


def test_two_institutions_may_use_the_same_lot_and_product_numbers(
    organization, other_organization
):
    ParkingLotFactory(organization=organization, number="1085")
    ParkingLotFactory(organization=other_organization, number="1085")
    PermitProductFactory(organization=organization, number="5569")
    PermitProductFactory(organization=other_organization, number="5569")
    with every_institution(reason="one of each in both institutions"):
        assert ParkingLot.objects.filter(number="1085").count() == 2
        assert PermitProduct.objects.filter(number="5569").count() == 2


def test_a_product_number_is_unique_within_an_institution(organization):
    PermitProductFactory(organization=organization, number="5569")
    with pytest.raises(IntegrityError), transaction.atomic():
        PermitProductFactory(organization=organization, number="5569")


def test_a_duplicate_number_is_a_form_error_before_it_is_a_database_error(organization):
    PermitProductFactory(organization=organization, number="5569")
    duplicate = PermitProduct(
        organization=organization,
        number="5569",
        name_fr="Autre",
        kind=PermitProduct.Kind.MONTHLY,
        billing_frequency=PermitProduct.Billing.MONTHLY,
        price=Decimal("10.00"),
    )
    with pytest.raises(ValidationError) as error:
        duplicate.full_clean()
    assert _error_codes(error.value) == {"__all__": ["duplicate_number"]}


def test_a_fixed_term_product_needs_both_term_dates(organization):
    product = PermitProductFactory.build(
        organization=organization,
        kind=PermitProduct.Kind.FIXED_TERM,
        billing_frequency=PermitProduct.Billing.PER_TERM,
    )
    with pytest.raises(ValidationError) as error:
        product.full_clean()
    assert _error_codes(error.value) == {"term_start": ["required"], "term_end": ["required"]}


def test_a_fixed_term_product_without_dates_is_refused_by_the_database(organization):
    with pytest.raises(IntegrityError), transaction.atomic():
        PermitProductFactory(
            organization=organization,
            kind=PermitProduct.Kind.FIXED_TERM,
            billing_frequency=PermitProduct.Billing.PER_TERM,
        )


def test_a_term_cannot_end_before_it_starts(organization):
    product = PermitProductFactory.build(
        organization=organization,
        kind=PermitProduct.Kind.FIXED_TERM,
        billing_frequency=PermitProduct.Billing.PER_TERM,
        term_start=dt.date(2027, 5, 31),
        term_end=dt.date(2027, 1, 15),
    )
    with pytest.raises(ValidationError) as error:
        product.full_clean()
    assert _error_codes(error.value) == {"term_end": ["term_end_before_start"]}


def test_a_term_may_be_a_single_day(organization):
    product = PermitProductFactory.build(
        organization=organization,
        kind=PermitProduct.Kind.FIXED_TERM,
        billing_frequency=PermitProduct.Billing.PER_TERM,
        term_start=dt.date(2027, 1, 15),
        term_end=dt.date(2027, 1, 15),
    )
    product.full_clean()


def test_only_fixed_term_products_have_term_dates(organization):
    product = PermitProductFactory.build(organization=organization, term_start=dt.date(2027, 1, 1))
    with pytest.raises(ValidationError) as error:
        product.full_clean()
    assert _error_codes(error.value) == {"term_start": ["term_not_allowed"]}


@pytest.mark.parametrize("hours", [0, -1])
def test_sales_must_end_after_they_start(organization, hours):
    product = PermitProductFactory.build(
        organization=organization, sales_start=NOW, sales_end=NOW + dt.timedelta(hours=hours)
    )
    with pytest.raises(ValidationError) as error:
        product.full_clean()
    assert _error_codes(error.value) == {"sales_end": ["sales_end_before_start"]}


def test_a_monthly_product_cannot_be_billed_once(organization):
    product = PermitProductFactory.build(
        organization=organization, billing_frequency=PermitProduct.Billing.ONE_TIME
    )
    with pytest.raises(ValidationError) as error:
        product.full_clean()
    assert _error_codes(error.value) == {"billing_frequency": ["billing_mismatch"]}


def test_only_a_hidden_product_has_an_access_code(organization):
    product = PermitProductFactory.build(organization=organization, access_code="VIP")
    with pytest.raises(ValidationError) as error:
        product.full_clean()
    assert _error_codes(error.value) == {"access_code": ["access_code_on_public_product"]}
    with pytest.raises(IntegrityError), transaction.atomic():
        product.save()


def test_a_product_must_accept_a_payment_method(organization):
    product = PermitProductFactory.build(
        organization=organization, accepts_card=False, accepts_pad=False, accepts_payroll=False
    )
    with pytest.raises(ValidationError) as error:
        product.full_clean()
    assert _error_codes(error.value) == {"__all__": ["no_payment_method"]}
    with pytest.raises(IntegrityError), transaction.atomic():
        product.save()


def test_the_payment_methods_offered_are_those_both_product_and_category_accept(organization):
    product = PermitProductFactory(
        organization=organization, accepts_card=True, accepts_pad=True, accepts_payroll=True
    )
    student = UserCategoryFactory(
        organization=organization, accepts_card=True, accepts_pad=False, accepts_payroll=False
    )
    employee = UserCategoryFactory(
        organization=organization, accepts_card=True, accepts_pad=True, accepts_payroll=True
    )
    assert product.payment_methods_for(student) == ["card"]
    assert product.payment_methods_for(employee) == ["card", "pad", "payroll"]
    product.accepts_payroll = False
    assert product.payment_methods_for(employee) == ["card", "pad"]


def test_a_product_is_on_sale_inside_its_window_only(organization):
    product = PermitProductFactory(
        organization=organization, sales_start=NOW, sales_end=NOW + dt.timedelta(days=30)
    )
    assert product.is_on_sale(at=NOW - dt.timedelta(seconds=1)) is False
    assert product.is_on_sale(at=NOW) is True
    assert product.is_on_sale(at=NOW + dt.timedelta(days=30) - dt.timedelta(seconds=1)) is True
    assert product.is_on_sale(at=NOW + dt.timedelta(days=30)) is False
    product.is_active = False
    assert product.is_on_sale(at=NOW) is False


def test_a_fixed_term_product_leaves_the_sale_after_its_last_day_in_quebec(organization):
    product = PermitProductFactory(
        organization=organization,
        kind=PermitProduct.Kind.FIXED_TERM,
        billing_frequency=PermitProduct.Billing.PER_TERM,
        term_start=dt.date(2027, 1, 15),
        term_end=dt.date(2027, 5, 31),
    )
    # 23:30 on May 31 in Quebec is already June 1 in UTC.
    assert product.is_on_sale(at=dt.datetime(2027, 6, 1, 3, 30, tzinfo=dt.UTC)) is True
    assert product.is_on_sale(at=dt.datetime(2027, 6, 1, 4, 0, tzinfo=dt.UTC)) is False


def test_the_lot_label_reads_like_the_portal(organization):
    lot = ParkingLotFactory(
        organization=organization,
        number="1085",
        name="CIUSSS de l'Estrie - CHUS",
        address_line="375 rue Argyll",
        postal_code="J1J 3H5",
        city="Sherbrooke",
    )
    assert lot.label == "1085 - CIUSSS de l'Estrie - CHUS - 375 rue Argyll, J1J 3H5, Sherbrooke, QC"


def test_a_lot_postal_code_is_stored_in_one_form(organization):
    lot = ParkingLotFactory.build(organization=organization, postal_code="j1j-3h5")
    lot.full_clean()
    assert lot.postal_code == "J1J 3H5"
    lot.postal_code = "12345"
    with pytest.raises(ValidationError) as error:
        lot.full_clean()
    assert _error_codes(error.value) == {"postal_code": ["invalid_postal_code"]}


def test_names_follow_the_active_language_and_fall_back_to_french(organization):
    category = UserCategoryFactory(
        organization=organization,
        name_fr="Employé du CISSSO",
        name_en="CISSSO employee",
        employee_number_help_fr="Si vous êtes résident, inscrivez « résident ».",
    )
    with translation.override("en"):
        assert category.name == "CISSSO employee"
        assert category.employee_number_help == "Si vous êtes résident, inscrivez « résident »."
    with translation.override("fr"):
        assert category.name == "Employé du CISSSO"


def test_a_category_name_is_unique_within_an_institution(organization, other_organization):
    UserCategoryFactory(organization=organization, name_fr="Résident")
    UserCategoryFactory(organization=other_organization, name_fr="Résident")
    with pytest.raises(IntegrityError), transaction.atomic():
        UserCategoryFactory(organization=organization, name_fr="Résident")
    with every_institution(reason="one in both institutions"):
        assert UserCategory.objects.filter(name_fr="Résident").count() == 2


@pytest.mark.parametrize("domain", ["cegepmontpetit.ca", "etu.umontreal.ca", "x-y.qc.ca"])
def test_a_bare_domain_is_accepted(domain):
    validate_email_domain(domain)


@pytest.mark.parametrize(
    "domain", ["@cegepmontpetit.ca", "Cegepmontpetit.ca", "cegepmontpetit", "a@b.ca", "-x.ca", ""]
)
def test_anything_but_a_bare_lower_case_domain_is_refused(domain):
    with pytest.raises(ValidationError) as error:
        validate_email_domain(domain)
    assert error.value.code == "invalid_email_domain"
