"""Reads of the catalog, always narrowed to one institution."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from parcauto.accounts.models import User
from parcauto.core.clock import local_today
from parcauto.tenants.models import Organization

from .errors import EmailDomainNotAllowed
from .models import ParkingLot, PermitProduct, ProductGrant, UserCategory


def lot_list_for_portal(*, organization: Organization) -> QuerySet[ParkingLot]:
    return ParkingLot.objects.filter(organization=organization, is_active=True).order_by("number")


def category_list(*, organization: Organization) -> QuerySet[UserCategory]:
    return UserCategory.objects.filter(organization=organization, is_active=True).order_by(
        "sort_order", "name_fr"
    )


def on_sale_filter(at: dt.datetime) -> Q:
    """PermitProduct.is_on_sale in SQL: active, inside the sales window, term not over."""
    return (
        Q(is_active=True)
        & (Q(sales_start__isnull=True) | Q(sales_start__lte=at))
        & (Q(sales_end__isnull=True) | Q(sales_end__gt=at))
        & (Q(term_end__isnull=True) | Q(term_end__gte=local_today(at)))
    )


def product_list_for(
    *,
    organization: Organization,
    lot: ParkingLot,
    category: UserCategory,
    user: User | AnonymousUser | None,
    at: dt.datetime,
    access_code: str | None = None,
) -> QuerySet[PermitProduct]:
    """Products a person may pick for `lot` and `category` at `at`.

    Public products, plus hidden ones granted to the person or unlocked by their access
    code. Sold-out products stay in the list (the waiting list starts from them).
    """
    if (
        lot.organization_id != organization.pk
        or category.organization_id != organization.pk
        or not lot.is_active
        or not category.is_active
    ):
        return PermitProduct.objects.none()
    visible = Q(visibility=PermitProduct.Visibility.PUBLIC)
    if user is not None and user.is_authenticated:
        granted = ProductGrant.objects.filter(organization=organization, user=user)
        visible |= Q(pk__in=granted.values("product_id"))
    code = (access_code or "").strip()
    if code:
        visible |= Q(visibility=PermitProduct.Visibility.HIDDEN, access_code__iexact=code)
    return (
        PermitProduct.objects.filter(organization=organization, lots=lot, categories=category)
        .filter(on_sale_filter(at))
        .filter(visible)
        .prefetch_related("lots")
        .order_by("number")
    )


def category_email_domain_rules(*, organization: Organization) -> list[tuple[str, str]]:
    """(category name in the active language, required domain), for the sign-up notice."""
    categories = category_list(organization=organization).exclude(email_domain="")
    return [(category.name, category.email_domain) for category in categories]


def category_check_email(*, category: UserCategory, email: str) -> None:
    """Refuse an address outside the category's domain (exact domain, any case)."""
    if not category.email_domain:
        return
    domain = email.rsplit("@", 1)[-1].strip().lower() if "@" in email else ""
    if domain != category.email_domain.lower():
        raise EmailDomainNotAllowed(category_name=category.name, domain=category.email_domain)
