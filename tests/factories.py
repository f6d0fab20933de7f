"""Test data builders, one per model, with realistic Quebec defaults."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import factory
from allauth.account.models import EmailAddress

from parcauto.accounts.models import Profile, User
from parcauto.catalog.models import ParkingLot, PermitProduct, ProductGrant, UserCategory
from parcauto.tenants.models import Organization, OrganizationHost
from tests.scoping import within


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization
        django_get_or_create = ("slug",)
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"org{n}")
    name_fr = factory.LazyAttribute(lambda o: f"Établissement {o.slug}")
    name_en = factory.LazyAttribute(lambda o: f"Institution {o.slug}")

    @factory.post_generation
    def hostname(self, create: bool, extracted: str | None, **kwargs: Any) -> None:
        OrganizationHost.objects.get_or_create(
            hostname=extracted or f"{self.slug}.testserver",
            defaults={"organization": self, "is_primary": True},
        )


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    password = factory.django.Password("Stationnement-2026")

    @factory.post_generation
    def verified(self, create: bool, extracted: bool | None, **kwargs: Any) -> None:
        EmailAddress.objects.create(
            user=self, email=self.email, primary=True, verified=extracted is not False
        )


class ProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Profile

    user = factory.SubFactory(UserFactory)
    gender = "woman"
    first_name = "Marie"
    last_name = "Tremblay"
    address_line1 = "375 rue Argyll"
    city = "Sherbrooke"
    province = "QC"
    postal_code = "J1J 3H5"
    mobile_phone = "+18195551234"


# --- catalog -----------------------------------------------------------------------------


class ParkingLotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ParkingLot

    organization = factory.SubFactory(OrganizationFactory)
    number = factory.Sequence(lambda n: str(1000 + n))
    name = "CIUSSS de l'Estrie - CHUS"
    address_line = "375 rue Argyll"
    city = "Sherbrooke"
    postal_code = "J1J 3H5"
    access_mode = ParkingLot.AccessMode.PLATE
    capacity = 850


class UserCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UserCategory

    organization = factory.SubFactory(OrganizationFactory)
    name_fr = factory.Sequence(lambda n: f"Catégorie {n}")
    name_en = factory.Sequence(lambda n: f"Category {n}")


class PermitProductFactory(factory.django.DjangoModelFactory):
    """A public monthly permit; pass lots=[...] and categories=[...] to offer it."""

    class Meta:
        model = PermitProduct
        skip_postgeneration_save = True

    organization = factory.SubFactory(OrganizationFactory)
    number = factory.Sequence(lambda n: str(5000 + n))
    name_fr = factory.Sequence(lambda n: f"Permis {n}")
    name_en = factory.Sequence(lambda n: f"Permit {n}")
    kind = PermitProduct.Kind.MONTHLY
    billing_frequency = PermitProduct.Billing.MONTHLY
    price = Decimal("23.08")

    # Related rows are set as the product's institution, whichever scope the test is in.
    @factory.post_generation
    def lots(self, create: bool, extracted: list[ParkingLot] | None, **kwargs: Any) -> None:
        if create and extracted:
            with within(self.organization):
                self.lots.set(extracted)

    @factory.post_generation
    def categories(self, create: bool, extracted: list[UserCategory] | None, **kwargs: Any) -> None:
        if create and extracted:
            with within(self.organization):
                self.categories.set(extracted)


class ProductGrantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductGrant

    product = factory.SubFactory(PermitProductFactory, visibility=PermitProduct.Visibility.HIDDEN)
    organization = factory.LazyAttribute(lambda grant: grant.product.organization)
    user = factory.SubFactory(UserFactory)
    reason = "Cadre du CISSSO"


# --- vehicles ----------------------------------------------------------------------------


def _plate_match_key(vehicle: Any) -> str:
    from parcauto.vehicles.normalizers import plate_match_key

    return plate_match_key(vehicle.plate)


class VehicleFactory(factory.django.DjangoModelFactory):
    """A registered vehicle, without history: use vehicles.services to test the delay."""

    class Meta:
        model = "vehicles.Vehicle"

    owner = factory.SubFactory(UserFactory)
    plate = factory.Sequence(lambda n: f"FAB{n:03d}")
    plate_match_key = factory.LazyAttribute(_plate_match_key)
    jurisdiction = "QC"
    make = "Toyota"
    model = "Corolla"
    year = 2020
    colour = "Gris"
