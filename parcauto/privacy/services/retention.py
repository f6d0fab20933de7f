"""The retention job (Law 25, s. 23: destroy what has served its purpose).

Each kind of data has its period:

| kind                    | deleted                                                   |
|-------------------------|-----------------------------------------------------------|
| proofs, cheque specimens| N months after the contract ended (per institution, 24)   |
| unfinished requests     | 90 days after their last change (a reminder 7 days before)|
| unvalidated accounts    | 30 days after sign-up, never validated nor used           |
| data downloads          | when their link expires (7 days)                          |
| closed accounts         | erased again if their erasure did not finish the first day|

`retention_run(dry_run=True)` counts what a real run would delete, changing nothing: the
back office's report. A real run deletes one item per transaction, audited per kind.
"""

from __future__ import annotations

import calendar
import datetime as dt
import logging
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import ProtectedError, Q, QuerySet
from django_scopes import scope

from parcauto.accounts.selectors import users_never_used
from parcauto.audit.services import audit_log
from parcauto.core.clock import LOCAL_TZ, local_today
from parcauto.notifications.services import email_send_template
from parcauto.notifications.topics import EmailTopic
from parcauto.payments.models import PaymentMethod
from parcauto.subscriptions.errors import TransitionNotAllowed
from parcauto.subscriptions.models import Attachment, Subscription
from parcauto.subscriptions.services.drafts import subscription_draft_discard
from parcauto.tenants.models import Organization
from parcauto.tenants.scoping import institutions_each

from ..files import file_delete_on_commit
from ..models import AccountClosure, DataExport
from ..selectors import privacy_settings_for
from .erasure import account_erase, closures_pending

logger = logging.getLogger(__name__)

# The kinds of the report, in the order it lists them.
PROOFS = "proofs"
CHEQUES = "cheque_specimens"
DRAFTS = "drafts"
REMINDERS = "draft_reminders"
ACCOUNTS = "unverified_accounts"
DOWNLOADS = "data_downloads"
CLOSURES = "closures"
INSTITUTION_KINDS = (PROOFS, CHEQUES, DRAFTS, REMINDERS)
OVERALL_KINDS = (ACCOUNTS, DOWNLOADS, CLOSURES)
DRAFT_REMINDER = "privacy_draft_reminder"  # the e-mail's templates
REMINDER_DAYS_BEFORE = 7
# A closure's erasure runs at once; one still pending a day later met a failure.
CLOSURE_RETRY_AFTER = dt.timedelta(days=1)
_ENDED = (
    Subscription.Status.ENDED,
    Subscription.Status.CANCELLED,
    Subscription.Status.REFUSED,
    Subscription.Status.PAYMENT_FAILED,
)


@dataclass
class RetentionReport:
    dry_run: bool
    by_institution: dict[int, Counter[str]] = field(default_factory=dict)
    overall: Counter[str] = field(default_factory=Counter)

    def totals(self) -> dict[str, int]:
        total: Counter[str] = Counter(self.overall)
        for counts in self.by_institution.values():
            total.update(counts)
        return {kind: total[kind] for kind in (*INSTITUTION_KINDS, *OVERALL_KINDS)}


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day `months` earlier (the month's last day when it has fewer days)."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def _start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=LOCAL_TZ)


def contracts_ended_before(organization: Organization, *, day: dt.date) -> QuerySet[Subscription]:
    """The institution's contracts that ended (or were refused, cancelled) before `day`."""
    moment = _start_of(day)
    return Subscription.objects.filter(organization=organization, status__in=_ENDED).filter(
        Q(status=Subscription.Status.ENDED, end_date__lt=day)
        | Q(status=Subscription.Status.ENDED, end_date__isnull=True, updated_at__lt=moment)
        | Q(status=Subscription.Status.REFUSED, decided_at__lt=moment)
        | Q(
            status__in=[Subscription.Status.CANCELLED, Subscription.Status.PAYMENT_FAILED],
            cancelled_at__lt=moment,
        )
    )


def retention_run(
    *,
    now: dt.datetime,
    dry_run: bool,
    organizations: QuerySet[Organization] | None = None,
    overall: bool = True,
) -> RetentionReport:
    """Delete (or, dry, count) what has outlived its period, institution by institution
    (`organizations`, default all), then what belongs to no institution (`overall`)."""
    report = RetentionReport(dry_run=dry_run)
    for organization in institutions_each(organizations):
        with scope(organization=organization):
            counts = _institution(organization, now=now, dry_run=dry_run)
            if not dry_run and any(counts.values()):
                audit_log(
                    action="privacy.retention_run",
                    actor=None,
                    organization=organization,
                    data=dict(counts),
                )
        report.by_institution[organization.pk] = counts
    if not overall:
        return report
    report.overall = _overall(now=now, dry_run=dry_run)
    if not dry_run and any(report.overall.values()):
        audit_log(action="privacy.retention_run", actor=None, data=dict(report.overall))
    return report


def _institution(organization: Organization, *, now: dt.datetime, dry_run: bool) -> Counter[str]:
    counts: Counter[str] = Counter()
    months = privacy_settings_for(organization).proof_retention_months
    ended = contracts_ended_before(organization, day=months_before(local_today(now), months))
    proofs = Attachment.objects.filter(organization=organization, subscription__in=ended)
    cheques = PaymentMethod.objects.filter(
        organization=organization, subscription__in=ended
    ).exclude(cheque_specimen="")
    draft_cutoff = now - dt.timedelta(days=settings.PARCAUTO_DRAFT_RETENTION_DAYS)
    drafts = Subscription.objects.filter(
        organization=organization, status=Subscription.Status.DRAFT, updated_at__lt=draft_cutoff
    )
    reminded = Subscription.objects.filter(
        organization=organization,
        status=Subscription.Status.DRAFT,
        updated_at__gte=draft_cutoff,
        updated_at__lt=draft_cutoff + dt.timedelta(days=REMINDER_DAYS_BEFORE),
    ).select_related("person", "product")
    if dry_run:
        counts[PROOFS], counts[CHEQUES] = proofs.count(), cheques.count()
        counts[DRAFTS], counts[REMINDERS] = drafts.count(), reminded.count()
        return counts
    for attachment in proofs:
        with transaction.atomic():
            file_delete_on_commit(attachment.file)
            attachment.delete()
        counts[PROOFS] += 1
    for method in cheques:
        with transaction.atomic():
            file_delete_on_commit(method.cheque_specimen)
            PaymentMethod.objects.filter(pk=method.pk).update(cheque_specimen="", updated_at=now)
        counts[CHEQUES] += 1
    for draft in drafts:
        try:
            subscription_draft_discard(subscription=draft, actor=None)
        except TransitionNotAllowed:  # sent since it was read: a request now, kept
            continue
        counts[DRAFTS] += 1
    for draft in reminded:
        counts[REMINDERS] += _remind(
            draft,
            deleted_on=local_today(
                draft.updated_at + dt.timedelta(days=settings.PARCAUTO_DRAFT_RETENTION_DAYS)
            ),
        )
    return counts


def _remind(draft: Subscription, *, deleted_on: dt.date) -> int:
    """An optional e-mail (topic "reminders"): once per draft and version of the draft."""
    sent = email_send_template(
        template=DRAFT_REMINDER,
        to=draft.person.email,
        context={"person": draft.person, "draft": draft, "deleted_on": deleted_on},
        language=draft.person.language,
        organization=draft.organization,
        dedupe_key=f"{DRAFT_REMINDER}:{draft.pk}:{draft.updated_at:%Y%m%d%H%M%S}",
        topic=EmailTopic.REMINDERS,
    )
    return 0 if sent is None else 1


def _overall(*, now: dt.datetime, dry_run: bool) -> Counter[str]:
    counts: Counter[str] = Counter()
    unused = (
        users_never_used()
        .filter(date_joined__lt=now - dt.timedelta(days=settings.PARCAUTO_UNVERIFIED_ACCOUNT_DAYS))
        .exclude(pk__in=AccountClosure.objects.values("person_id"))
    )
    pending = closures_pending(before=now - CLOSURE_RETRY_AFTER)
    if dry_run:
        counts[ACCOUNTS], counts[CLOSURES] = unused.count(), len(pending)
        counts[DOWNLOADS] = data_exports_expire(now=now, dry_run=True)
        return counts
    for person in unused:
        try:
            with transaction.atomic():
                audit_log(
                    action="account.unverified_deleted",
                    actor=None,
                    target=person,
                    data={"joined": person.date_joined.date().isoformat()},
                )
                person.delete()
        except ProtectedError:  # something points at it after all: kept, and said so
            logger.warning("unvalidated account %s is referenced: not deleted", person.pk)
            continue
        counts[ACCOUNTS] += 1
    counts[DOWNLOADS] = data_exports_expire(now=now, dry_run=False)
    for closure_id in pending:
        try:
            counts[CLOSURES] += account_erase(closure_id=closure_id, now=now)
        except Exception:  # a card vault down: the next run tries again
            logger.exception("the erasure of closed account %s failed again", closure_id)
    return counts


def data_exports_expire(*, now: dt.datetime, dry_run: bool) -> int:
    """Delete the files of the downloads whose link has expired; how many there are."""
    expired = DataExport.objects.filter(status=DataExport.Status.READY, expires_at__lte=now)
    if dry_run:
        return expired.count()
    count = 0
    for export in expired:
        with transaction.atomic():
            file_delete_on_commit(export.file)
            DataExport.objects.filter(pk=export.pk).update(
                status=DataExport.Status.EXPIRED, file="", updated_at=now
            )
            audit_log(action="privacy.export_purged", actor=None, target=export)
        count += 1
    return count
