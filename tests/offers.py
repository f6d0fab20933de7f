"""The offer most tests sell: guide 001's internship supervisors' permit.

Lot 1085, the category "Superviseur de stage" (school and discipline asked, a proof
document unless said otherwise), the episodic permit 5569 on that lot for that category.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from parcauto.catalog.models import ParkingLot, PermitProduct, UserCategory
from parcauto.tenants.models import Organization
from tests.factories import ParkingLotFactory, PermitProductFactory, UserCategoryFactory
from tests.scoping import within_its_institution


class Offer(NamedTuple):
    lot: ParkingLot
    category: UserCategory
    product: PermitProduct

    @property
    def organization(self) -> Organization:
        return self.product.organization


@within_its_institution
def supervisor_offer(
    organization: Organization,
    *,
    lot_number: str = "1085",
    product_number: str = "5569",
    category_name: str = "Superviseur de stage",
    proof_document: bool = True,
    **product_fields: Any,
) -> Offer:
    """The offer, with `product_fields` set on the permit (name, price, quantity...)."""
    lot = ParkingLotFactory(organization=organization, number=lot_number)
    category = UserCategoryFactory(
        organization=organization,
        name_fr=category_name,
        requires_school=True,
        requires_internship_discipline=True,
        requires_proof_document=proof_document,
    )
    product = PermitProductFactory(
        organization=organization,
        number=product_number,
        kind=PermitProduct.Kind.EPISODIC,
        lots=[lot],
        categories=[category],
        **product_fields,
    )
    return Offer(lot, category, product)
