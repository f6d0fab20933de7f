"""Who is staff, and what each staff role may do in the back office.

Permissions derive from `StaffRole` rows only, never from Django's per-model permission
tables (groups, user permissions) nor from the `is_staff` flag: a role is granted per
institution, and one query tells everything a person may do.

| data                                         | operator admin | manager of X        | agent of X |
|----------------------------------------------|----------------|---------------------|------------|
| back office (`/admin/`, root host only)      | yes            | yes                 | yes        |
| patrol pages (`/gestion/patrouille/`): check | yes            | yes                 | -          |
| plates in X's lots, X's plate checks         |                |                     |            |
| institution X: its record                    | add, change,   | view; change        | view       |
|                                              | delete         | branding and texts  |            |
| institution X: slug, tax numbers, active     | change         | view                | view       |
| institution X: host names                    | add, change,   | view                | view       |
|                                              | delete         |                     |            |
| catalog and legal texts of X; PAD originator | add, change,   | add, change, delete | view       |
| and payroll employer of X                    | delete         |                     |            |
| subscription requests of X (`/gestion/`),    | view +         | view +              | view +     |
| with the requester's profile, vehicles,      | approve/refuse | approve/refuse      | approve/   |
| consents and files                           |                |                     | refuse     |
| subscriptions of X in `/admin/`, with their  | view           | view                | view       |
| consents and the names of their files        |                |                     |            |
| payment methods of X (masked), payment       | view           | view                | view       |
| attempts and collection files of X (list)    |                |                     |            |
| access passes and grants of X (no token)     | view           | view                | view       |
| files with whole account numbers (cheque     | download       | download            | -          |
| specimens, CPA-005 and payroll files of X)   |                |                     |            |
| audit events of X, except a person's own     | view           | view                | -          |
| (account, profile, vehicles, drafts)         |                |                     |            |
| claim notices of X and their photos (with    | view, cancel   | view, cancel        | view       |
| the location), plate checks, notice CSV and  |                |                     |            |
| charts (`/gestion/avis/`)                    |                |                     |            |
| notice tariffs of X (amount per reason)      | add, change,   | add, change, delete | view       |
|                                              | delete         |                     |            |
| privacy settings of X (retention periods)    | add, change,   | add, change, delete | view       |
|                                              | delete         |                     |            |
| register of confidentiality incidents of X,  | view, add,     | view, add, change   | -          |
| retention dry run of X (`/gestion/`)         | change, delete |                     |            |
| outbound e-mails (any institution or none;   | view           | -                   | -          |
| personal links stored redacted)              |                |                     |            |
| rows of no institution (e.g. global audit)   | view           | -                   | -          |
| people, profiles, staff roles, e-mail        | add, change,   | -                   | -          |
| addresses, authenticators (never a secret)   | delete         |                     |            |
| vehicles, task results                       | view           | -                   | -          |

- Patrol agent of X: the patrol pages of X's lots and nothing else of the back office
  (no request, contract, billing or `/admin/` page; the lots, checks and notices of
  another institution do not exist for them). A check shows the contract number a
  plate's permit belongs to, never the holder's name: confirming a plate needs no more.
  Managers of X patrol too (a small institution has no patrol team); service-centre
  agents do not. A patrol role may name some of X's lots (`StaffRole.lots`): its agent
  then checks plates and issues notices in those lots only, and the checks and notices
  of X's other lots do not exist for them (`StaffAccess.patrol_lot_ids`). Managers and
  operator admins patrol every lot.
- Operator admin: a superuser, or a `StaffRole` `operator_admin` (no institution): every
  institution, every model.
- "Of X" is exact: a manager of X is a stranger to Y. One person may hold different roles
  for different institutions; each object is judged by the role held for its own
  institution, so a manager of X who is an agent of Y may change X's catalog, only view
  Y's, and never move an object from X to Y.
- Audit events and outbound e-mails are records of what happened: nobody edits them.
- People (User, Profile) are one identity across every portal, not rows of an
  institution: only operator admins list or change them in `/admin/`. The staff of X see
  a person's profile, vehicles and files only inside a request that person sent to X
  (the request pages under `/gestion/`), never a list of people (least privilege, Law 25).
  For the same reason, the e-mails and audit events of a person's account are filed
  under no institution, and the outbox is the operator's alone: no staff member of an
  institution ever reads a message carrying a sign-in, validation or reset link, and
  nobody at all reads its link (`notifications.sealing`).
- Agents work in the request pages; the raw audit trail and the files that hold whole
  bank account numbers are for the managers who answer for their institution.
- Deciding on requests (approve, refuse) belongs to the service centre: agents decide
  like managers, as in SPAQ's practice where the service centre processes the requests.
  Decisions go through `sales.services`, which audits each one.
- Claim notices: the institution's managers and agents see them all (the service centre
  answers drivers about them); cancelling one writes a claim off, a money decision, so
  it is the managers' alone, as refunds are (a contested notice is decided in the
  service centre, with the contest). Patrol agents have none of the `/gestion/avis/`
  pages: they see the notices they issued themselves, on their patrol pages.
- Every staff member (any role, or the `is_staff`/`is_superuser` flags) must use an
  authenticator app (`StaffMfaRequiredMiddleware`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from parcauto.tenants.models import Organization

from .models import StaffRole, User

if TYPE_CHECKING:  # catalog sits above accounts: its lots are only named here
    from parcauto.catalog.models import ParkingLot


@dataclass(frozen=True, kw_only=True)
class StaffAccess:
    """What one person may do, read once from their staff roles."""

    operator_admin: bool = False
    managed: frozenset[int] = frozenset()  # institution ids with the manager role
    assisted: frozenset[int] = frozenset()  # institution ids with the agent role
    patrolled: frozenset[int] = frozenset()  # institution ids with the patrol role
    # (institution id, lot id) for each lot a patrol role names; an institution of
    # `patrolled` absent here is patrolled in every lot.
    patrol_lots: frozenset[tuple[int, int]] = frozenset()

    @property
    def visible(self) -> frozenset[int]:
        return self.managed | self.assisted

    @property
    def is_staff(self) -> bool:
        """May enter the back office at all (patrol agents: their patrol pages only)."""
        return self.operator_admin or bool(self.visible) or bool(self.patrolled)

    @property
    def works_in_office(self) -> bool:
        """May use the back office beyond patrol (requests, billing, `/admin/`...)."""
        return self.operator_admin or bool(self.visible)

    @property
    def in_scope(self) -> frozenset[int]:
        """The institutions whose rows a back-office request may reach (besides an
        operator admin's, which are all)."""
        return self.visible | self.patrolled

    @property
    def may_patrol_somewhere(self) -> bool:
        return self.operator_admin or bool(self.managed | self.patrolled)

    def patrol_organizations(self) -> QuerySet[Organization]:
        """Where this person checks plates (and issues notices): managers and patrol agents."""
        if self.operator_admin:
            return Organization.objects.all()
        return Organization.objects.filter(pk__in=self.managed | self.patrolled)

    @property
    def may_edit_somewhere(self) -> bool:
        return self.operator_admin or bool(self.managed)

    def may_view(self, organization_id: int | None) -> bool:
        """Rows of no institution are the operator's alone."""
        return self.operator_admin or (
            organization_id is not None and organization_id in self.visible
        )

    def may_edit(self, organization_id: int | None) -> bool:
        return self.operator_admin or (
            organization_id is not None and organization_id in self.managed
        )

    def may_decide(self, organization_id: int | None) -> bool:
        """Approve or refuse the subscription requests of this institution."""
        return self.operator_admin or (
            organization_id is not None and organization_id in self.visible
        )

    def may_patrol(self, organization_id: int | None) -> bool:
        """Check plates and issue claim notices in this institution's lots."""
        return self.operator_admin or (
            organization_id is not None and organization_id in self.managed | self.patrolled
        )

    def patrol_lot_ids(self, organization_id: int) -> frozenset[int] | None:
        """The lots of this institution this person is limited to on patrol, or None for
        every lot (ask `may_patrol` first: None does not say they patrol there at all).

        Only a patrol role is limited: managing the institution, or administering them
        all, opens every lot, whatever a patrol role of the same person names.
        """
        if self.operator_admin or organization_id in self.managed:
            return None
        named = frozenset(lot for org, lot in self.patrol_lots if org == organization_id)
        return named or None

    def may_patrol_lot(self, lot: ParkingLot) -> bool:
        """Check plates and issue claim notices in this lot."""
        if not self.may_patrol(lot.organization_id):
            return False
        limited = self.patrol_lot_ids(lot.organization_id)
        return limited is None or lot.pk in limited

    def patrolled_rows(self, lot_field: str = "lot") -> Q:
        """The rows (lots, plate checks, notices) of the lots this person patrols, for a
        query that also narrows them to `patrol_organizations`: `lot_field` is the lookup
        of the row's lot id ("pk" for lots themselves)."""
        if self.operator_admin:
            return Q()
        limited = {org: self.patrol_lot_ids(org) for org in self.managed | self.patrolled}
        condition = Q(organization_id__in=[org for org, lots in limited.items() if lots is None])
        for org, lots in limited.items():
            if lots is not None:
                condition |= Q(organization_id=org, **{f"{lot_field}__in": sorted(lots)})
        return condition

    def visible_organizations(self) -> QuerySet[Organization]:
        if self.operator_admin:
            return Organization.objects.all()
        return Organization.objects.filter(pk__in=self.visible)

    def editable_organizations(self) -> QuerySet[Organization]:
        if self.operator_admin:
            return Organization.objects.all()
        return Organization.objects.filter(pk__in=self.managed)


NO_ACCESS = StaffAccess()


def staff_role_lots_check(
    *, role: str, organization_id: int | None, lots: Iterable[ParkingLot]
) -> None:
    """Only a patrol role names lots, and only lots of its own institution; raises
    ValidationError otherwise (the admin's forms show it on the lots)."""
    lots = list(lots)
    if not lots:
        return
    if role != StaffRole.Role.PATROL:
        raise ValidationError(
            _("Only a patrol agent's role names parking lots: leave them empty for this role."),
            code="lots_not_patrol",
        )
    strangers = [lot for lot in lots if lot.organization_id != organization_id]
    if strangers:
        raise ValidationError(
            _("Choose lots of this role's institution only, not %(lots)s."),
            code="lots_of_another_institution",
            params={"lots": ", ".join(str(lot) for lot in strangers)},
        )


def staff_access(user: User | AnonymousUser) -> StaffAccess:
    if not user.is_authenticated or not user.is_active:
        return NO_ACCESS
    operator_admin = user.is_superuser
    managed: set[int] = set()
    assisted: set[int] = set()
    patrolled: set[int] = set()
    patrol_lots: set[tuple[int, int]] = set()
    # One row per lot a role names (one with None for a role that names none).
    for role, organization_id, lot_id in StaffRole.objects.filter(user=user).values_list(
        "role", "organization_id", "lots"
    ):
        if role == StaffRole.Role.PATROL and lot_id is not None:
            patrol_lots.add((organization_id, lot_id))
        if role == StaffRole.Role.OPERATOR_ADMIN:
            operator_admin = True
        elif role == StaffRole.Role.MANAGER:
            managed.add(organization_id)
        elif role == StaffRole.Role.AGENT:
            assisted.add(organization_id)
        elif role == StaffRole.Role.PATROL:
            patrolled.add(organization_id)
    return StaffAccess(
        operator_admin=operator_admin,
        managed=frozenset(managed),
        assisted=frozenset(assisted),
        patrolled=frozenset(patrolled),
        patrol_lots=frozenset(patrol_lots),
    )


def is_operator_admin(user: User | AnonymousUser) -> bool:
    if not user.is_authenticated:
        return False
    return (
        user.is_superuser
        or StaffRole.objects.filter(user=user, role=StaffRole.Role.OPERATOR_ADMIN).exists()
    )


def is_staff_member(user: User | AnonymousUser) -> bool:
    """Anyone with a privilege of any kind: they must use a second factor."""
    if not user.is_authenticated:
        return False
    return user.is_staff or user.is_superuser or StaffRole.objects.filter(user=user).exists()


def organizations_visible_to(user: User | AnonymousUser) -> QuerySet[Organization]:
    """Institutions whose data this staff member may see (all of them for operator admins)."""
    return staff_access(user).visible_organizations()


def organizations_editable_by(user: User | AnonymousUser) -> QuerySet[Organization]:
    """Institutions whose catalog and texts this staff member may change."""
    return staff_access(user).editable_organizations()


def staff_roles_for(user: User, organization: Organization) -> set[str]:
    roles = StaffRole.objects.filter(user=user, organization=organization).values_list(
        "role", flat=True
    )
    return set(roles) | ({StaffRole.Role.OPERATOR_ADMIN} if is_operator_admin(user) else set())
