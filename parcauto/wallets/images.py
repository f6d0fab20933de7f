"""The pictures a wallet pass shows: the institution's logo, else a parking sign in its
colour. Made with Pillow as PNG (the only format both wallets take)."""

from __future__ import annotations

import io
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont, UnidentifiedImageError

type Size = tuple[int, int]

# Apple's sizes (points, then @2x and @3x pixels): icon 29x29, logo at most 160x50.
APPLE_ICON = (29, 29)
APPLE_LOGO = (160, 50)
# Google shows the logo in a circle; it asks for at least 660 pixels.
GOOGLE_LOGO = (660, 660)


def _rgb(colour: str) -> tuple[int, int, int]:
    value = colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _parking_sign(size: Size, colour: str) -> Image.Image:
    """A "P" sign: white on the institution's colour, in a rounded square."""
    width, height = size
    side = min(width, height)
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    left = (width - side) // 2
    draw.rounded_rectangle(
        (left, 0, left + side - 1, side - 1), radius=max(side // 6, 1), fill=_rgb(colour)
    )
    font = ImageFont.load_default(size=max(int(side * 0.72), 8))
    draw.text((left + side / 2, side / 2), "P", font=font, fill="white", anchor="mm")
    return image


def _fitted(logo: bytes, size: Size, background: str | None) -> Image.Image | None:
    """The institution's logo scaled into `size`, centred; None if Pillow cannot read it
    (an SVG logo: the portal takes them, wallets do not)."""
    try:
        source = Image.open(io.BytesIO(logo))
        source.load()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return None
    picture = source.convert("RGBA")
    picture.thumbnail(size, Image.Resampling.LANCZOS)
    canvas = Image.new("RGBA", size, background or (0, 0, 0, 0))
    offset = ((size[0] - picture.width) // 2, (size[1] - picture.height) // 2)
    canvas.alpha_composite(picture, offset)
    return canvas


@lru_cache(maxsize=64)
def logo_png(
    logo: bytes | None, colour: str, size: Size, *, background: str | None = None
) -> bytes:
    """The logo in `size` pixels: the institution's own, else the parking sign."""
    image = _fitted(logo, size, background) if logo else None
    return _png(image if image is not None else _parking_sign(size, colour))


@lru_cache(maxsize=64)
def icon_png(colour: str, size: Size) -> bytes:
    """The icon a lock-screen notification shows: the parking sign."""
    return _png(_parking_sign(size, colour))


def scaled(size: Size, factor: int) -> Size:
    return size[0] * factor, size[1] * factor
