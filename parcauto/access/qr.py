"""The pass's QR code, drawn by segno (never by hand): SVG for pages and PDFs, PNG for
e-mails. Black on white with the standard 4-module quiet zone, so that the cheap gate
readers and phone screens at low brightness still read it."""

from __future__ import annotations

import io

import segno
from django.utils.translation import gettext as _

QUIET_ZONE = 4  # modules: the standard's minimum around the code


def _code(token: str) -> segno.QRCode:
    # Level M at least; segno raises it when the size allows (a 32-character token).
    return segno.make_qr(token, error="m")


def qr_svg(token: str, *, title: str) -> str:
    """An inline <svg> that scales to its box (CSS sets the size), named `title` for
    screen readers."""
    svg: str = _code(token).svg_inline(
        scale=1,
        border=QUIET_ZONE,
        dark="#000",
        light="#fff",
        omitsize=True,
        title=title,
        svgclass="pass-qr",
        lineclass=None,
    )
    return svg.replace("<svg ", '<svg role="img" shape-rendering="crispEdges" ', 1)


def qr_png(token: str, *, scale: int = 8) -> bytes:
    out = io.BytesIO()
    _code(token).save(out, kind="png", scale=scale, border=QUIET_ZONE)
    return out.getvalue()


def pass_code_svg(token: str | None) -> str:
    """The pass's code for a page or a PDF, named in the active language; '' without a
    token (no configured key opens it any more)."""
    return qr_svg(token, title=_("QR code of your access card")) if token else ""
