from __future__ import annotations

import threading

import pytest
from django.db import connections
from django_scopes import scope

from parcauto.catalog.errors import OtherOrganizationRows
from parcauto.catalog.models import PermitProduct
from parcauto.catalog.services import (
    product_set_offer,
    product_unit_release,
    product_unit_take,
)
from tests.factories import ParkingLotFactory, PermitProductFactory, UserCategoryFactory


@pytest.mark.django_db
def test_a_product_is_offered_on_its_own_institutions_lots_and_categories(
    organization, lot, category
):
    product = PermitProductFactory(organization=organization)
    product_set_offer(product=product, lots=[lot], categories=[category])
    assert list(product.lots.all()) == [lot]
    assert list(product.categories.all()) == [category]


@pytest.mark.django_db
def test_another_institutions_lot_or_category_is_refused_and_nothing_changes(
    organization, other_organization, lot, category
):
    product = PermitProductFactory(organization=organization, lots=[lot], categories=[category])
    foreign_lot = ParkingLotFactory(organization=other_organization, number="1461")
    foreign_category = UserCategoryFactory(organization=other_organization, name_fr="Résident")
    with pytest.raises(OtherOrganizationRows) as error:
        product_set_offer(product=product, lots=[lot, foreign_lot], categories=[foreign_category])
    assert error.value.code == "other_organization"
    assert error.value.labels == [str(foreign_lot), "Résident"]
    assert list(product.lots.all()) == [lot]
    assert list(product.categories.all()) == [category]


@pytest.mark.django_db
def test_units_are_taken_until_the_product_is_sold_out(organization):
    product = PermitProductFactory(organization=organization, quantity=2)
    assert product_unit_take(product=product) is True
    assert product_unit_take(product=product) is True
    assert product_unit_take(product=product) is False
    product.refresh_from_db()
    assert product.units_taken == 2


@pytest.mark.django_db
def test_an_unlimited_product_never_sells_out(organization):
    product = PermitProductFactory(organization=organization, quantity=None, units_taken=999)
    assert product_unit_take(product=product) is True
    product.refresh_from_db()
    assert product.units_taken == 1000


@pytest.mark.django_db
def test_a_released_unit_goes_back_on_sale_and_the_count_never_goes_negative(organization):
    product = PermitProductFactory(organization=organization, quantity=1, units_taken=1)
    assert product_unit_take(product=product) is False
    assert product_unit_release(product=product) is True
    assert product_unit_take(product=product) is True
    assert product_unit_release(product=product) is True
    assert product_unit_release(product=product) is False
    product.refresh_from_db()
    assert product.units_taken == 0


@pytest.mark.django_db(transaction=True)
def test_concurrent_buyers_cannot_oversell(organization):
    # Real threads, each with its own connection: PostgreSQL runs them in parallel,
    # SQLite queues them on its write lock; both must sell exactly the 5 units.
    product = PermitProductFactory(organization=organization, quantity=5)
    buyers = 20
    start = threading.Barrier(buyers)
    results: list[bool] = []
    lock = threading.Lock()

    def buy() -> None:
        try:
            start.wait()
            with scope(organization=organization):  # a new thread starts unscoped
                taken = product_unit_take(product=product)
            with lock:
                results.append(taken)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=buy) for _ in range(buyers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count(True) == 5
    assert results.count(False) == 15
    assert PermitProduct.objects.get(pk=product.pk).units_taken == 5
