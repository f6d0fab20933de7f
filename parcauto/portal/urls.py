from django.urls import path

from . import (
    account_views,
    contract_views,
    notice_action_views,
    notice_views,
    pass_views,
    payment_step_views,
    payment_views,
    preference_views,
    privacy_views,
    profile_views,
    servicedesk_views,
    summary_views,
    vehicle_views,
    views,
    wallet_views,
    wizard_views,
)

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
    path(
        "parametres/langue-et-courriels/",
        preference_views.communication,
        name="communication",
    ),
    # Law 25: the person's data, their consents, the closure of their account.
    path("parametres/mes-donnees/", privacy_views.my_data, name="my_data"),
    path(
        "parametres/mes-donnees/preparer/",
        privacy_views.data_export_start,
        name="data_export_start",
    ),
    path(
        "parametres/mes-donnees/<int:pk>/progression/",
        privacy_views.data_export_progress,
        name="data_export_progress",
    ),
    path(
        "parametres/mes-donnees/telecharger/<str:token>/",
        privacy_views.data_export_download,
        name="data_export_download",
    ),
    path("parametres/consentements/", privacy_views.consents, name="consents"),
    path(
        "parametres/fermer-mon-compte/",
        privacy_views.account_close_page,
        name="account_close",
    ),
    path("compte-ferme/", privacy_views.account_closed, name="account_closed"),
    path("confidentialite/", privacy_views.privacy_page, name="privacy"),
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
    # Subscriptions: the request wizard, then "MON ABONNEMENT" and "MON CONTRAT".
    path("abonnements/", contract_views.subscription_list, name="subscription_list"),
    path("abonnements/nouveau/", wizard_views.subscription_new, name="subscription_new"),
    path(
        "abonnements/nouveau/offre/",
        wizard_views.subscription_offer,
        name="subscription_offer",
    ),
    path(
        "abonnements/nouveau/vehicules/",
        wizard_views.subscription_vehicles,
        name="subscription_vehicles",
    ),
    path(
        "abonnements/nouveau/vehicules/ajouter/",
        wizard_views.subscription_vehicle_add,
        name="subscription_vehicle_add",
    ),
    path(
        "abonnements/nouveau/informations/",
        wizard_views.subscription_details,
        name="subscription_details",
    ),
    path(
        "abonnements/nouveau/recapitulatif/",
        summary_views.subscription_summary,
        name="subscription_summary",
    ),
    path(
        "abonnements/nouveau/paiement/",
        payment_step_views.subscription_payment,
        name="subscription_payment",
    ),
    path(
        "abonnements/nouveau/annuler/",
        wizard_views.subscription_discard,
        name="subscription_discard",
    ),
    path(
        "abonnements/liste-attente/",
        wizard_views.subscription_waitlist_join,
        name="subscription_waitlist_join",
    ),
    path("abonnements/<int:pk>/", contract_views.subscription_detail, name="subscription_detail"),
    path(
        "abonnements/<int:pk>/annuler/",
        contract_views.subscription_cancel,
        name="subscription_cancel",
    ),
    path(
        "abonnements/<int:pk>/pieces/<int:attachment_pk>/",
        contract_views.subscription_attachment,
        name="subscription_attachment",
    ),
    path(
        "abonnements/<int:pk>/carte-de-credit/",
        payment_views.subscription_card_update,
        name="subscription_card_update",
    ),
    path(
        "abonnements/<int:pk>/calendrier-de-perception/",
        payment_views.subscription_calendar,
        name="subscription_calendar",
    ),
    path(
        "abonnements/<int:pk>/recus/<int:number>.pdf",
        payment_views.subscription_receipt,
        name="subscription_receipt",
    ),
    path(
        "abonnements/carte-acces-sw.js",
        pass_views.pass_service_worker,
        name="pass_service_worker",
    ),
    path(
        "abonnements/<int:pk>/carte-acces/",
        pass_views.subscription_pass,
        name="subscription_pass",
    ),
    path(
        "abonnements/<int:pk>/carte-acces/regenerer/",
        pass_views.subscription_pass_regenerate,
        name="subscription_pass_regenerate",
    ),
    path(
        "abonnements/<int:pk>/contrat.pdf",
        contract_views.subscription_contract,
        name="subscription_contract",
    ),
    path(
        "abonnements/<int:pk>/carte/apple-wallet.pkpass",
        wallet_views.subscription_wallet_apple,
        name="subscription_wallet_apple",
    ),
    path(
        "abonnements/<int:pk>/carte/google-wallet/",
        wallet_views.subscription_wallet_google,
        name="subscription_wallet_google",
    ),
    # After the sale: requests on a contract, reports, "Mes demandes", FAQ.
    path(
        "abonnements/<int:pk>/modification/",
        servicedesk_views.modification,
        name="subscription_modification",
    ),
    path(
        "abonnements/<int:pk>/annulation/",
        servicedesk_views.cancellation,
        name="subscription_cancellation",
    ),
    path("rapport/", servicedesk_views.report, name="report"),
    path("demandes/", servicedesk_views.request_list, name="request_list"),
    path("demandes/<int:pk>/", servicedesk_views.request_detail, name="request_detail"),
    path("demandes/<int:pk>/repondre/", servicedesk_views.request_reply, name="request_reply"),
    path("demandes/<int:pk>/retirer/", servicedesk_views.request_withdraw, name="request_withdraw"),
    path(
        "demandes/<int:pk>/pieces/<int:attachment_pk>/",
        servicedesk_views.request_attachment,
        name="request_attachment",
    ),
    path("faq/", servicedesk_views.faq, name="faq"),
    # The claim notices sent to the account ("Mes avis"); paying is the public page's.
    path("mon-compte/avis/", notice_views.my_notices, name="my_notices"),
    # PAYER UN AVIS DE RÉCLAMATION: public, no account needed (a number and its plate).
    path("avis-de-reclamation/", notice_views.notice_lookup, name="notice_lookup"),
    path("avis-de-reclamation/<str:number>/", notice_views.notice_detail, name="notice_detail"),
    path(
        "avis-de-reclamation/<str:number>/photos/<int:photo_pk>/",
        notice_views.notice_photo,
        name="notice_photo",
    ),
    path(
        "avis-de-reclamation/<str:number>/recu.pdf",
        notice_views.notice_receipt,
        name="notice_receipt",
    ),
    path(
        "avis-de-reclamation/<str:number>/payer/",
        notice_action_views.notice_pay,
        name="notice_pay",
    ),
    path(
        "avis-de-reclamation/<str:number>/contester/",
        notice_action_views.notice_contest,
        name="notice_contest",
    ),
]
