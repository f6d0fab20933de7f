"""The words on a wallet pass, in each language the institution offers (French first)."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _

from .content import PassContent, PassState


def pass_texts(content: PassContent, language: str) -> dict[str, str]:
    """Label and value texts by key, in `language`: Apple's `pass.strings` of that
    language, Google's translated values."""
    with translation.override(language):
        states = {
            PassState.ACTIVE: _("Active"),
            PassState.SUSPENDED: _("Suspended"),
            PassState.VOIDED: _("Cancelled"),
        }
        institution = content.institution
        return {
            "description": _("Parking permit of %(institution)s")
            % {"institution": institution.name_fr if language == "fr" else institution.name_en},
            "institution": institution.name_fr if language == "fr" else institution.name_en,
            "product": content.product_fr if language == "fr" else content.product_en,
            "status": _("Status"),
            "state": str(states[content.state]),
            # Not ngettext: "Parking lot" is already a msgid of its own elsewhere.
            "lots": _("Parking lots") if len(content.lots) > 1 else _("Parking lot"),
            "holder": _("Holder"),
            "contract": _("Contract"),
            "permit": _("Permit"),
            "valid_from": _("Valid from"),
            "valid_until": _("Valid until"),
            "open_ended": _("No end date"),
            "plates": _("Licence plates") if len(content.plates) > 1 else _("Licence plate"),
            "no_plate": _("None registered"),
            "how": _("How to use it"),
            "how_text": _(
                "Show this code to the gate reader. The pass updates by itself when your "
                "contract or your vehicles change."
            ),
            "suspended_text": _(
                "This permit is suspended: the gate refuses it until the balance is paid."
            ),
            "service_centre": _("Customer service"),
            # What the phone's notification says when the value changes (%@: the new one).
            "status_changed": _("Your permit: %@"),
            "plates_changed": _("Plates on your permit: %@"),
        }
