"""Reading a pass's QR code from a picture, as the test gate does (drawing one: `access.qr`)."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from parcauto.access.qr_reading import MAX_PIXELS, qr_texts
from parcauto.core.uploads import document_type

from .pictures import qr_png

TOKEN = "Zk3p9VYq0aB7cD1eF2gH3iJ4kL5mN6o"


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_a_screenshot_of_a_pass_is_read(fmt):
    assert qr_texts(qr_png(TOKEN, fmt=fmt)) == [TOKEN]


def test_a_jpeg_with_a_jfif_header_is_an_accepted_picture():
    assert document_type(qr_png(TOKEN, fmt="JPEG")[:4096]) == "image/jpeg"


def _png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("1", (width, height), 1).save(out, "PNG", optimize=True)
    return out.getvalue()


@pytest.mark.parametrize(
    "data", [b"", b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, b"%PDF-1.4", _png(300, 300)]
)
def test_no_code_in_what_is_no_picture_of_one(data):
    assert qr_texts(data) == []


def test_a_huge_canvas_in_few_bytes_is_not_decoded():
    bomb = _png(MAX_PIXELS // 4000 + 1, 4001)
    assert len(bomb) < 200_000
    assert qr_texts(bomb) == []
