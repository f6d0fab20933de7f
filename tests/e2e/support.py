"""Helpers for the browser tests: portal URLs, the e-mail outbox, an accessibility smoke check."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.core import mail

if TYPE_CHECKING:
    from django.core.mail import EmailMessage
    from playwright.sync_api import Locator, Page


@dataclass(frozen=True)
class Portal:
    """An institution's portal on the live server, e.g. `http://cisso.localhost:53211`."""

    base: str

    def url(self, path: str = "/") -> str:
        return f"{self.base}{path}"

    def pattern(self, path: str) -> re.Pattern[str]:
        """The exact URL `path` on this portal (no query string, no other host)."""
        return re.compile(rf"^{re.escape(self.base)}{re.escape(path)}$")


def heading(page: Page) -> Locator:
    return page.get_by_role("heading", level=1)


def field(page: Page, label: str) -> Locator:
    """The form field whose <label> reads `label` (the required mark `*` is aria-hidden)."""
    return page.get_by_label(re.compile(rf"^{re.escape(label)}(?: \*)?$"))


def vehicle_fill(page: Page, *, year: str, make: str, model: str, colour: str, plate: str) -> None:
    """Type a vehicle into the wizard's step 2 form (labels as the guides show them)."""
    field(page, "Année").select_option(year)
    field(page, "Marque").fill(make)
    field(page, "Modèle").fill(model)
    field(page, "Couleur").fill(colour)
    field(page, "Numéro d'immatriculation").fill(plate)


def field_error(page: Page, label: str) -> list[str]:
    """The error messages announced for the field labelled `label` (aria-describedby)."""
    from playwright.sync_api import expect

    element = field(page, label)
    expect(element).to_have_attribute("aria-invalid", "true")
    ids = (element.get_attribute("aria-describedby") or "").split()
    return [page.locator(f"#{i}").inner_text() for i in ids if "_error" in i]


def mail_to(address: str, *, count: int = 1, timeout: float = 5.0) -> list[EmailMessage]:
    """The messages sent to `address`, once there are `count` of them.

    The server sends after commit, inside the request; polling only guards against the
    browser reporting a navigation a hair before the server thread returns.
    """
    deadline = time.monotonic() + timeout
    while True:
        # `mail.outbox` is replaced between tests: always read it from the module.
        messages = [message for message in mail.outbox if address in message.to]
        if len(messages) >= count or time.monotonic() > deadline:
            assert len(messages) == count, (
                f"expected {count} e-mail(s) to {address}, got "
                f"{[m.subject for m in messages]} (outbox: {[m.to for m in mail.outbox]})"
            )
            return messages
        time.sleep(0.05)


def link_in(message: EmailMessage, portal: Portal, path_prefix: str) -> str:
    """The one link to `portal` + `path_prefix...` in the text body; it must be on that host."""
    links = re.findall(r"https?://[^\s<>\"]+", message.body)
    wanted = [link for link in links if path_prefix in link]
    assert len(wanted) == 1, f"one {path_prefix} link expected in: {message.body!r}"
    assert wanted[0].startswith(portal.url(path_prefix)), (
        f"the link must point to the portal the person used ({portal.base}): {wanted[0]}"
    )
    return wanted[0]


def html_body(message: Any) -> str:
    alternatives = [
        body for body, mime in getattr(message, "alternatives", []) if mime == "text/html"
    ]
    return alternatives[0] if alternatives else ""


# One pass over the DOM. Cheap checks that catch what people notice first: a field
# without a label, a page without a language or a heading, text too pale to read, and
# anything wider than the phone's screen.
_AUDIT_JS = r"""
() => {
  const problems = [];
  const visible = (el) => {
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.display === 'none') return false;
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.height > 0;
  };
  const text = (el) => (el.innerText || el.textContent || '').replace(/\s+/g, ' ').trim();

  const lang = document.documentElement.getAttribute('lang') || '';
  if (!/^(fr|en)(-CA)?$/.test(lang)) problems.push(`html lang is "${lang}"`);
  if (!document.title.trim()) problems.push('empty <title>');
  const h1s = [...document.querySelectorAll('h1')];
  if (h1s.length !== 1) problems.push(`${h1s.length} <h1> on the page`);
  if (document.querySelectorAll('main').length !== 1) problems.push('not exactly one <main>');

  const ids = {};
  for (const el of document.querySelectorAll('[id]')) ids[el.id] = (ids[el.id] || 0) + 1;
  for (const [id, n] of Object.entries(ids)) if (n > 1) problems.push(`id "${id}" used ${n} times`);

  const fields = document.querySelectorAll(
    'input:not([type=hidden]):not([type=submit]):not([type=button]), select, textarea');
  for (const field of fields) {
    const named = [...(field.labels || [])].some((label) => text(label))
      || (field.getAttribute('aria-label') || '').trim()
      || (field.getAttribute('aria-labelledby') || '').split(/\s+/)
           .some((id) => id && document.getElementById(id) && text(document.getElementById(id)));
    if (!named) problems.push(`field "${field.name || field.id}" has no label`);
    for (const id of (field.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean)) {
      if (!document.getElementById(id)) {
        problems.push(`field "${field.name}" aria-describedby points to missing #${id}`);
      }
    }
  }
  for (const el of document.querySelectorAll('a[href], button')) {
    if (!visible(el)) continue;
    if (!text(el) && !(el.getAttribute('aria-label') || '').trim()
        && !el.querySelector('img[alt]:not([alt=""])')) {
      const tag = el.tagName.toLowerCase();
      problems.push(`${tag} without an accessible name: ${el.outerHTML.slice(0, 80)}`);
    }
  }
  for (const img of document.querySelectorAll('img:not([alt])')) {
    problems.push(`img without alt: ${img.src}`);
  }

  // Nothing may stick out sideways (a 390 px phone must not scroll horizontally).
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth > width + 1) {
    const wide = [...document.querySelectorAll('body *')]
      .filter((el) => visible(el) && el.getBoundingClientRect().right > width + 1)
      .slice(0, 3).map((el) => el.tagName.toLowerCase() + (el.className ? '.' + el.className : ''));
    problems.push(`page is ${document.documentElement.scrollWidth}px wide for ${width}px: ${wide}`);
  }

  // WCAG AA contrast for text on its (first opaque) background.
  const rgba = (value) => {
    const m = value.match(/rgba?\(([^)]+)\)/);
    if (!m) return null;
    const [r, g, b, a = 1] = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
    return {r, g, b, a};
  };
  const luminance = ({r, g, b}) => {
    const c = [r, g, b].map((v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  };
  const background = (el) => {
    for (let node = el; node; node = node.parentElement) {
      const colour = rgba(getComputedStyle(node).backgroundColor);
      if (colour && colour.a > 0.5) return colour;
    }
    return {r: 255, g: 255, b: 255, a: 1};
  };
  const seen = new Set();
  for (const el of document.querySelectorAll('body *')) {
    const ownText = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!ownText || !visible(el)) continue;
    if (el.closest('[aria-hidden=true], .visually-hidden-focusable')) continue;
    const style = getComputedStyle(el);
    const fg = rgba(style.color);
    const bg = background(el);
    const [l1, l2] = [luminance(fg), luminance(bg)].sort((a, b) => b - a);
    const ratio = (l1 + 0.05) / (l2 + 0.05);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && parseInt(style.fontWeight, 10) >= 700);
    if (ratio < (large ? 3 : 4.5)) {
      const label = `"${text(el).slice(0, 40)}" ${ratio.toFixed(2)}:1`;
      if (!seen.has(label)) { seen.add(label); problems.push(`low contrast ${label}`); }
    }
  }
  return problems;
}
"""


def accessibility_problems(page: Page) -> list[str]:
    return page.evaluate(_AUDIT_JS)


def focus_ring_of(page: Page) -> str:
    """The outline drawn around the focused element (empty when there is none)."""
    return page.evaluate(
        """() => {
          const el = document.activeElement;
          if (!el || el === document.body) return '';
          const s = getComputedStyle(el);
          const ring = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2;
          if (ring) return `${s.outlineWidth} ${s.outlineStyle} ${s.outlineColor}`;
          return s.boxShadow !== 'none' ? s.boxShadow : '';
        }"""
    )


# Proper names that French writes as English does: their msgid is rightly left untranslated,
# and they show on French pages (the vehicle form's "Province ou État" list, a plate's state).
PROPER_NAMES = frozenset({"New Hampshire", "Rhode Island"})


def untranslated_french() -> list[str]:
    """English fragments of the catalogue's strings that French pages would show in English.

    Asks Django's own translation machinery (the compiled catalogue in use), not the .po
    text. Each string gives its longest piece of plain text (no placeholder, no tag) so
    that `Confirm that <strong>%(email)s</strong> is ...` is still found once rendered.
    """
    from django.conf import settings
    from django.utils import translation

    po = Path(settings.LOCALE_PATHS[0]) / "fr" / "LC_MESSAGES" / "django.po"
    fragments = []
    with translation.override("fr"):
        for block in po.read_text(encoding="utf-8").split("\n\n"):
            lines = block.splitlines()
            msgid = _po_string(lines, "msgid")
            if not msgid or any(line.startswith("msgid_plural") for line in lines):
                continue
            if translation.gettext(msgid) != msgid or msgid in PROPER_NAMES:
                continue
            pieces = re.split(r"<[^>]+>|%\([a-z_]+\)[sd]|\{[^}]*\}", msgid)
            longest = max((piece.strip() for piece in pieces), key=len)
            # Single words ("Menu", "Administration", "Saskatchewan") are French too.
            if len(longest) >= 12 and " " in longest:
                fragments.append(longest)
    return fragments


def _po_string(lines: list[str], keyword: str) -> str:
    parts, collecting = [], False
    for line in lines:
        if line.startswith(f"{keyword} "):
            collecting = True
            line = line[len(keyword) + 1 :]
        elif not line.startswith('"'):
            collecting = False
            continue
        if collecting:
            parts.append(line.strip()[1:-1].replace('\\"', '"').replace("\\n", "\n"))
    return "".join(parts)


def english_leftovers(text: str, fragments: list[str]) -> list[str]:
    flat = " ".join(text.split())
    return [fragment for fragment in fragments if " ".join(fragment.split()) in flat]


def staff_log_in(page: Page, root: Portal, email: str, password: str, totp_secret: str) -> None:
    """A staff member logs in on the operator's host: e-mail and password, then the code
    their authenticator app shows (computed from the secret, as the app does)."""
    from playwright.sync_api import expect

    from tests.backoffice.staff import totp_code

    page.goto(root.url("/accounts/login/"))
    field(page, "Adresse courriel").fill(email)
    field(page, "Mot de passe").fill(password)
    page.get_by_role("button", name="Continuer").click()
    expect(page).to_have_url(root.pattern("/accounts/2fa/authenticate/"))
    # A code is good for its 30-second period: never type one about to expire.
    if 30 - time.time() % 30 < 3:
        time.sleep(30 - time.time() % 30 + 0.2)
    field(page, "Code").fill(totp_code(totp_secret))


@dataclass(frozen=True)
class Fetched:
    status: int
    headers: dict[str, str]
    body: bytes


def browser_fetch(page: Page, url: str) -> Fetched:
    """GET `url` from inside the page: the browser's own cookies and name resolution.

    Playwright's `page.request` resolves host names itself and finds no
    `ciusse-chus.localhost` (Chromium maps every *.localhost to the loopback itself).
    """
    import base64

    result = page.evaluate(
        """async (url) => {
          const response = await fetch(url, {credentials: 'same-origin'});
          const bytes = new Uint8Array(await response.arrayBuffer());
          let binary = '';
          for (let i = 0; i < bytes.length; i += 0x8000) {
            binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
          }
          return {status: response.status, headers: [...response.headers], body: btoa(binary)};
        }""",
        url,
    )
    return Fetched(
        status=result["status"],
        headers={name.lower(): value for name, value in result["headers"]},
        body=base64.b64decode(result["body"]),
    )


def pdf_text(data: bytes) -> str:
    """The text of a PDF, as a reader extracts it (spaces collapsed)."""
    import io

    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text() or "" for page in reader.pages).split())


class Steps:
    """Screenshots each step of a journey and checks the page it shows.

    Accessibility and console problems fail at once. English leftovers on French pages
    (missing translations) are gathered and asserted at the end by `assert_all_french`,
    so one missing string does not hide the rest of the journey.
    """

    def __init__(self, page: Page, folder: Path, prefix: str) -> None:
        self.page, self.folder, self.prefix = page, folder, prefix
        self.english_on_french_pages: dict[str, list[str]] = {}
        self._fragments: list[str] | None = None

    def __call__(self, step: str) -> None:
        page = self.page
        page.wait_for_load_state("load")
        page.screenshot(
            path=self.folder / f"{self.prefix}-{step}.png", full_page=True, animations="disabled"
        )
        problems = accessibility_problems(page)
        assert problems == [], f"{step} ({page.url}): {problems}"
        page.axe.check(where=step)  # type: ignore[attr-defined]
        page.axe.assert_clean()  # type: ignore[attr-defined]
        errors = page.console_errors  # type: ignore[attr-defined]
        assert errors == [], f"{step} ({page.url}): browser console errors {errors}"
        if (page.get_attribute("html", "lang") or "").startswith("fr"):
            self.french(page.inner_text("body"), where=f"{step} {page.url}")

    def email(self, message: EmailMessage, step: str) -> dict[str, str]:
        """Show the HTML e-mail as a mail client would, screenshot it, return its links.

        A separate tab: written into a portal page, the e-mail would fall under the
        portal's CSP and lose its inline styles.
        """
        html = html_body(message)
        assert html, f"{message.subject!r} has no HTML body"
        tab = self.page.context.new_page()
        try:
            tab.set_content(html)
            tab.screenshot(path=self.folder / f"{self.prefix}-{step}.png", full_page=True)
            if (tab.get_attribute("html", "lang") or "").startswith("fr"):
                text = f"{message.subject}\n{message.body}\n{tab.inner_text('body')}"
                self.french(text, where=f"{step} e-mail {message.subject!r}")
            links = tab.eval_on_selector_all(
                "a[href]", "links => links.map(a => [a.innerText.trim(), a.href])"
            )
        finally:
            tab.close()
        return dict(links)

    def french(self, text: str, *, where: str) -> None:
        if self._fragments is None:
            self._fragments = untranslated_french()
        leftovers = english_leftovers(text, self._fragments)
        if leftovers:
            self.english_on_french_pages[where] = leftovers

    def assert_all_french(self) -> None:
        assert self.english_on_french_pages == {}, (
            "French pages or e-mails show English (translation missing in "
            "parcauto/locale/fr/LC_MESSAGES/django.po):\n"
            + "\n".join(
                f"  {where}: {found}" for where, found in self.english_on_french_pages.items()
            )
        )


# --- cards -------------------------------------------------------------------------------------


# True once the sandbox card iframe is loaded and as tall as what it shows.
FRAME_SHOWS_ALL_JS = """() => {
  const frame = document.querySelector("iframe[data-card-iframe]");
  const inner = frame && frame.contentDocument;
  return Boolean(inner && inner.getElementById("card-cvd")
    && inner.documentElement.scrollHeight <= frame.clientHeight + 1);
}"""


def type_card(
    page: Page,
    number: str,
    expiry: str = "12/30",
    cvd: str = "123",
    cardholder: str = "John Tremblay",
) -> None:
    """Type a card in the gateway's iframe (the sandbox's here), as a person does: every
    field of it shows, none below the iframe's fold (the sandbox says how tall it is)."""
    page.wait_for_function(FRAME_SHOWS_ALL_JS)
    frame = page.frame_locator("iframe[data-card-iframe]")
    frame.locator("#card-name").fill(cardholder)
    frame.locator("#card-number").fill(number)
    frame.locator("#card-expiry").fill(expiry)
    frame.locator("#card-cvd").fill(cvd)


def _spellings(number: str) -> list[str]:
    """The number as typed, grouped by four, and grouped with dashes."""
    groups = [number[i : i + 4] for i in range(0, len(number), 4)]
    return [number, " ".join(groups), "-".join(groups)]


def card_number_traces(number: str, log_text: str) -> list[str]:
    """Where a card number shows up: any text column of any table, the logs, the e-mails.

    Rule 21 / PCI SAQ A: the number stays in the gateway's iframe. Empty when clean.
    """
    from django.apps import apps
    from django.db import models
    from django.db.models import Q

    from parcauto.tenants.scoping import every_institution

    found = []
    spellings = _spellings(number)
    with every_institution(reason="a card number must be in no institution's rows"):
        for model in apps.get_models():
            if not model._meta.managed or model._meta.proxy:
                continue
            text_fields = [
                field.name
                for field in model._meta.get_fields()
                if isinstance(field, (models.CharField, models.TextField, models.JSONField))
                and field.concrete
            ]
            for name in text_fields:
                field = model._meta.get_field(name)
                lookup = "icontains" if not isinstance(field, models.JSONField) else "contains"
                if isinstance(field, models.JSONField):
                    # JSON: search its text form.
                    rows = model._base_manager.exclude(**{f"{name}__isnull": True}).values_list(
                        name, flat=True
                    )
                    if any(s in str(value) for value in rows for s in spellings):
                        found.append(f"{model._meta.label}.{name}")
                    continue
                query = Q()
                for spelling in spellings:
                    query |= Q(**{f"{name}__{lookup}": spelling})
                if model._base_manager.filter(query).exists():
                    found.append(f"{model._meta.label}.{name}")
    if any(s in log_text for s in spellings):
        found.append("logs")
    for message in mail.outbox:
        parts = [message.subject, message.body, html_body(message)]
        if any(s in part for part in parts for s in spellings):
            found.append(f"e-mail {message.subject!r}")
    return found
