from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from parcauto.core.clock import LOCAL_TZ

# Wednesday 10 June 2026, 10:00 in Quebec: the first debits fall on 1 July.
NOW = dt.datetime(2026, 6, 10, 10, 0, tzinfo=LOCAL_TZ)
# The smallest valid PNG: the signature and an IHDR chunk are enough for the sniffer.
PNG_BYTES = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000000000200015e2b3c4a0000000049454e44ae426082"
)
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


def upload(name: str, content: bytes, content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture
def cheque() -> SimpleUploadedFile:
    return upload("specimen.pdf", PDF_BYTES)
