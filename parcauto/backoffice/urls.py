from django.urls import path

from .views import (
    billing,
    billing_invoices,
    billing_returns,
    billing_revenue,
    privacy,
    queue,
    requests,
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
    path("confidentialite/conservation/", privacy.retention_report, name="retention"),
]
