"""The FAQ of an institution: Markdown written by its managers, shown sanitised, searchable.

Markdown is rendered by markdown-it (raw HTML off), then whatever it produced is passed
through nh3 (the Rust `ammonia` sanitiser) with a short allow-list: a manager's answer
can format text and link to a page, never run a script nor style the portal.
"""

from __future__ import annotations

import unicodedata

import nh3
from django.db.models import QuerySet
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

from parcauto.tenants.models import Organization

from .models import FaqEntry

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
_TAGS = {
    "p", "br", "strong", "em", "ul", "ol", "li", "a", "code", "blockquote",
    "h3", "h4", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
_ATTRIBUTES = {"a": {"href", "title"}}
_SCHEMES = {"http", "https", "mailto", "tel"}
SEARCH_MAX = 100


def answer_html(markdown: str) -> SafeString:
    """The answer as HTML that is safe to put in a page."""
    rendered = _markdown.render(markdown)
    cleaned = nh3.clean(
        rendered,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes=_SCHEMES,
        link_rel="noopener noreferrer",
    )
    return mark_safe(cleaned)  # noqa: S308 - sanitised by nh3 just above


def _folded(text: str) -> str:
    """Lower case without accents: « Annulation » finds « annulation » and « ANNULATION »."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def faq_entries(*, organization: Organization) -> QuerySet[FaqEntry]:
    return FaqEntry.objects.filter(organization=organization, is_published=True).order_by(
        "sort_order", "id"
    )


def faq_search(*, organization: Organization, query: str) -> list[FaqEntry]:
    """The published entries whose question, answer or topic (either language) hold every
    word of `query`, accents and case ignored. A FAQ is tens of entries: read in Python,
    the same on SQLite and PostgreSQL."""
    entries = list(faq_entries(organization=organization))
    words = _folded(query[:SEARCH_MAX]).split()
    if not words:
        return entries
    found = []
    for entry in entries:
        haystack = _folded(
            " ".join(
                (entry.question_fr, entry.question_en, entry.answer_fr, entry.answer_en,
                 entry.topic_fr, entry.topic_en)
            )
        )  # fmt: skip
        if all(word in haystack for word in words):
            found.append(entry)
    return found
