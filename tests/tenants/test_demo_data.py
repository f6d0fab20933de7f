from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command
from django.db import models

from parcauto.accounts.models import Profile, StaffRole, User
from parcauto.catalog.models import ParkingLot, PermitProduct, ProductGrant, UserCategory
from parcauto.catalog.selectors import product_list_for
from parcauto.enforcement.models import ClaimNotice, NoticeReason, NoticeTariff
from parcauto.payments.models import PadOriginator, PayrollEmployer
from parcauto.tenants.models import LegalText, Organization, OrganizationHost
from parcauto.tenants.scoping import every_institution
from parcauto.tenants.validators import contrast_ratio
from tests.scoping import unscoped

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _every_institution() -> Iterator[None]:
    # The demo fills every portal: these tests read what it made across them.
    with every_institution(reason="tests of the demo of every portal"):
        yield


DEMO_MODELS: list[type[models.Model]] = [
    Organization,
    OrganizationHost,
    LegalText,
    ParkingLot,
    UserCategory,
    PermitProduct,
    PermitProduct.lots.through,
    PermitProduct.categories.through,
    ProductGrant,
    User,
    EmailAddress,
    Profile,
    StaffRole,
    PadOriginator,
    PayrollEmployer,
    NoticeTariff,
    ClaimNotice,
]


@unscoped
def _load(**options) -> str:  # type: ignore[no-untyped-def]
    out = StringIO()
    call_command("load_demo_data", force=True, stdout=out, **options)
    return out.getvalue()


def _snapshot() -> dict[str, list[tuple]]:
    return {
        model._meta.label: sorted(model._base_manager.values_list())  # every column of every row
        for model in DEMO_MODELS
    }


def test_running_it_twice_changes_nothing_and_duplicates_nothing():
    _load()
    first = _snapshot()
    _load()
    assert _snapshot() == first
    assert {label: len(rows) for label, rows in first.items()} == {
        "tenants.Organization": 3,
        "tenants.OrganizationHost": 3,
        "tenants.LegalText": 12,
        "catalog.ParkingLot": 4,
        "catalog.UserCategory": 5,
        "catalog.PermitProduct": 6,
        "catalog.PermitProduct_lots": 7,
        "catalog.PermitProduct_categories": 9,  # 7117: employees only (guide 002)
        "catalog.ProductGrant": 0,
        "accounts.User": 5,
        "account.EmailAddress": 5,
        "accounts.Profile": 1,
        "accounts.StaffRole": 4,
        "payments.PadOriginator": 3,
        "payments.PayrollEmployer": 2,
        "enforcement.NoticeTariff": 18,
        "enforcement.ClaimNotice": 2,
    }


def test_it_refuses_to_run_with_debug_off_unless_forced(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("load_demo_data", stdout=StringIO())
    assert not Organization.objects.exists()
    assert not User.objects.exists()


def test_it_runs_without_force_in_debug(settings):
    settings.DEBUG = True
    call_command("load_demo_data", stdout=StringIO())
    assert Organization.objects.count() == 3


def test_the_portals_answer_on_slug_dot_base_domain(settings):
    settings.PARCAUTO_BASE_DOMAIN = "parcauto.test"
    output = _load(port=8000)
    hosts = dict(OrganizationHost.objects.values_list("organization__slug", "hostname"))
    assert hosts == {
        "cem": "cem.parcauto.test",
        "ciusse-chus": "ciusse-chus.parcauto.test",
        "cisso": "cisso.parcauto.test",
    }
    assert "http://cem.parcauto.test:8000/" in output
    assert OrganizationHost.objects.filter(is_primary=True).count() == 3


def test_the_institutions_carry_their_branding_taxes_and_texts():
    _load()
    for organization in Organization.objects.all():
        assert contrast_ratio(organization.primary_colour, "#ffffff") >= 4.5
        assert organization.gst_number.endswith("RT0001") and len(organization.gst_number) == 15
        assert organization.qst_number.endswith("TQ0001") and len(organization.qst_number) == 16
        assert organization.privacy_officer_email
        assert organization.service_centre_phone
        texts = LegalText.objects.filter(organization=organization, version=1)
        assert sorted(texts.values_list("kind", flat=True)) == [
            "pad_agreement",
            "payment_conditions",
            "privacy_policy",
            "subscription_conditions",
        ]
        assert all(text.body_fr and text.body_en for text in texts)
    payment = LegalText.objects.get(
        organization__slug="cisso", kind=LegalText.Kind.PAYMENT_CONDITIONS
    )
    assert "1,5 % par mois" in payment.body_fr
    assert "CISSS de l'Outaouais" in payment.body_fr


def test_the_chus_lot_category_and_episodic_permit_follow_the_guide():
    _load()
    lot = ParkingLot.objects.get(organization__slug="ciusse-chus", number="1085")
    assert lot.label == (
        "1085 - CIUSSS de l'Estrie - CHUS - 375 rue Argyll, J1J 3H5, Sherbrooke, QC"
    )
    assert lot.access_mode == ParkingLot.AccessMode.PLATE
    supervisor = UserCategory.objects.get(organization__slug="ciusse-chus")
    assert supervisor.name_fr == "Superviseur de stage"
    assert (
        supervisor.requires_school,
        supervisor.requires_internship_discipline,
        supervisor.requires_proof_document,
    ) == (True, True, True)
    product = PermitProduct.objects.get(organization__slug="ciusse-chus", number="5569")
    assert product.name_fr == "Permis G (général zone 1) - Superviseur de stage-épisodique"
    assert (product.kind, product.billing_frequency) == ("episodic", "monthly")
    assert product.price == Decimal("23.08")
    assert product.approval_required is True
    assert product.payment_methods == ["card", "pad"]
    assert list(product.lots.all()) == [lot]


def test_the_cisso_products_include_a_hidden_one_and_a_multisite_one():
    _load()
    cisso = Organization.objects.get(slug="cisso")
    products = {p.number: p for p in PermitProduct.objects.filter(organization=cisso)}
    assert sorted(products) == ["5432", "7116", "7117"]
    assert products["7116"].visibility == PermitProduct.Visibility.HIDDEN
    assert products["7116"].access_code
    assert products["7117"].visibility == PermitProduct.Visibility.PUBLIC
    assert products["7117"].accepts_payroll is True
    assert products["7117"].approval_required is True
    assert sorted(products["5432"].lots.values_list("number", flat=True)) == ["1461", "1534"]
    employee = UserCategory.objects.get(organization=cisso, name_fr="Employé du CISSSO")
    assert employee.requires_employee_number is True
    assert "résident" in employee.employee_number_help_fr
    # Guide 002: the employee permit is paid by payroll deduction only ("DAS").
    assert products["7117"].payment_methods_for(employee) == ["payroll"]


def test_the_hidden_cisso_product_shows_only_with_its_access_code():
    _load()
    cisso = Organization.objects.get(slug="cisso")
    hull = ParkingLot.objects.get(organization=cisso, number="1461")
    employee = UserCategory.objects.get(organization=cisso, name_fr="Employé du CISSSO")
    vip = PermitProduct.objects.get(organization=cisso, number="7116")

    def listed(code: str | None) -> list[str]:
        products = product_list_for(
            organization=cisso,
            lot=hull,
            category=employee,
            user=None,
            at=vip.created_at,
            access_code=code,
        )
        return [product.number for product in products]

    assert listed(None) == ["5432", "7117"]
    assert listed(vip.access_code) == ["5432", "7116", "7117"]


def test_the_cem_students_need_their_school_address_and_the_semester_permit_is_limited():
    _load()
    student = UserCategory.objects.get(organization__slug="cem", name_fr="Étudiant")
    assert student.email_domain == "cegepmontpetit.ca"
    assert student.payment_methods == ["card"]
    semester = PermitProduct.objects.get(
        organization__slug="cem", name_fr="Permis session hiver 2027"
    )
    assert semester.kind == PermitProduct.Kind.FIXED_TERM
    assert (semester.term_start.isoformat(), semester.term_end.isoformat()) == (
        "2027-01-15",
        "2027-05-31",
    )
    assert (semester.quantity, semester.approval_required) == (400, False)
    assert semester.payment_methods == ["card"]
    bundle = PermitProduct.objects.get(organization__slug="cem", name_fr="Forfait Occasionnel")
    assert (bundle.kind, bundle.quantity) == (PermitProduct.Kind.OCCASIONAL, None)


def test_the_demo_accounts_can_sign_in_with_the_printed_password():
    output = _load()
    customer = User.objects.get(email="demo@parcauto.localhost")
    assert customer.check_password("Demo-Parcauto-2026!")
    assert EmailAddress.objects.get(user=customer).verified is True
    assert customer.profile.full_name == "Camille Demers"
    assert not customer.staff_roles.exists()
    roles = set(StaffRole.objects.values_list("user__email", "role", "organization__slug"))
    assert roles == {
        ("admin@parcauto.localhost", "operator_admin", None),
        ("gestion.chus@parcauto.localhost", "manager", "ciusse-chus"),
        ("agent.cisso@parcauto.localhost", "agent", "cisso"),
        ("patrouille.chus@parcauto.localhost", "patrol", "ciusse-chus"),
    }
    for email, _, _ in roles:
        user = User.objects.get(email=email)
        assert user.check_password("Demo-Parcauto-2026!")
        assert user.is_staff is True
        assert user.is_superuser is False
        assert EmailAddress.objects.get(user=user).verified is True
        assert email in output
    assert "Demo-Parcauto-2026!" in output
    assert "authenticator app" in output


def test_a_changed_demo_password_is_put_back():
    _load()
    admin = User.objects.get(email="admin@parcauto.localhost")
    admin.set_password("Autre-chose-2026")
    admin.save()
    _load()
    admin.refresh_from_db()
    assert admin.check_password("Demo-Parcauto-2026!")


def test_units_taken_survive_a_reload():
    _load()
    PermitProduct.objects.filter(name_fr="Permis session hiver 2027").update(units_taken=12)
    _load()
    semester = PermitProduct.objects.get(name_fr="Permis session hiver 2027")
    assert semester.units_taken == 12


def test_every_institution_has_a_tariff_per_reason_and_chus_two_notices():
    _load()
    patrol = User.objects.get(email="patrouille.chus@parcauto.localhost")
    for organization in Organization.objects.all():
        reasons = set(
            NoticeTariff.objects.filter(organization=organization).values_list("reason", flat=True)
        )
        assert reasons == set(NoticeReason.values)
    notices = ClaimNotice.objects.order_by("plate")
    assert [(n.plate, n.organization.slug, n.agent) for n in notices] == [
        ("DEM0001", "ciusse-chus", patrol),
        ("DEM0002", "ciusse-chus", patrol),
    ]
    assert all(n.total == n.pre_tax + n.gst + n.qst and n.state == "issued" for n in notices)
