"""What fills the URLs that name an object: A's, or institution 1's."""

from __future__ import annotations

from typing import Any

from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.contrib.contenttypes.models import ContentType

from parcauto.privacy.links import data_export_token

from .outcomes import Arguments
from .routes import admin_label
from .world import Caller, Role, World


def contract(world: World) -> dict[str, Any]:
    return {"pk": world.contract.pk}


def wallet_pass(world: World) -> dict[str, Any]:
    return {
        "device": "a1b2c3d4e5f60718293a4b5c6d7e8f90",
        "pass_type": settings.WALLET_APPLE_PASS_TYPE_ID,
        "serial": str(world.access_pass.serial_number),
    }


def wallet_device(world: World) -> dict[str, Any]:
    return {key: value for key, value in wallet_pass(world).items() if key != "serial"}


def wallet_latest(world: World) -> dict[str, Any]:
    return {key: value for key, value in wallet_pass(world).items() if key != "device"}


def request(world: World) -> dict[str, Any]:
    return {"pk": world.request.pk}


def attachment(world: World) -> dict[str, Any]:
    return {"pk": world.request.pk, "attachment_pk": world.attachment.pk}


def service_request(world: World) -> dict[str, Any]:
    return {"pk": world.service_request.pk}


def service_attachment(world: World) -> dict[str, Any]:
    return {"pk": world.service_request.pk, "attachment_pk": world.service_attachment.pk}


def notice_number(world: World) -> dict[str, Any]:
    """The public notice pages name a notice by its number."""
    return {"number": world.notice.number}


def notice_number_photo(world: World) -> dict[str, Any]:
    return {"number": world.notice.number, "photo_pk": world.notice_photo.pk}


def receipt(world: World) -> dict[str, Any]:
    return {"pk": world.contract.pk, "number": world.invoice.number}


def vehicle(world: World) -> dict[str, Any]:
    return {"pk": world.admin_objects["vehicles.vehicle"].pk}


def invoice(world: World) -> dict[str, Any]:
    return {"pk": world.invoice.pk}


def billing_run(world: World) -> dict[str, Any]:
    return {"pk": world.billing_run.pk}


def data_export(world: World) -> dict[str, Any]:
    return {"pk": world.data_export.pk}


def data_export_link(world: World) -> dict[str, Any]:
    # Signed now: the link's signature is good for 7 days from the moment it is made.
    return {"token": data_export_token(world.data_export)}


def person(world: World) -> dict[str, Any]:
    return {"id": world.users[Role.CUSTOMER_A].pk}


def email_confirmation(world: World) -> dict[str, Any]:
    address = EmailAddress.objects.get(user=world.users[Role.CUSTOMER_A])
    return {"key": EmailConfirmationHMAC(address).key}


def password_reset(world: World) -> dict[str, Any]:
    user = world.users[Role.CUSTOMER_A]
    return {"uidb36": user_pk_to_url_str(user), "key": default_token_generator.make_token(user)}


def institution_on_site(world: World) -> dict[str, Any]:
    return {
        "content_type_id": ContentType.objects.get_for_model(world.home).pk,
        "object_id": world.home.pk,
    }


def device(world: World) -> dict[str, Any]:
    return {"pk": world.devices[Caller.DEVICE].device.pk}


def lot(world: World) -> dict[str, Any]:
    """A's lot, where the world's device of institution 1 stands."""
    return {"id": world.contract.lot_id}


def plate_check(world: World) -> dict[str, Any]:
    return {"pk": world.plate_check.pk}


def notice(world: World) -> dict[str, Any]:
    return {"pk": world.notice.pk}


def notice_photo(world: World) -> dict[str, Any]:
    return {"pk": world.notice.pk, "photo_pk": world.notice_photo.pk}


def admin_object(label: str) -> Arguments:
    def fill(world: World) -> dict[str, Any]:
        return {"object_id": world.admin_objects[label].pk}

    return fill


def admin_download(label: str) -> Arguments:
    def fill(world: World) -> dict[str, Any]:
        return {"pk": world.admin_objects[label].pk}

    return fill


ARGUMENTS: dict[str, Arguments] = {
    "backoffice:patrol_check": plate_check,
    "portal:vehicle_edit": vehicle,
    "portal:vehicle_delete": vehicle,
    "portal:subscription_detail": contract,
    "portal:subscription_cancel": request,  # awaiting approval: it may still be withdrawn
    "portal:subscription_attachment": attachment,
    "portal:subscription_card_update": contract,
    "portal:subscription_calendar": contract,
    "portal:subscription_receipt": receipt,
    "portal:subscription_contract": contract,
    "portal:subscription_wallet_apple": contract,
    "portal:subscription_wallet_google": contract,
    "wallets:apple_registration": wallet_pass,
    "wallets:apple_changed_serials": wallet_device,
    "wallets:apple_latest_pass": wallet_latest,
    "portal:subscription_pass": contract,
    "portal:subscription_pass_regenerate": contract,
    "portal:subscription_modification": contract,
    "portal:subscription_cancellation": contract,
    "portal:request_detail": service_request,
    "portal:request_reply": service_request,
    "portal:request_withdraw": service_request,  # a modification: nothing to withdraw
    "portal:request_attachment": service_attachment,
    "backoffice:desk_request": service_request,
    "backoffice:desk_reply": service_request,
    "backoffice:desk_note": service_request,
    "backoffice:desk_assign": service_request,
    "backoffice:desk_state": service_request,
    "backoffice:desk_cancellation_confirm": service_request,
    "backoffice:desk_cancellation_refuse": service_request,
    "backoffice:desk_attachment": service_attachment,
    "backoffice:desk_contest_decide": service_request,  # a modification: no notice to decide
    "portal:notice_detail": notice_number,
    "portal:notice_photo": notice_number_photo,
    "portal:notice_receipt": notice_number,
    "portal:notice_pay": notice_number,
    "portal:notice_contest": notice_number,
    "portal:data_export_progress": data_export,
    "portal:data_export_download": data_export_link,
    "account_confirm_email": email_confirmation,
    r"^accounts/confirm-email/(?P<key>[-:\w]+)/$": email_confirmation,
    "account_reset_password_from_key": password_reset,
    "backoffice:request": request,
    "backoffice:approve": request,
    "backoffice:refuse": request,
    "backoffice:attachment": attachment,
    "backoffice:billing_run": billing_run,
    "backoffice:billing_file_download": admin_download("payments.collectionfile"),
    "backoffice:billing_invoice": invoice,
    "backoffice:billing_refund": invoice,
    "backoffice:device_rotate": device,
    "backoffice:device_revoke": device,
    "backoffice:notice_issue": plate_check,
    "backoffice:notice_issued": notice,
    "backoffice:notice_pdf": notice,
    "backoffice:notice_pdf_roll": notice,
    "api:allowlist": lot,
    "backoffice:notice": notice,
    "backoffice:notice_cancel": notice,
    "backoffice:notice_photo": notice_photo,
    "admin:view_on_site": institution_on_site,
    "admin:app_list": lambda world: {"app_label": "tenants"},
    "admin/(?P<url>.*)$": lambda world: {"url": "nowhere/"},
    "admin:auth_user_password_change": person,
    "admin:payments_paymentmethod_download": admin_download("payments.paymentmethod"),
    "admin:payments_collectionfile_download": admin_download("payments.collectionfile"),
    "dev_mail_detail": lambda world: {"name": "0001"},
}


def arguments_for(key: str) -> Arguments | None:
    """How to fill a URL's arguments; an admin view of a model names the world's row."""
    if key in ARGUMENTS:
        return ARGUMENTS[key]
    label = admin_label(key)
    return admin_object(label) if label else None
