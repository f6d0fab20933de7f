"""Catalog use cases: what a product offers, and its units on sale."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import F

from parcauto.tenants.models import Organization

from .errors import OtherOrganizationRows
from .models import ParkingLot, PermitProduct, UserCategory


def rows_of_other_organizations(
    *,
    organization: Organization,
    lots: Iterable[ParkingLot] = (),
    categories: Iterable[UserCategory] = (),
) -> list[str]:
    """Labels of the lots and categories that do not belong to `organization`.

    Many-to-many choices cannot be checked in Model.clean(): the admin form and
    product_set_offer both ask this before saving them.
    """
    rows: list[ParkingLot | UserCategory] = [*lots, *categories]
    return [str(row) for row in rows if row.organization_id != organization.pk]


@transaction.atomic
def product_set_offer(
    *,
    product: PermitProduct,
    lots: Iterable[ParkingLot],
    categories: Iterable[UserCategory],
) -> None:
    """Where a product is valid and who may buy it; only rows of its own institution."""
    lots, categories = list(lots), list(categories)
    foreign = rows_of_other_organizations(
        organization=product.organization, lots=lots, categories=categories
    )
    if foreign:
        raise OtherOrganizationRows(labels=foreign)
    product.lots.set(lots)
    product.categories.set(categories)


def product_unit_take(*, product: PermitProduct) -> bool:
    """Take one unit on sale: True if it is yours, False if the product is sold out.

    One conditional UPDATE, so concurrent buyers cannot oversell on either database.
    Call it inside the transaction that creates the request holding the unit.
    """
    with connection.cursor() as cursor:
        cursor.execute(_UNIT_TAKE, [product.organization_id, product.pk])
        return cursor.rowcount == 1


# The hottest statement of an opening-day rush, so written by hand: the ORM's UPDATE with
# F() and Q() costs ~0.4 ms of CPU to build, many times what PostgreSQL needs to run it.
_UNIT_TAKE = f"""
    UPDATE {PermitProduct._meta.db_table} SET units_taken = units_taken + 1
    WHERE organization_id = %s AND id = %s AND (quantity IS NULL OR units_taken < quantity)
"""  # noqa: S608 - the table's name only


def product_unit_release(*, product: PermitProduct) -> bool:
    """Give one unit back (refused, cancelled or expired request)."""
    released = PermitProduct.objects.filter(
        organization_id=product.organization_id, pk=product.pk, units_taken__gt=0
    ).update(units_taken=F("units_taken") - 1)
    return released == 1
