"""Bootstrap classes and ARIA wiring for Django form fields."""

from __future__ import annotations

from django import template
from django.forms import BoundField
from django.utils.safestring import SafeString

register = template.Library()


@register.filter
def widget_type(field: BoundField) -> str:
    return field.widget_type


@register.filter
def with_attrs(field: BoundField, css_class: str) -> SafeString:
    """Render the widget with `css_class`, and mark it invalid and described when it errs."""
    attrs: dict[str, str | bool] = {"class": css_class}
    described_by = []
    if field.help_text:
        described_by.append(f"{field.auto_id}_helptext")
    if field.errors:
        attrs["class"] = f"{css_class} is-invalid"
        attrs["aria-invalid"] = "true"
        described_by += [f"{field.auto_id}_error{i}" for i in range(1, len(field.errors) + 1)]
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    return field.as_widget(attrs=attrs)
