"""Pictures of QR codes, as a holder's screenshot would show one (made with zxing-cpp)."""

from __future__ import annotations

import io

import zxingcpp
from PIL import Image, ImageOps


def qr_png(text: str, *, scale: int = 6, border: int = 40, fmt: str = "PNG") -> bytes:
    barcode = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode)
    pixels = memoryview(barcode.to_image(scale=scale))
    height, width = pixels.shape
    image = Image.frombytes("L", (width, height), bytes(pixels))
    # A phone's screen around the code: white margin, then a grey frame.
    framed = ImageOps.expand(ImageOps.expand(image, border=border, fill=255), border=30, fill=90)
    out = io.BytesIO()
    framed.convert("RGB").save(out, fmt)
    return out.getvalue()
