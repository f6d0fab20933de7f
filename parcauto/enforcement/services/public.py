"""What the public payment page may find and show of a notice.

A notice is found by its number *and* its plate, never by one alone, and a wrong pair
answers the same whichever half is wrong: a number read on a windshield must not open
someone's photos. The photos it shows are re-encoded without any metadata (EXIF
location and time stay with staff), whatever was stored.
"""

from __future__ import annotations

import io

from django.core.exceptions import ValidationError
from PIL import Image, ImageOps

from parcauto.tenants.models import Organization
from parcauto.vehicles.normalizers import normalize_plate, plate_match_key

from ..models import ClaimNotice, NoticePhoto
from .numbers import notice_number_clean

PUBLIC_STATES = (
    ClaimNotice.State.ISSUED,
    ClaimNotice.State.PAID,
    ClaimNotice.State.CONTESTED,
    ClaimNotice.State.CANCELLED,
    ClaimNotice.State.COLLECTION,
)
# A phone's screen at most: the public copy is for looking, not for evidence.
PUBLIC_PHOTO_MAX = 1600


def notice_lookup(*, organization: Organization, number: str, plate: str) -> ClaimNotice | None:
    """The institution's notice with this number and plate, or None (say nothing more)."""
    cleaned = notice_number_clean(number)
    if cleaned is None:
        return None
    notice = (
        ClaimNotice.objects.filter(organization=organization, number=cleaned)
        .select_related("lot")
        .first()
    )
    if notice is None or not plate_matches(notice, plate):
        return None
    return notice


def plate_matches(notice: ClaimNotice, typed: str) -> bool:
    """The plate as the owner types it against the agent's: look-alike characters (0/O,
    8/B...) count as the same, since either may have misread the other."""
    try:
        plate = normalize_plate(typed, jurisdiction=notice.jurisdiction or None)
    except ValidationError:
        return False
    return plate_match_key(plate) == plate_match_key(notice.plate)


def photo_public_bytes(photo: NoticePhoto) -> tuple[bytes, str]:
    """The photo as the public sees it: upright, bounded, re-encoded with no metadata."""
    with photo.image.open("rb") as stored, Image.open(stored) as image:
        upright = ImageOps.exif_transpose(image)
        upright.thumbnail((PUBLIC_PHOTO_MAX, PUBLIC_PHOTO_MAX))
        out = io.BytesIO()
        if upright.mode not in ("RGB", "L"):
            upright = upright.convert("RGB")
        # A fresh encode carries no EXIF, XMP nor ICC text unless asked: none is.
        upright.save(out, format="JPEG", quality=85)
    return out.getvalue(), "image/jpeg"
