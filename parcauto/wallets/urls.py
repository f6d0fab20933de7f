from django.urls import path

from . import views, webservice

app_name = "wallets"

urlpatterns = [
    # Apple's PassKit web service: the pass's webServiceURL is `.../wallet/apple`, to
    # which the phone appends `/v1/...`.
    path(
        "apple/v1/devices/<str:device>/registrations/<str:pass_type>/<str:serial>",
        webservice.registration,
        name="apple_registration",
    ),
    path(
        "apple/v1/devices/<str:device>/registrations/<str:pass_type>",
        webservice.changed_serials,
        name="apple_changed_serials",
    ),
    path(
        "apple/v1/passes/<str:pass_type>/<str:serial>",
        webservice.latest_pass,
        name="apple_latest_pass",
    ),
    path("apple/v1/log", webservice.log, name="apple_log"),
    # The institution's logo as Google Wallet fetches it (PNG, square).
    path("logo.png", views.logo, name="logo"),
]
