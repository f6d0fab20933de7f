from __future__ import annotations

from dataclasses import asdict, dataclass

from django.db import transaction

from parcauto.audit.services import audit_log
from parcauto.core.tasks import enqueue_by_name
from parcauto.tenants.models import Organization

from .models import Profile, User

# The holder's name is on their access cards (`access` sits above: queued by name).
_ACCESS_SYNC_PERSON_TASK = "parcauto.access.tasks.access_sync_person"


@dataclass(frozen=True, kw_only=True)
class ProfileData:
    """Normalised personal information (postal code `H2X 1Y4`, phones in E.164)."""

    gender: str
    first_name: str
    last_name: str
    address_line1: str
    apartment: str
    address_line2: str
    city: str
    province: str
    postal_code: str
    mobile_phone: str
    home_phone: str
    home_phone_ext: str
    work_phone: str
    work_phone_ext: str


def profile_save(
    *, user: User, data: ProfileData, language: str, organization: Organization | None
) -> Profile:
    """Create or update the person's profile; the audit records which fields changed."""
    with transaction.atomic():
        profile = Profile.objects.select_for_update().filter(user=user).first()
        values = asdict(data)
        if profile is None:
            profile = Profile.objects.create(user=user, **values)
            action, changed = "profile.created", sorted(values)
        else:
            changed = sorted(k for k, v in values.items() if getattr(profile, k) != v)
            for key, value in values.items():
                setattr(profile, key, value)
            profile.save()
            action = "profile.updated"
        user_fields = {"first_name": data.first_name, "last_name": data.last_name}
        if user.language != language:
            user_fields["language"] = language
            changed.append("language")
        for key, value in user_fields.items():
            setattr(user, key, value)
        user.save(update_fields=list(user_fields))
        if changed:
            # Field names only: the audit trail must not become a copy of personal data.
            audit_log(
                action=action,
                actor=user,
                organization=organization,
                target=profile,
                data={"fields": changed},
            )
        if action == "profile.updated" and {"first_name", "last_name"} & set(changed):
            enqueue_by_name(_ACCESS_SYNC_PERSON_TASK, person_id=user.pk)
    return profile
