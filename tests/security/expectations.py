"""The authorization matrix, declared: for every URL of the project, what each role gets.

Columns (`world.Role`): anonymous; customers A, B (same portal as A) and C (the other
institution's portal); agent and manager of institution 2; agent and manager of
institution 1; the operator administrator; then the patrol agents of institutions 2 and
1, given as `patrol=(institution 2's, institution 1's)` where they get their own pages,
and otherwise as a customer on the operator's host and as their institution's agent on
a portal (`outcomes._patrol_default`). A URL that names an object names A's, or
institution 1's (`arguments.ARGUMENTS`). Portal URLs are asked on the role's own portal,
back-office URLs on the operator's host. POST-only views are asked with an empty POST.

Outcomes (`outcomes.py`): OK 200; E4xx that status; LOGIN / ALOGIN a redirect to the
login page (allauth's / the admin's) that comes back here; TO_PROF the profile to fill in
first; TO_DASH the dashboard; TO_ADMIN the admin's "does not exist" (a row out of reach);
TO_CHANGE the admin's object URL going to its change page; to(path) any other redirect.

A new URL fails `test_every_url_is_declared` until it has a row here: declare what each
role must get, not what it happens to get.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from .outcomes import (
    ALOGIN,
    E400,
    E401,
    E403,
    E404,
    LOGIN,
    NO_CONTENT,
    OK,
    THIS_PAGE,
    TO_ADMIN,
    TO_CHANGE,
    TO_DASH,
    TO_PROF,
    Entry,
    Outcome,
    portal,
    root,
    to,
)
from .routes import admin_key
from .world import CALLERS, Caller

NEW = to("/abonnements/nouveau/")  # the wizard's first step: no request being written
REAUTH = to(f"/accounts/reauthenticate/?next={THIS_PAGE}")  # the password again, then back
QUEUE = to("/gestion/demandes/")
PATROL = to("/gestion/patrouille/")
LOGIN_NO_NEXT = to("/accounts/login/")
LOOKUP_NOTICE = to("/avis-de-reclamation/")  # the look-up (its number prefilled)


def post(entry: Entry) -> Entry:
    """A view that only answers POST (`require_POST`)."""
    return replace(entry, method="post")


def any_host(entry: Entry) -> Entry:
    """A page of both kinds of host: the portals' and the operator's (sign-in, health)."""
    return replace(entry, any_host=True)


# fmt: off
MATRIX: dict[str, Entry] = {
    # key:                         anon   A      B      C      agent2 mgr2   agent1 mgr1   operator
    # --- anyone, any host ----------------------------------------------------------------------
    "healthz": any_host(
        root(                      OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK)),
    # Prometheus' scrape: its bearer token only (tests/settings.py sets one); a session,
    # even the operator's, counts for nothing.
    "metrics": any_host(
        root(                      E401,  E401,  E401,  E401,  E401,  E401,  E401,  E401,  E401)),
    # The sandbox card frame: public like Moneris' page (a 404 with any other gateway).
    "payments:sandbox-frame": any_host(
        portal(                    OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK)),
    "payments:sandbox-tokenize": any_host(post(
        portal(                    OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK))),
    # Development only: 404 unless DEBUG (the suite runs as production does).
    "dev_mail_list":
        root(                      E404,  E404,  E404,  E404,  E404,  E404,  E404,  E404,  E404),
    "dev_mail_detail":
        root(                      E404,  E404,  E404,  E404,  E404,  E404,  E404,  E404,  E404),
    # --- the portal: each person's own pages -----------------------------------------------
    "portal:home": any_host(
        portal(LOGIN_NO_NEXT,      TO_DASH, TO_DASH, TO_DASH, TO_DASH, TO_DASH, TO_DASH, TO_DASH,
               TO_DASH)),
    "portal:dashboard":
        portal(                    LOGIN, OK,    OK,    OK,    TO_PROF, TO_PROF, TO_PROF, TO_PROF,
               TO_PROF),
    "portal:logo":  # institution 1 has no logo
        portal(                    E404,  E404,  E404,  E404,  E404,  E404,  E404,  E404,  E404),
    "portal:set_language": any_host(post(
        portal(                    to("/"), to("/"), to("/"), to("/"), to("/"), to("/"), to("/"),
               to("/"), to("/")))),
    "portal:profile":
        portal(                    LOGIN, OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK),
    "portal:resend_verification": any_host(post(
        portal(*[to("/accounts/confirm-email/")] * 9))),
    "portal:email_verified": any_host(
        portal(                    OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK)),
    "portal:settings":
        portal(                    LOGIN, OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK),
    "portal:vehicle_list":
        portal(                    LOGIN, OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK),
    "portal:vehicle_add":
        portal(                    LOGIN, OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK),
    "portal:vehicle_edit":
        portal(                    LOGIN, OK,    E404,  E404,  E404,  E404,  E404,  E404,  E404),
    "portal:vehicle_delete":
        portal(                    LOGIN, OK,    E404,  E404,  E404,  E404,  E404,  E404,  E404),
    "portal:vehicle_models":
        portal(                    LOGIN, OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK),
    "portal:subscription_list":
        portal(                    LOGIN, OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK),
    # The wizard: A has a request written up to its payment step; nobody else has one.
    "portal:subscription_new":
        portal(LOGIN, to("/abonnements/nouveau/paiement/"), OK, OK, TO_PROF, TO_PROF, TO_PROF,
               TO_PROF, TO_PROF),
    "portal:subscription_offer":
        portal(                    LOGIN, OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK),
    "portal:subscription_vehicles":
        portal(                    LOGIN, OK,    NEW,   NEW,   TO_PROF, TO_PROF, TO_PROF, TO_PROF,
               TO_PROF),
    "portal:subscription_vehicle_add": post(
        portal(                    LOGIN, OK,    NEW,   NEW,   TO_PROF, TO_PROF, TO_PROF, TO_PROF,
               TO_PROF)),
    "portal:subscription_details":
        portal(                    LOGIN, OK,    NEW,   NEW,   TO_PROF, TO_PROF, TO_PROF, TO_PROF,
               TO_PROF),
    "portal:subscription_summary":
        portal(                    LOGIN, OK,    NEW,   NEW,   TO_PROF, TO_PROF, TO_PROF, TO_PROF,
               TO_PROF),
    "portal:subscription_payment":
        portal(                    LOGIN, OK,    NEW,   NEW,   TO_PROF, TO_PROF, TO_PROF, TO_PROF,
               TO_PROF),
    "portal:subscription_discard":
        portal(                    LOGIN, OK,    NEW,   NEW,   NEW,   NEW,   NEW,   NEW,   NEW),
    "portal:subscription_waitlist_join": post(
        portal(                    LOGIN, NEW,   NEW,   NEW,   NEW,   NEW,   NEW,   NEW,   NEW)),
    # A's contract and request: A only; anyone else, staff included, as if they did not exist.
    "portal:subscription_detail":
        portal(                    LOGIN, OK,    E404,  E404,  E404,  E404,  E404,  E404,  E404),
    "portal:subscription_cancel":
        portal(                    LOGIN, OK,    E404,  E404,  E404,  E404,  E404,  E404,  E404),
    "portal:subscription_attachment":
        portal(                    LOGIN, OK,    E404,  E404,  E404,  E404,  E404,  E404,  E404),
    "portal:subscription_card_update":
        portal(                    LOGIN, OK,    E404,  E404,  E404,  E404,  E404,  E404,  E404),
    "portal:subscription_calendar":
        portal(                    LOGIN, OK,    E404,  E404,  E404,  E404,  E404,  E404,  E404),
    "portal:subscription_receipt":
        portal(                    LOGIN, OK,    E404,  E404,  E404,  E404,  E404,  E404,  E404),
    "portal:subscription_contract":
        portal(                    LOGIN, OK,    E404,  E404,  E404,  E404,  E404,  E404,  E404),
    # A's pass in a phone wallet: the signed .pkpass, and on to Google's save page.
    "portal:subscription_wallet_apple":
        portal(                    LOGIN, OK,    E404,  E404,  E404,  E404,  E404,  E404,  E404),
    "portal:subscription_wallet_google":
        portal(LOGIN, to("https://pay.google.com/"), E404, E404, E404, E404, E404, E404, E404),
    # --- wallets: phones and Google, on the portal's host; a session opens nothing -----------
    # The PassKit web service: the pass's authentication token or nothing (401); the list
    # of changed passes of a device that never registered is empty (204); the phone's log
    # takes JSON only (400 for a form).
    "wallets:apple_registration": post(
        portal(*[E401] * 9)),
    "wallets:apple_changed_serials":
        portal(*[NO_CONTENT] * 9),
    "wallets:apple_latest_pass":
        portal(*[E401] * 9),
    "wallets:apple_log": post(
        portal(*[E400] * 9)),
    "wallets:logo":  # public: Google Wallet fetches it
        portal(*[OK] * 9),
    # The access card's offline copy: a script with no data in it, for anyone on a portal.
    "portal:pass_service_worker":
        portal(                    OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK),
    # The access card and its "Régénérer mon code" (confirmation page; POST regenerates).
    "portal:subscription_pass":
        portal(                    LOGIN, OK,    E404,  E404,  E404,  E404,  E404,  E404,  E404),
    "portal:subscription_pass_regenerate":
        portal(                    LOGIN, OK,    E404,  E404,  E404,  E404,  E404,  E404,  E404),
    # After the sale: A's contract and A's request (a modification, with a file).
    "portal:subscription_modification":
        portal(                    LOGIN, OK,    E404,  E404,  E404,  E404,  E404,  E404,  E404),
    "portal:subscription_cancellation":
        portal(                    LOGIN, OK,    E404,  E404,  E404,  E404,  E404,  E404,  E404),
    "portal:report":
        portal(                    LOGIN, OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK),
    "portal:request_list":
        portal(                    LOGIN, OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK),
    "portal:faq":
        portal(                    LOGIN, OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK),
    # "Mes avis": each person's own notices (A has one; anyone else an empty list).
    "portal:my_notices":
        portal(                    LOGIN, OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK),
    "portal:request_detail":
        portal(                    LOGIN, OK,    E404,  E404,  E404,  E404,  E404,  E404,  E404),
    "portal:request_reply": post(  # no answer typed: the page again, with the error
        portal(                    LOGIN, OK,    E404,  E404,  E404,  E404,  E404,  E404,  E404)),
    "portal:request_withdraw":  # a modification: nothing to withdraw, back to the request
        portal(LOGIN, to("/demandes/{pk}/"), E404, E404, E404, E404, E404, E404, E404),
    "portal:request_attachment":
        portal(                    LOGIN, OK,    E404,  E404,  E404,  E404,  E404,  E404,  E404),
    # PARAMÈTRES: each person's own preferences, data, consents and closure (staff too: they
    # have an account like anyone's). A's download: A only, anyone else as if it did not exist.
    "portal:communication":
        portal(                    LOGIN, OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK),
    "portal:my_data":
        portal(                    LOGIN, OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK),
    "portal:data_export_start": post(
        portal(LOGIN, *[to("/parametres/mes-donnees/")] * 8)),
    "portal:data_export_progress":
        portal(                    LOGIN, OK,    E404,  E404,  E404,  E404,  E404,  E404,  E404),
    "portal:data_export_download":
        portal(                    LOGIN, OK,    E404,  E404,  E404,  E404,  E404,  E404,  E404),
    "portal:consents":
        portal(                    LOGIN, OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK),
    "portal:account_close":  # the reasons it cannot be closed yet, or the form
        portal(                    LOGIN, OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK),
    # Public: after a closure (signed out), and each institution's privacy page.
    "portal:account_closed":
        portal(                    OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK),
    "portal:privacy":
        portal(                    OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK),
    # PAYER UN AVIS DE RÉCLAMATION: the look-up is public; the world's notice (on A's plate,
    # unpaid) opens to its account, and to whoever found it with its plate (a session none
    # of these has): anyone else goes back to the look-up, as for a number that does not
    # exist. Unpaid: no receipt. A's empty payment: no card typed, the page again.
    "portal:notice_lookup":
        portal(                    OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK),
    "portal:notice_detail":
        portal(LOOKUP_NOTICE, OK, *[LOOKUP_NOTICE] * 7),
    "portal:notice_photo":
        portal(LOOKUP_NOTICE, OK, *[LOOKUP_NOTICE] * 7),
    "portal:notice_receipt":
        portal(LOOKUP_NOTICE, E404, *[LOOKUP_NOTICE] * 7),
    "portal:notice_pay": post(
        portal(LOOKUP_NOTICE, OK, *[LOOKUP_NOTICE] * 7)),
    "portal:notice_contest":
        portal(LOOKUP_NOTICE, OK, *[LOOKUP_NOTICE] * 7),
    # --- accounts (allauth), asked on the portal -----------------------------------------
    # Ours, in front of allauth's page of the same URL (`account_email_verification_sent`).
    "accounts/confirm-email/": any_host(
        portal(                    OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK)),
    "account_email_verification_sent": any_host(
        portal(                    OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK)),
    "account_login": any_host(
        portal(                    OK,    TO_DASH, TO_DASH, TO_DASH, TO_PROF, TO_PROF, TO_PROF,
               TO_PROF, TO_PROF)),
    "account_logout": any_host(
        portal(                    to("/"), OK,  OK,    OK,    OK,    OK,    OK,    OK,    OK)),
    "account_inactive": any_host(
        portal(                    OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK)),
    "account_signup": any_host(
        portal(                    OK,    TO_DASH, TO_DASH, TO_DASH, TO_PROF, TO_PROF, TO_PROF,
               TO_PROF, TO_PROF)),
    "account_reauthenticate": any_host(
        portal(                    LOGIN, OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK)),
    "account_email": any_host(
        portal(                    LOGIN, OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK)),
    "account_change_password": any_host(
        portal(                    LOGIN, OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK)),
    "account_set_password": any_host(
        portal(LOGIN, *[to("/accounts/password/change/")] * 8)),
    "account_reset_password": any_host(
        portal(                    OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK)),
    "account_confirm_login_code": any_host(  # login by code is off: back to the login page
        portal(LOGIN_NO_NEXT,      TO_DASH, TO_DASH, TO_DASH, TO_PROF, TO_PROF, TO_PROF, TO_PROF,
               TO_PROF)),
    # A's link, shown to anyone who has it; confirming takes a POST by the account that
    # asked (ours, in front of allauth's `account_confirm_email`).
    r"^accounts/confirm-email/(?P<key>[-:\w]+)/$": any_host(
        portal(                    OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK)),
    "account_confirm_email": any_host(
        portal(                    OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK)),
    "account_reset_password_from_key_done": any_host(
        portal(                    OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK)),
    # A's reset link: the key moves to the session, then the form asks for the new password.
    "account_reset_password_from_key": any_host(
        portal(*[to("/accounts/password/reset/key/{uidb36}-set-password/")] * 9)),
    "account_reset_password_done": any_host(
        portal(                    OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK)),
    "mfa_index": any_host(
        portal(                    LOGIN, OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK)),
    "mfa_authenticate": any_host(  # only between password and code: nothing to do here otherwise
        portal(LOGIN_NO_NEXT,      TO_DASH, TO_DASH, TO_DASH, TO_PROF, TO_PROF, TO_PROF, TO_PROF,
               TO_PROF)),
    "mfa_reauthenticate": any_host(  # staff have an app; customers none: their password instead
        portal(LOGIN, *[to("/accounts/reauthenticate/")] * 3, OK, OK, OK,   OK,    OK)),
    "mfa_activate_totp": any_host(
        portal(                    LOGIN, REAUTH, REAUTH, REAUTH, REAUTH, REAUTH, REAUTH, REAUTH,
               REAUTH)),
    "mfa_deactivate_totp": any_host(
        portal(                    LOGIN, E404,  E404,  E404,  REAUTH, REAUTH, REAUTH, REAUTH,
               REAUTH)),
    "mfa_view_recovery_codes": any_host(
        portal(                    LOGIN, E404,  E404,  E404,  E404,  E404,  E404,  E404,  E404)),
    "mfa_generate_recovery_codes": any_host(
        portal(                    LOGIN, REAUTH, REAUTH, REAUTH, REAUTH, REAUTH, REAUTH, REAUTH,
               REAUTH)),
    "mfa_download_recovery_codes": any_host(
        portal(                    LOGIN, E404,  E404,  E404,  E404,  E404,  E404,  E404,  E404)),
    # --- /gestion/: staff only; another institution's rows answer 404 -----------------------
    "backoffice:home":  # a patrol agent's home is the patrol page
        root(                      LOGIN, E403,  E403,  E403,  QUEUE, QUEUE, QUEUE, QUEUE, QUEUE,
             patrol=(PATROL, PATROL)),
    "backoffice:queue":
        root(                      LOGIN, E403,  E403,  E403,  OK,    OK,    OK,    OK,    OK),
    "backoffice:bulk_approve": post(
        root(                      LOGIN, E403,  E403,  E403,  QUEUE, QUEUE, QUEUE, QUEUE, QUEUE)),
    "backoffice:request":
        root(                      LOGIN, E403,  E403,  E403,  E404,  E404,  OK,    OK,    OK),
    "backoffice:approve": post(
        root(LOGIN, E403, E403, E403, E404, E404, *[to("/gestion/demandes/{pk}/")] * 3)),
    "backoffice:refuse": post(  # 400: no reason given
        root(                      LOGIN, E403,  E403,  E403,  E404,  E404,  E400,  E400,  E400)),
    "backoffice:attachment":
        root(                      LOGIN, E403,  E403,  E403,  E404,  E404,  OK,    OK,    OK),
    # Runs span institutions: each staff member sees the counts of their own.
    "backoffice:billing_runs":
        root(                      LOGIN, E403,  E403,  E403,  OK,    OK,    OK,    OK,    OK),
    "backoffice:billing_run":
        root(                      LOGIN, E403,  E403,  E403,  OK,    OK,    OK,    OK,    OK),
    "backoffice:billing_failed":
        root(                      LOGIN, E403,  E403,  E403,  OK,    OK,    OK,    OK,    OK),
    "backoffice:billing_files":
        root(                      LOGIN, E403,  E403,  E403,  OK,    OK,    OK,    OK,    OK),
    # Whole bank account numbers: the institution's manager and the operator.
    "backoffice:billing_file_download":
        root(                      LOGIN, E403,  E403,  E403,  E404,  E404,  E403,  OK,    OK),
    # Importing the bank's returns changes money: managers and the operator.
    "backoffice:billing_returns":
        root(                      LOGIN, E403,  E403,  E403,  E403,  OK,    E403,  OK,    OK),
    "backoffice:billing_revenue":
        root(                      LOGIN, E403,  E403,  E403,  OK,    OK,    OK,    OK,    OK),
    "backoffice:billing_revenue_csv":
        root(                      LOGIN, E403,  E403,  E403,  OK,    OK,    OK,    OK,    OK),
    "backoffice:billing_invoices":
        root(                      LOGIN, E403,  E403,  E403,  OK,    OK,    OK,    OK,    OK),
    "backoffice:billing_invoice":
        root(                      LOGIN, E403,  E403,  E403,  E404,  E404,  OK,    OK,    OK),
    "backoffice:billing_refund": post(  # a money decision: not agents; 400: no amount given
        root(                      LOGIN, E403,  E403,  E403,  E404,  E404,  E403,  E400,  E400)),
    # Access: devices and their keys are the managers' (and the operator's); the test gate is
    # every staff member's, for their institutions' lots.
    "backoffice:devices":
        root(                      LOGIN, E403,  E403,  E403,  E403,  OK,    E403,  OK,    OK),
    "backoffice:device_add":
        root(                      LOGIN, E403,  E403,  E403,  E403,  OK,    E403,  OK,    OK),
    "backoffice:device_rotate": post(  # the page that shows the new key once
        root(                      LOGIN, E403,  E403,  E403,  E404,  E404,  E403,  OK,    OK)),
    "backoffice:device_revoke": post(
        root(LOGIN, E403, E403, E403, E404, E404, E403, *[to("/gestion/acces/appareils/")] * 2)),
    "backoffice:gate_simulator":
        root(                      LOGIN, E403,  E403,  E403,  OK,    OK,    OK,    OK,    OK),
    # Patrol: the patrol agents and the managers of the lot's institution (and the operator);
    # service-centre agents do not patrol. Another institution's check does not exist.
    "backoffice:patrol":
        root(                      LOGIN, E403,  E403,  E403,  E403,  OK,    E403,  OK,    OK,
             patrol=(OK, OK)),
    "backoffice:patrol_check":
        root(                      LOGIN, E403,  E403,  E403,  E403,  E404,  E403,  OK,    OK,
             patrol=(E404, OK)),
    # --- /api/: devices only (DEVICE_MATRIX); a person's session is no key --------------------
    "api:plate_checks": any_host(post(
        root(                      E401,  E401,  E401,  E401,  E401,  E401,  E401,  E401,  E401))),
    "api:decisions": any_host(post(
        root(                      E401,  E401,  E401,  E401,  E401,  E401,  E401,  E401,  E401))),
    "api:allowlist": any_host(
        root(                      E401,  E401,  E401,  E401,  E401,  E401,  E401,  E401,  E401)),
    # The schema and its docs are public: they describe the API, no institution's data.
    "api:schema": any_host(
        root(                      OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK)),
    "api:docs": any_host(
        root(                      OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK)),
    "api:not_found": any_host(
        root(                      E404,  E404,  E404,  E404,  E404,  E404,  E404,  E404,  E404)),
    # The service centre's inbox: any staff role of the request's institution works it.
    "backoffice:desk":
        root(                      LOGIN, E403,  E403,  E403,  OK,    OK,    OK,    OK,    OK),
    "backoffice:desk_request":
        root(                      LOGIN, E403,  E403,  E403,  E404,  E404,  OK,    OK,    OK),
    "backoffice:desk_reply": post(  # 400: no reply typed
        root(                      LOGIN, E403,  E403,  E403,  E404,  E404,  E400,  E400,  E400)),
    "backoffice:desk_note": post(
        root(                      LOGIN, E403,  E403,  E403,  E404,  E404,  E400,  E400,  E400)),
    "backoffice:desk_assign": post(  # nobody chosen: assigned to nobody
        root(LOGIN, E403, E403, E403, E404, E404, *[to("/gestion/service/{pk}/")] * 3)),
    "backoffice:desk_state": post(  # 400: no state chosen
        root(                      LOGIN, E403,  E403,  E403,  E404,  E404,  E400,  E400,  E400)),
    "backoffice:desk_cancellation_confirm": post(  # a modification: refused, back to it
        root(LOGIN, E403, E403, E403, E404, E404, *[to("/gestion/service/{pk}/")] * 3)),
    "backoffice:desk_cancellation_refuse": post(  # 400: no reason given
        root(                      LOGIN, E403,  E403,  E403,  E404,  E404,  E400,  E400,  E400)),
    "backoffice:desk_attachment":
        root(                      LOGIN, E403,  E403,  E403,  E404,  E404,  OK,    OK,    OK),
    # Issuing notices: those who patrol the institution (its patrol agents and managers);
    # service agents patrol nowhere (403). The check and the notice are institution 1's:
    # institution 2's manager and patrol agent get 404.
    "backoffice:notice_issue":
        root(                      LOGIN, E403,  E403,  E403,  E403,  E404,  E403,  OK,    OK,
             patrol=(E404, OK)),
    "backoffice:notice_new":
        root(                      LOGIN, E403,  E403,  E403,  E403,  OK,    E403,  OK,    OK,
             patrol=(OK, OK)),
    "backoffice:notice_issued":
        root(                      LOGIN, E403,  E403,  E403,  E403,  E404,  E403,  OK,    OK,
             patrol=(E404, OK)),
    "backoffice:notice_pdf":
        root(                      LOGIN, E403,  E403,  E403,  E403,  E404,  E403,  OK,    OK,
             patrol=(E404, OK)),
    "backoffice:notice_pdf_roll":
        root(                      LOGIN, E403,  E403,  E403,  E403,  E404,  E403,  OK,    OK,
             patrol=(E404, OK)),
    "backoffice:desk_contest_decide": post(  # 400: no decision nor reason given
        root(                      LOGIN, E403,  E403,  E403,  E404,  E404,  E400,  E400,  E400)),
    # What is kept and for how long: the managers and the operator, not agents.
    "backoffice:retention":
        root(                      LOGIN, E403,  E403,  E403,  E403,  OK,    E403,  OK,    OK),
    # Claim notices and plate checks: the managers and agents of the notice's institution
    # (patrol agents: their patrol pages only); a photo is shown to them alone.
    "backoffice:notices":
        root(                      LOGIN, E403,  E403,  E403,  OK,    OK,    OK,    OK,    OK),
    "backoffice:notices_csv":
        root(                      LOGIN, E403,  E403,  E403,  OK,    OK,    OK,    OK,    OK),
    "backoffice:notices_weekly":
        root(                      LOGIN, E403,  E403,  E403,  OK,    OK,    OK,    OK,    OK),
    "backoffice:plate_checks":
        root(                      LOGIN, E403,  E403,  E403,  OK,    OK,    OK,    OK,    OK),
    "backoffice:notice":
        root(                      LOGIN, E403,  E403,  E403,  E404,  E404,  OK,    OK,    OK),
    "backoffice:notice_photo":
        root(                      LOGIN, E403,  E403,  E403,  E404,  E404,  OK,    OK,    OK),
    # Writing a claim off is a money decision: not agents; 400: no reason given.
    "backoffice:notice_cancel": post(
        root(                      LOGIN, E403,  E403,  E403,  E404,  E404,  E403,  E400,  E400)),
    # --- /admin/: the site's own pages ------------------------------------------------------
    "admin:index":
        root(                      ALOGIN, ALOGIN, ALOGIN, ALOGIN, OK, OK,    OK,    OK,    OK),
    "admin:login":
        root(to("/accounts/login/?next=/admin/"), E403, E403, E403, TO_ADMIN, TO_ADMIN, TO_ADMIN,
             TO_ADMIN, TO_ADMIN),
    "admin:logout": post(
        root(                      TO_ADMIN, TO_ADMIN, TO_ADMIN, TO_ADMIN, OK, OK, OK, OK, OK)),
    "admin:password_change":
        root(                      ALOGIN, ALOGIN, ALOGIN, ALOGIN, OK, OK,    OK,    OK,    OK),
    "admin:password_change_done":
        root(                      ALOGIN, ALOGIN, ALOGIN, ALOGIN, OK, OK,    OK,    OK,    OK),
    "admin:autocomplete":  # no field named: refused
        root(                      ALOGIN, ALOGIN, ALOGIN, ALOGIN, E403, E403, E403, E403, E403),
    "admin:jsi18n":
        root(                      ALOGIN, ALOGIN, ALOGIN, ALOGIN, OK, OK,    OK,    OK,    OK),
    "admin:view_on_site":  # institutions have no page of their own
        root(                      ALOGIN, ALOGIN, ALOGIN, ALOGIN, E404, E404, E404, E404, E404),
    "admin:app_list":
        root(                      ALOGIN, ALOGIN, ALOGIN, ALOGIN, OK, OK,    OK,    OK,    OK),
    "admin/(?P<url>.*)$":
        root(                      ALOGIN, ALOGIN, ALOGIN, ALOGIN, E404, E404, E404, E404, E404),
    "admin:auth_user_password_change":
        root(                      ALOGIN, ALOGIN, ALOGIN, ALOGIN, E403, E403, E403, E403, OK),
    # Files with whole bank account numbers (a cheque, a CPA-005 file): the manager of the
    # row's institution and the operator; another institution's row is a 404.
    "admin:payments_paymentmethod_download":
        root(                      ALOGIN, ALOGIN, ALOGIN, ALOGIN, E404, E404, E403,  OK,    OK),
    "admin:payments_collectionfile_download":
        root(                      ALOGIN, ALOGIN, ALOGIN, ALOGIN, E404, E404, E403,  OK,    OK),
}

# --- /admin/: each registered model's views, by the kind of its ModelAdmin ------------------
_OUT = (ALOGIN, ALOGIN, ALOGIN, ALOGIN)  # anonymous and customers: the admin's login first

# Rows of one institution (catalog, legal texts, bank settings): its managers edit, its
# agents view; another institution's row is out of reach, as if it did not exist.
SCOPED = {
    #                  agent2    mgr2      agent1 mgr1  operator
    "changelist": root(*_OUT, OK,       OK,       OK,    OK,   OK),
    "add":        root(*_OUT, E403,     OK,       E403,  OK,   OK),
    "change":     root(*_OUT, TO_ADMIN, TO_ADMIN, OK,    OK,   OK),
    "delete":     root(*_OUT, E403,     TO_ADMIN, E403,  OK,   OK),
    "history":    root(*_OUT, TO_ADMIN, TO_ADMIN, OK,    OK,   OK),
    "object":     root(*_OUT, TO_CHANGE, TO_CHANGE, TO_CHANGE, TO_CHANGE, TO_CHANGE),
}
# Institutions: managers change their branding; only the operator adds or deletes one.
INSTITUTIONS = SCOPED | {
    "add":        root(*_OUT, E403,     E403,     E403,  E403, OK),
    "delete":     root(*_OUT, E403,     E403,     E403,  E403, OK),
}
# Records of what happened (audit, contracts, payments, files): viewed by the staff of
# their institution, changed by nobody.
RECORDS = SCOPED | {
    "add":        root(*_OUT, E403,     E403,     E403,  E403, E403),
    "delete":     root(*_OUT, E403,     E403,     E403,  E403, E403),
}
# The audit trail: the managers of the event's institution (but the events of a person's
# own account) and the operator; agents work in the request pages.
AUDIT = RECORDS | {
    "changelist": root(*_OUT, E403,     OK,       E403,  OK,   OK),
    "change":     root(*_OUT, E403,     TO_ADMIN, E403,  OK,   OK),
    "history":    root(*_OUT, TO_ADMIN, TO_ADMIN, TO_ADMIN, OK, OK),
}
# The register of confidentiality incidents: the managers of the incident's institution
# and the operator, who alone deletes an entry made by mistake; agents never see it.
INCIDENTS = SCOPED | {
    "changelist": root(*_OUT, E403,     OK,       E403,  OK,   OK),
    "add":        root(*_OUT, E403,     OK,       E403,  OK,   OK),
    "change":     root(*_OUT, E403,     TO_ADMIN, E403,  OK,   OK),
    "delete":     root(*_OUT, E403,     E403,     E403,  E403, OK),
    "history":    root(*_OUT, TO_ADMIN, TO_ADMIN, TO_ADMIN, OK, OK),
}
# People, staff roles, e-mail addresses: the operator only.
OPERATOR = {
    "changelist": root(*_OUT, E403,     E403,     E403,  E403, OK),
    "add":        root(*_OUT, E403,     E403,     E403,  E403, OK),
    "change":     root(*_OUT, E403,     E403,     E403,  E403, OK),
    "delete":     root(*_OUT, E403,     E403,     E403,  E403, OK),
    "history":    root(*_OUT, E403,     E403,     E403,  E403, OK),
    "object":     SCOPED["object"],
}
# The operator only, and read-only even for them (or as the third-party admin allows).
OPERATOR_VIEWS = OPERATOR | {
    "add":        RECORDS["add"],
    "delete":     RECORDS["delete"],
}
# fmt: on

ADMIN_MODELS: dict[str, dict[str, Entry]] = {
    "tenants.organization": INSTITUTIONS,
    "tenants.legaltext": SCOPED,
    "catalog.parkinglot": SCOPED,
    "catalog.usercategory": SCOPED,
    "catalog.permitproduct": SCOPED,
    "catalog.productgrant": SCOPED,
    # Each institution's amounts of claim notices: edited like its catalog.
    "enforcement.noticetariff": SCOPED,
    "payments.padoriginator": SCOPED,
    "payments.payrollemployer": SCOPED,
    # Each institution's FAQ and response time: its managers write them, its agents read.
    "servicedesk.faqentry": SCOPED,
    "servicedesk.servicedesksettings": SCOPED,
    "privacy.privacysettings": SCOPED,
    "privacy.confidentialityincident": INCIDENTS,
    "audit.auditevent": AUDIT,
    "subscriptions.subscription": RECORDS,
    "access.accesspass": RECORDS,
    "access.accessgrant": RECORDS,
    "payments.paymentmethod": RECORDS,
    "payments.collectionfile": RECORDS,
    "payments.paymentattempt": RECORDS,
    "accounts.user": OPERATOR,
    "accounts.profile": OPERATOR,
    "accounts.staffrole": OPERATOR,
    "account.emailaddress": OPERATOR,
    # Outbound e-mails carry links and personal data: the operator reads them, nobody else.
    "notifications.outboundemail": OPERATOR_VIEWS,
    # Removing a lost authenticator is how the operator unlocks a staff member.
    "mfa.authenticator": OPERATOR | {"add": RECORDS["add"]},
    "vehicles.vehicle": OPERATOR_VIEWS,
    "django_tasks_database.dbtaskresult": OPERATOR_VIEWS,
}


@dataclass(frozen=True)
class DeviceEntry:
    """What each API caller gets from one URL; a POST sends a valid decision request
    naming A's lot (`test_device_matrix`)."""

    outcomes: dict[Caller, Outcome]
    method: str = "get"


def device_row(*outcomes: Outcome, method: str = "get") -> DeviceEntry:
    """Outcomes in the order of `world.Caller`."""
    if len(outcomes) != len(CALLERS):
        raise ValueError(f"{len(CALLERS)} outcomes expected, one per caller")
    return DeviceEntry(dict(zip(CALLERS, outcomes, strict=True)), method)


# Devices are callers of their own: a key, no person. Asked on the operator's host (the key
# decides the institution; tests/api/ asks on portal hosts too). Another institution's lot
# answers exactly as a lot that does not exist.
# fmt: off
DEVICE_MATRIX: dict[str, DeviceEntry] = {
    # key:                        no key  gate    phone of   camera of    revoked
    #                                             other lot  institution 2
    "api:decisions": device_row(  E401,   OK,     E403,      E404,        E401, method="post"),
    "api:allowlist": device_row(  E401,   OK,     E403,      E404,        E401),
    # A gate reader does not check parked cars; a patrol phone walks every lot of its
    # institution; institution 2's camera cannot name A's lot.
    "api:plate_checks": device_row(E401,  E403,   OK,        E404,        E401, method="post"),
    "api:schema":    device_row(  OK,     OK,     OK,        OK,          OK),
    "api:docs":      device_row(  OK,     OK,     OK,        OK,          OK),
    "api:not_found": device_row(  E404,   E404,   E404,      E404,        E404),
}
# fmt: on


def declared() -> dict[str, Entry]:
    """Every row: MATRIX, and each admin model's views under their URL keys."""
    entries = dict(MATRIX)
    for label, views in ADMIN_MODELS.items():
        entries |= {admin_key(label, view): entry for view, entry in views.items()}
    return entries
