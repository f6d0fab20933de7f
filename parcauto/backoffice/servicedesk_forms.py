"""Forms of the service centre's inbox: filters, reply, note, assignment, state, refusal."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from parcauto.accounts.models import StaffRole, User
from parcauto.core.fields import IdChoiceField
from parcauto.servicedesk.models import ServiceRequest
from parcauto.servicedesk.selectors import InboxFilters
from parcauto.servicedesk.services.contests import Decision

TEXT_MAX = 5000
NOBODY = "0"


def staff_of(*organization_ids: int) -> QuerySet[User]:
    """Who may take a request of these institutions: their agents and managers, operators."""
    roles = StaffRole.objects.filter(user=OuterRef("pk")).filter(
        Q(organization_id__in=organization_ids) | Q(role=StaffRole.Role.OPERATOR_ADMIN)
    )
    return User.objects.filter(Exists(roles), is_active=True).order_by("email")


class _StaffChoice(IdChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        return obj.email


class InboxFilterForm(forms.Form):
    """The inbox's filters, read from the query string; an invalid filter is ignored."""

    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[
            ("", _("Open (new, in progress, waiting)")),
            *ServiceRequest.State.choices,
            ("all", _("All")),
        ],
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All")), *ServiceRequest.Kind.choices]
    )
    assignee = forms.ChoiceField(label=_("Assigned to"), required=False)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, query: QueryDict, *, staff: QuerySet[User], me: User) -> None:
        super().__init__(query)
        field = self.fields["assignee"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 - declared above
        field.choices = [
            ("", _("Anyone")),
            (NOBODY, _("Nobody")),
            (str(me.pk), _("Me")),
            *((str(user.pk), user.email) for user in staff if user.pk != me.pk),
        ]

    def filters(self) -> InboxFilters:
        self.is_valid()  # each valid field applies; an invalid one is left out of cleaned_data
        data = self.cleaned_data
        assignee = data.get("assignee") or ""
        return InboxFilters(
            state=data.get("state") or "",
            kind=data.get("kind") or "",
            assignee=int(assignee) if assignee else None,
            overdue=bool(data.get("overdue")),
        )


class StaffReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Reply to the person (sent by e-mail)"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": "5"}),
    )
    wait_for_customer = forms.BooleanField(label=_("Wait for the person's answer"), required=False)


class NoteForm(forms.Form):
    body = forms.CharField(
        label=_("Internal note (staff only)"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": "3"}),
    )


class AssignForm(forms.Form):
    assignee = _StaffChoice(
        label=_("Assigned to"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Nobody"),
    )

    def __init__(self, *args: Any, organization_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assignee"]
        assert isinstance(field, IdChoiceField)  # noqa: S101 - declared above
        field.queryset = staff_of(organization_id)


class StateForm(forms.Form):
    state = forms.ChoiceField(label=_("State"), choices=ServiceRequest.State.choices)


class CancellationRefuseForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the refusal (sent to the person)"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": "3"}),
    )


class ContestDecisionForm(forms.Form):
    """A contested notice: cancel it or keep it, and why (sent to the person)."""

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("", "—"),
            (Decision.CANCEL, _("Cancel the notice (nothing is owed)")),
            (Decision.KEEP, _("Keep the notice (payable again)")),
        ],
    )
    reason = forms.CharField(
        label=_("Reason for the decision (sent to the person)"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": "3"}),
    )
