"""The request wizard given values no browser sends: a page or a clear error, never a 500.

Each case answered 500 before: `"²".isdigit()` is true and `int("²")` raises, a 23-digit
id overflows SQLite in a `pk__in`, and an episodic permit could end in year 9999.
"""

from __future__ import annotations

import datetime as dt

import pytest

from parcauto.subscriptions.models import Subscription
from parcauto.vehicles.models import Vehicle
from tests.factories import VehicleFactory
from tests.pages import NBSP, page, text
from tests.portal import test_subscription_wizard as wizard
from tests.portal.test_subscription_wizard import (
    ADD_VEHICLE,
    NEW,
    PAYMENT,
    VEHICLE,
    VEHICLES,
    choose_data,
    draft_of,
    to_payment,
)

chus, john = wizard.chus, wizard.john
NOW = wizard.NOW  # the frozen_now fixture stops the clock there

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

NOT_IDS = ["²", "①", "\u0663", "\uff14\uff12", "1" * 23, "9223372036854775808", "-1", "0", "a\x00b"]


def _checked_product(response) -> list[str]:
    return [
        tag
        for tag in page(response).split("<input")
        if 'name="product"' in tag and "checked" in tag.split(">")[0]
    ]


@pytest.mark.parametrize("name", ["lot", "category", "product"])
@pytest.mark.parametrize("value", NOT_IDS)
def test_a_link_prefilling_step_1_with_no_id_is_ignored(portal_client, chus, john, name, value):
    response = portal_client.get(NEW, {name: value})
    assert response.status_code == 200
    assert "Étape 1 de 5" in text(response)
    assert _checked_product(response) == []


def test_a_link_prefilling_step_1_with_an_id_still_works(portal_client, chus, john):
    response = portal_client.get(NEW, {"product": str(chus["product"].pk)})
    assert len(_checked_product(response)) == 1


@pytest.mark.parametrize("value", NOT_IDS)
def test_step_1_posted_with_no_id_says_what_to_choose(portal_client, chus, john, value):
    response = portal_client.post(NEW, choose_data(chus, lot=value, product=value))
    assert response.status_code == 200
    assert draft_of(john) is None


@pytest.fixture
def at_vehicles(portal_client, chus, john) -> Subscription:
    assert portal_client.post(NEW, choose_data(chus)).status_code == 302
    draft = draft_of(john)
    assert draft is not None
    return draft


@pytest.mark.parametrize("value", NOT_IDS)
def test_a_link_ticking_no_vehicle_id_is_ignored(portal_client, at_vehicles, john, value):
    own = VehicleFactory(owner=john)
    response = portal_client.get(VEHICLES, {"vehicule": [value, str(own.pk)]})
    assert response.status_code == 200
    assert f'value="{own.pk}"' in page(response)


@pytest.mark.parametrize("value", NOT_IDS)
def test_a_ticked_box_that_is_no_vehicle_id_is_refused(portal_client, at_vehicles, john, value):
    own = VehicleFactory(owner=john)
    response = portal_client.post(VEHICLES, {"vehicles": [str(own.pk), value]})
    assert response.status_code == 200
    assert "Choisissez parmi vos propres véhicules." in text(response)
    assert list(at_vehicles.vehicles.all()) == []


@pytest.mark.parametrize("value", NOT_IDS)
def test_adding_a_vehicle_keeps_only_the_ticks_that_are_ids(
    portal_client, at_vehicles, john, value
):
    own = VehicleFactory(owner=john, plate="XYZ789")
    response = portal_client.post(ADD_VEHICLE, {**VEHICLE, "vehicles": [value, str(own.pk)]})
    assert response.status_code == 302
    added = Vehicle.objects.filter(owner=john).latest("pk")
    assert response.url == f"{VEHICLES}?vehicule={own.pk}&vehicule={added.pk}"


@pytest.mark.parametrize("value", NOT_IDS)
def test_a_payment_for_a_request_that_is_no_id_goes_back_to_the_step(
    portal_client, chus, john, value
):
    draft = to_payment(portal_client, chus, john)
    response = portal_client.post(PAYMENT, {"request": value, "payment_method": "card"})
    assert response.status_code == 302
    assert response.url == PAYMENT
    draft.refresh_from_db()
    assert draft.status == Subscription.Status.DRAFT


# --- dates ---------------------------------------------------------------------------------


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "2026-02-30", "99999-01-01"])
def test_an_episodic_end_date_out_of_any_calendar_is_refused(portal_client, chus, john, day):
    response = portal_client.post(NEW, choose_data(chus, end_date=day))
    assert response.status_code == 200
    assert draft_of(john) is None


def test_an_end_date_in_year_9999_says_which_dates_are_possible(portal_client, chus, john):
    response = portal_client.post(NEW, choose_data(chus, end_date="9999-12-31"))
    assert "Entrez une date entre le 1er janvier 2000 et le 31 décembre 2100." in text(response)


def test_an_episodic_permit_ends_within_the_products_maximum_term(portal_client, chus, john):
    chus["product"].max_term_days = 120
    chus["product"].save()
    start = dt.date(2026, 6, 15)
    too_late = start + dt.timedelta(days=120)
    response = portal_client.post(NEW, choose_data(chus, end_date=too_late.isoformat()))
    assert response.status_code == 200
    assert (
        f"Ce permis dure au plus 120 jours{NBSP}: choisissez une date de fin au plus tard "
        "le 12 octobre 2026."
    ) in text(response)
    assert draft_of(john) is None

    last = start + dt.timedelta(days=119)
    response = portal_client.post(NEW, choose_data(chus, end_date=last.isoformat()))
    assert response.status_code == 302
    draft = draft_of(john)
    assert draft is not None
    assert (draft.start_date, draft.end_date) == (start, last)
