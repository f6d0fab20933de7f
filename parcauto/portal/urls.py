from django.urls import path

from . import account_views, profile_views, vehicle_views, views

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
    path("parametres/", vehicle_views.settings_page, name="settings"),
    path("parametres/vehicules/", vehicle_views.vehicle_list_page, name="vehicle_list"),
    path("parametres/vehicules/ajouter/", vehicle_views.vehicle_add_page, name="vehicle_add"),
    path(
        "parametres/vehicules/<int:pk>/modifier/",
        vehicle_views.vehicle_edit_page,
        name="vehicle_edit",
    ),
    path(
        "parametres/vehicules/<int:pk>/supprimer/",
        vehicle_views.vehicle_delete_page,
        name="vehicle_delete",
    ),
    path(
        "parametres/vehicules/modeles/",
        vehicle_views.vehicle_models_options,
        name="vehicle_models",
    ),
]
