from django.urls import path

from .views import (
    billing,
    billing_invoices,
    billing_returns,
    billing_revenue,
    devices,
    notice_issue,
    notices,
    notices_reports,
    patrol,
    plate_checks,
    privacy,
    queue,
    requests,
    servicedesk,
    simulator,
)

app_name = "backoffice"

urlpatterns = [
    path("", queue.home, name="home"),
    path("demandes/", queue.queue, name="queue"),
    path("demandes/approuver/", queue.bulk_approve, name="bulk_approve"),
    path("demandes/<int:pk>/", requests.detail, name="request"),
    path("demandes/<int:pk>/approuver/", requests.approve, name="approve"),
    path("demandes/<int:pk>/refuser/", requests.refuse, name="refuse"),
    path(
        "demandes/<int:pk>/pieces/<int:attachment_pk>/",
        requests.attachment,
        name="attachment",
    ),
    path("acces/appareils/", devices.devices, name="devices"),
    path("acces/appareils/ajouter/", devices.device_add, name="device_add"),
    path("acces/appareils/<int:pk>/nouvelle-cle/", devices.device_rotate, name="device_rotate"),
    path("acces/appareils/<int:pk>/revoquer/", devices.device_revoke_view, name="device_revoke"),
    # Patrol, on a phone: check a plate in a lot, then issue a notice from the check.
    path("patrouille/", patrol.patrol, name="patrol"),
    path("patrouille/verifications/<int:pk>/", patrol.patrol_check, name="patrol_check"),
    path("acces/borne-de-test/", simulator.gate_simulator, name="gate_simulator"),
    path("facturation/", billing.runs, name="billing_runs"),
    path("facturation/cycles/<int:pk>/", billing.run, name="billing_run"),
    path("facturation/paiements-refuses/", billing.failed, name="billing_failed"),
    path("facturation/fichiers/", billing.files, name="billing_files"),
    path(
        "facturation/fichiers/<int:pk>/telecharger/",
        billing.file_download,
        name="billing_file_download",
    ),
    path("facturation/fichiers/retours/", billing_returns.returns, name="billing_returns"),
    path("facturation/revenus/", billing_revenue.revenue, name="billing_revenue"),
    path("facturation/revenus/export.csv", billing_revenue.revenue_csv, name="billing_revenue_csv"),
    path("facturation/factures/", billing_invoices.invoices, name="billing_invoices"),
    path("facturation/factures/<int:pk>/", billing_invoices.invoice, name="billing_invoice"),
    path(
        "facturation/factures/<int:pk>/rembourser/",
        billing_invoices.refund,
        name="billing_refund",
    ),
    # The service centre's inbox: modifications, cancellations, reports.
    path("service/", servicedesk.inbox, name="desk"),
    path("service/<int:pk>/", servicedesk.detail, name="desk_request"),
    path("service/<int:pk>/repondre/", servicedesk.reply, name="desk_reply"),
    path("service/<int:pk>/note/", servicedesk.note, name="desk_note"),
    path("service/<int:pk>/assigner/", servicedesk.assign, name="desk_assign"),
    path("service/<int:pk>/etat/", servicedesk.change_state, name="desk_state"),
    path(
        "service/<int:pk>/annulation/confirmer/",
        servicedesk.cancellation_confirm,
        name="desk_cancellation_confirm",
    ),
    path(
        "service/<int:pk>/annulation/refuser/",
        servicedesk.cancellation_refuse,
        name="desk_cancellation_refuse",
    ),
    path(
        "service/<int:pk>/contestation/decider/",
        servicedesk.contest_decide,
        name="desk_contest_decide",
    ),
    path(
        "service/<int:pk>/pieces/<int:attachment_pk>/",
        servicedesk.attachment,
        name="desk_attachment",
    ),
    path("confidentialite/conservation/", privacy.retention_report, name="retention"),
    # Issuing claim notices on patrol: from a plate check, or typed in full; printouts.
    path(
        "patrouille/verifications/<int:pk>/avis/",
        notice_issue.notice_issue_from_check,
        name="notice_issue",
    ),
    path("avis/nouveau/", notice_issue.notice_new, name="notice_new"),
    path("patrouille/avis/<int:pk>/", notice_issue.notice_issued, name="notice_issued"),
    path(
        "patrouille/avis/<int:pk>/avis.pdf",
        notice_issue.notice_print,
        {"layout": "letter"},
        name="notice_pdf",
    ),
    path(
        "patrouille/avis/<int:pk>/avis-80mm.pdf",
        notice_issue.notice_print,
        {"layout": "roll"},
        name="notice_pdf_roll",
    ),
    # Claim notices ("avis de réclamation") and plate checks.
    path("avis/", notices.notices, name="notices"),
    path("avis/export.csv", notices_reports.notices_csv, name="notices_csv"),
    path("avis/par-semaine/", notices_reports.notices_weekly, name="notices_weekly"),
    path("avis/verifications/", plate_checks.plate_checks, name="plate_checks"),
    path("avis/<int:pk>/", notices.notice, name="notice"),
    path("avis/<int:pk>/annuler/", notices.cancel, name="notice_cancel"),
    path("avis/<int:pk>/photos/<int:photo_pk>/", notices.notice_photo, name="notice_photo"),
]
