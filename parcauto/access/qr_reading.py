"""Reading a pass's QR code from a picture of it (the gate simulator's uploads).

zxing-cpp (a maintained reader, as gates use) reads the code; Pillow opens the picture.
The caller has already judged the bytes (`core.uploads.upload_check`): a PNG or JPEG of
bounded size. A huge canvas in few bytes (a decompression bomb) is refused before it is
decoded.
"""

from __future__ import annotations

import io
import warnings

import zxingcpp
from PIL import Image, UnidentifiedImageError

MAX_PIXELS = 25_000_000  # a 5000 x 5000 screenshot; a phone's is ~3 million


def qr_texts(data: bytes) -> list[str]:
    """The texts of the QR codes found in the picture (none if it is no readable image)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.width * image.height > MAX_PIXELS:
                    return []
                gray = image.convert("L")
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        OSError,
        ValueError,
    ):
        return []
    found = zxingcpp.read_barcodes(
        gray, formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
    )
    return [barcode.text for barcode in found if barcode.valid and barcode.text]
