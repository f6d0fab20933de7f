from django.urls import path

from . import account_views, profile_views, views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("tableau-de-bord/", views.dashboard, name="dashboard"),
    path("logo/", views.organization_logo, name="logo"),
    path("langue/", views.set_language, name="set_language"),
    path("profil/", profile_views.profile, name="profile"),
    path(
        "compte/renvoyer-validation/",
        account_views.resend_verification,
        name="resend_verification",
    ),
    path("compte/courriel-valide/", account_views.email_verified, name="email_verified"),
]
