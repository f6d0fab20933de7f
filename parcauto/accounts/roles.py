"""Who is staff, and for which institutions."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from parcauto.tenants.models import Organization

from .models import StaffRole, User


def is_operator_admin(user: User | AnonymousUser) -> bool:
    if not user.is_authenticated:
        return False
    return (
        user.is_superuser
        or StaffRole.objects.filter(user=user, role=StaffRole.Role.OPERATOR_ADMIN).exists()
    )


def is_staff_member(user: User | AnonymousUser) -> bool:
    if not user.is_authenticated:
        return False
    return user.is_staff or user.is_superuser or StaffRole.objects.filter(user=user).exists()


def organizations_managed_by(user: User | AnonymousUser) -> QuerySet[Organization]:
    """Institutions whose data this staff member may see (all of them for operator admins)."""
    if is_operator_admin(user):
        return Organization.objects.all()
    if not user.is_authenticated:
        return Organization.objects.none()
    return Organization.objects.filter(staff_roles__user=user).distinct()


def staff_roles_for(user: User, organization: Organization) -> set[str]:
    roles = StaffRole.objects.filter(user=user, organization=organization).values_list(
        "role", flat=True
    )
    return set(roles) | ({StaffRole.Role.OPERATOR_ADMIN} if is_operator_admin(user) else set())
