"""Forms of the notice pages: list and check filters, the weekly chart's range, cancelling.

Filters are read from the query string and narrowed to the staff member's institutions
(to the chosen one when there is a choice): a lot of another institution is an invalid
choice, and an invalid filter is ignored while the others still apply (as the queue's).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from parcauto.accounts.models import User
from parcauto.catalog.models import ParkingLot
from parcauto.core.fields import BoundedDateField, IdChoiceField
from parcauto.enforcement.models import ClaimNotice, Verdict
from parcauto.enforcement.reports import week_of
from parcauto.enforcement.selectors import CheckFilters, NoticeFilters, notice_agents
from parcauto.tenants.models import Organization

from .forms import (
    ALL_STATUSES,
    DATE_INPUT,
    InstitutionFilterForm,
    PeriodFilterForm,
    _chosen,
    _InstitutionChoiceField,
)

# A chart of more weeks than this is a smudge: ask for a year at most.
MAX_CHART_WEEKS = 53


class _AgentChoice(IdChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        return obj.email


class _LotFiltered(InstitutionFilterForm):
    """An institution and a lot of it (of any of the staff member's, when none is chosen)."""

    lot = _InstitutionChoiceField(
        queryset=ParkingLot.objects.none(),
        required=False,
        label=_("Parking lot"),
        empty_label=_("All lots"),
    )

    def __init__(self, query: QueryDict, *, organizations: QuerySet[Organization]) -> None:
        super().__init__(query, organizations=organizations)
        visible = list(organizations)
        chosen = _chosen(query.get("organization"), visible)
        self.scope = [chosen] if chosen else visible
        field = self.fields["lot"]
        field.queryset = (  # type: ignore[attr-defined]
            ParkingLot.objects.filter(organization__in=self.scope)
            .select_related("organization")
            .order_by("organization__name_fr", "number")
        )
        field.with_institution = len(self.scope) > 1  # type: ignore[attr-defined]

    def valid(self, name: str) -> Any:
        """A filter's value, or None when it was refused."""
        self.is_valid()
        return None if name in self.errors else self.cleaned_data.get(name)

    def valid_id(self, name: str) -> int | None:
        chosen = self.valid(name)
        return chosen.pk if chosen else None


class NoticeFilterForm(_LotFiltered):
    text = forms.CharField(
        required=False,
        max_length=40,
        label=_("Notice number or plate"),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    agent = _AgentChoice(
        queryset=User.objects.none(), required=False, label=_("Agent"), empty_label=_("All agents")
    )
    state = forms.ChoiceField(
        required=False,
        label=_("State"),
        choices=[(ALL_STATUSES, _("All states")), *ClaimNotice.State.choices],
    )
    issued_from = BoundedDateField(required=False, label=_("Issued from"), widget=DATE_INPUT)
    issued_to = BoundedDateField(required=False, label=_("Issued until"), widget=DATE_INPUT)

    def __init__(self, query: QueryDict, *, organizations: QuerySet[Organization]) -> None:
        super().__init__(query, organizations=organizations)
        self.fields["agent"].queryset = notice_agents(  # type: ignore[attr-defined]
            organizations=organizations.filter(pk__in=[o.pk for o in self.scope])
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("issued_from"), cleaned.get("issued_to")
        if start and end and end < start:
            self.add_error("issued_to", _("The end date cannot be before the start date."))
        return cleaned

    def filters(self) -> NoticeFilters:
        return NoticeFilters(
            lot_id=self.valid_id("lot"),
            agent_id=self.valid_id("agent"),
            state=self.valid("state") or "",
            issued_from=self.valid("issued_from"),
            issued_to=self.valid("issued_to"),
            text=self.valid("text") or "",
        )


class PlateCheckFilterForm(_LotFiltered):
    """The checks of one day (today by default), of a lot, a verdict, a plate."""

    day = BoundedDateField(label=_("Day"), widget=DATE_INPUT)
    verdict = forms.ChoiceField(
        required=False,
        label=_("Verdict"),
        choices=[(ALL_STATUSES, _("All verdicts")), *Verdict.choices],
    )
    plate = forms.CharField(
        required=False,
        max_length=20,
        label=_("Licence plate"),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )

    def __init__(
        self, query: QueryDict, *, organizations: QuerySet[Organization], today: dt.date
    ) -> None:
        data = query.copy()
        data.setdefault("day", today.isoformat())
        super().__init__(data, organizations=organizations)

    def filters(self) -> CheckFilters:
        return CheckFilters(
            lot_id=self.valid_id("lot"),
            day=self.valid("day"),
            verdict=self.valid("verdict") or "",
            plate=self.valid("plate") or "",
        )


class NoticeWeeksForm(PeriodFilterForm):
    """The weeks of the chart: the last eight by default, a year at most."""

    first_day = BoundedDateField(label=_("Issued from"), widget=DATE_INPUT)
    last_day = BoundedDateField(label=_("Issued until"), widget=DATE_INPUT)

    def first_default(self, today: dt.date) -> dt.date:
        return week_of(today) - dt.timedelta(weeks=7)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, last = cleaned.get("first_day"), cleaned.get("last_day")
        weeks = (week_of(last) - week_of(first)).days // 7 if first and last else 0
        if first and last and last >= first and weeks >= MAX_CHART_WEEKS:
            self.add_error(
                "last_day",
                forms.ValidationError(
                    _("Choose at most %(weeks)s weeks."),
                    code="too_long",
                    params={"weeks": MAX_CHART_WEEKS},
                ),
            )
        return cleaned


class NoticeCancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for cancelling"),
        help_text=_("Kept in the notice's history."),
        max_length=ClaimNotice._meta.get_field("state_reason").max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give the reason for cancelling the notice.")},
    )

    def clean_reason(self) -> str:
        reason = str(self.cleaned_data["reason"]).strip()
        if not reason:
            raise forms.ValidationError(
                _("Give the reason for cancelling the notice."), code="required"
            )
        return reason
