from django.contrib import admin
from django.urls import include, path, re_path

from parcauto.core.health import healthz
from parcauto.core.metrics_view import metrics
from parcauto.core.ratelimit import handler429 as handler429
from parcauto.portal import account_views

urlpatterns = [
    path("healthz/", healthz, name="healthz"),
    path("api/", include("parcauto.api.urls")),  # devices' JSON API, on any host
    path("metrics", metrics, name="metrics"),  # Prometheus, with a bearer token
    path("passerelle-test/", include("parcauto.payments.urls")),  # sandbox card gateway
    path("wallet/", include("parcauto.wallets.urls")),  # PassKit web service, Google's logo
    path("", include("parcauto.portal.urls")),
    # Shadow allauth's pages of the same URLs: to prefill the resend form, and to let
    # only the account that asked for a validation link use it.
    path("accounts/confirm-email/", account_views.verification_sent),
    re_path(r"^accounts/confirm-email/(?P<key>[-:\w]+)/$", account_views.confirm_email),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("gestion/", include("parcauto.backoffice.urls")),  # operator's pages, root host only
    path("dev/mail/", include("parcauto.portal.dev_mail_urls")),  # 404 unless DEBUG
]
