"""Test data builders, one per model, with realistic Quebec defaults."""

from __future__ import annotations

from typing import Any

import factory
from allauth.account.models import EmailAddress

from parcauto.accounts.models import Profile, User
from parcauto.tenants.models import Organization, OrganizationHost


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
