"""The photos of a notice: judged by their bytes, re-encoded small, their EXIF read then
dropped.

A phone's photo carries where and when it was taken (EXIF GPS and time): useful to staff
deciding on a contest, never to be handed to whoever types a notice number. So the
location and time are copied into the row (staff-only fields) and the stored JPEG is a
fresh encoding of the pixels alone: no EXIF, no thumbnail, no maker notes, the
orientation applied. Photos are prepared before the issuing transaction (Pillow's work
holds no lock) and saved inside it.
"""

from __future__ import annotations

import datetime as dt
import io
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

from parcauto.core.clock import LOCAL_TZ
from parcauto.core.uploads import UploadRefused, megabytes, upload_check

from ..errors import PhotoRefused
from ..models import ClaimNotice, NoticePhoto

# A phone's full-size photo is 3 to 12 MB; more is not a photo taken on patrol.
PHOTO_MAX_BYTES = 20 * 1024 * 1024
# Enough to read a plate and a permit through a windshield, small enough to send.
PHOTO_MAX_SIDE = 1600
JPEG_QUALITY = 82
# Pillow refuses decompression bombs itself past twice its limit; refuse well before.
PIXELS_MAX = 60_000_000
_IMAGES = frozenset({"image/jpeg", "image/png"})
_COORDINATE = Decimal("0.000001")


@dataclass(frozen=True)
class PreparedPhoto:
    """A photo ready to store: JPEG bytes without metadata, and what its EXIF said."""

    content: bytes
    width: int
    height: int
    latitude: Decimal | None
    longitude: Decimal | None
    taken_at: dt.datetime | None


def _refused() -> PhotoRefused:
    return PhotoRefused(
        _("Send .jpg, .jpeg or .png photos of at most %(max)s each.")
        % {"max": megabytes(PHOTO_MAX_BYTES)}
    )


def _degrees(value: Any, ref: Any, negative: str, limit: int) -> Decimal | None:
    """EXIF (degrees, minutes, seconds) and its hemisphere to signed decimal degrees."""
    try:
        degrees, minutes, seconds = (Decimal(str(float(part))) for part in value)
    except (TypeError, ValueError, InvalidOperation, ZeroDivisionError):
        return None
    result = degrees + minutes / 60 + seconds / 3600
    if str(ref).strip().upper() == negative:
        result = -result
    if not result.is_finite() or abs(result) > limit:
        return None
    return result.quantize(_COORDINATE)


def _taken_at(exif: Image.Exif) -> dt.datetime | None:
    """DateTimeOriginal, with its offset when the camera wrote one, else Quebec time."""
    details = exif.get_ifd(ExifTags.IFD.Exif)
    raw = details.get(ExifTags.Base.DateTimeOriginal) or exif.get(ExifTags.Base.DateTime)
    if not isinstance(raw, str):
        return None
    try:
        naive = dt.datetime.strptime(raw.strip("\x00 "), "%Y:%m:%d %H:%M:%S")  # noqa: DTZ007
    except ValueError:
        return None
    offset = details.get(ExifTags.Base.OffsetTimeOriginal)
    if isinstance(offset, str):
        try:
            return dt.datetime.fromisoformat(f"{naive.isoformat()}{offset.strip()}")
        except ValueError:
            pass
    return naive.replace(tzinfo=LOCAL_TZ)


def _location(exif: Image.Exif) -> tuple[Decimal | None, Decimal | None]:
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    if not gps:
        return None, None
    latitude = _degrees(gps.get(ExifTags.GPS.GPSLatitude), gps.get(1), "S", 90)
    longitude = _degrees(gps.get(ExifTags.GPS.GPSLongitude), gps.get(3), "W", 180)
    if latitude is None or longitude is None:
        return None, None
    return latitude, longitude


def photo_prepare(file: UploadedFile) -> PreparedPhoto:
    """One upload to a PreparedPhoto, or PhotoRefused (type by its bytes, size, pixels)."""
    try:
        info = upload_check(file, max_bytes=PHOTO_MAX_BYTES)
    except UploadRefused:
        raise _refused() from None
    if info.content_type not in _IMAGES:
        raise _refused()
    file.seek(0)
    try:
        with Image.open(file) as image:
            if image.width * image.height > PIXELS_MAX:
                raise _refused()
            exif = image.getexif()
            latitude, longitude = _location(exif)
            taken_at = _taken_at(exif)
            upright = ImageOps.exif_transpose(image)
            upright.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE))
            if upright.mode != "RGB":  # a PNG's transparency: on white, as it would print
                background = Image.new("RGB", upright.size, "white")
                rgba = upright.convert("RGBA")
                background.paste(rgba, mask=rgba.getchannel("A"))
                upright = background
            out = io.BytesIO()
            # No `exif=`: the new file carries the pixels and nothing else.
            upright.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError):
        raise _refused() from None
    return PreparedPhoto(
        content=out.getvalue(),
        width=upright.width,
        height=upright.height,
        latitude=latitude,
        longitude=longitude,
        taken_at=taken_at,
    )


def photos_prepare(files: Sequence[UploadedFile]) -> list[PreparedPhoto]:
    """Every photo of a notice prepared, or PhotoRefused before any is kept."""
    if len(files) > NoticePhoto.MAX_PER_NOTICE:
        raise PhotoRefused(
            _("Attach at most %(count)s photos.") % {"count": NoticePhoto.MAX_PER_NOTICE}
        )
    return [photo_prepare(file) for file in files]


def photo_save(*, notice: ClaimNotice, prepared: PreparedPhoto) -> NoticePhoto:
    """Store one prepared photo under a random name (call it in the issuing transaction)."""
    photo = NoticePhoto(
        organization_id=notice.organization_id,
        notice=notice,
        content_type="image/jpeg",
        width=prepared.width,
        height=prepared.height,
        latitude=prepared.latitude,
        longitude=prepared.longitude,
        taken_at=prepared.taken_at,
    )
    photo.image.save(f"{secrets.token_hex(12)}.jpg", ContentFile(prepared.content), save=False)
    photo.save()
    return photo
