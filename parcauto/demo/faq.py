"""Demo FAQ: the questions the guides answer, for every portal (French first, then English).

Keyed by the French question, so a second run of the loader writes nothing.
"""

from __future__ import annotations

from parcauto.servicedesk.models import FaqEntry
from parcauto.tenants.models import Organization

from .upsert import upsert

# (topic FR, topic EN, question FR, answer FR, question EN, answer EN)
ENTRIES = [
    (
        "Compte", "Account",
        "Je n'ai pas reçu le courriel de validation de mon compte.",
        "Vérifiez votre **courrier indésirable**, puis cliquez sur « Envoyer de nouveau les "
        "instructions » sur la page de connexion. Si rien n'arrive, écrivez au centre de "
        "services.",
        "I did not receive the e-mail that validates my account.",
        "Check your **junk mail**, then click \"Send the instructions again\" on the sign-in "
        "page. If nothing arrives, write to the service centre.",
    ),
    (
        "Véhicules", "Vehicles",
        "Comment modifier ou ajouter un véhicule?",
        "Dans **PARAMÈTRES > Mes véhicules**, cliquez sur le véhicule pour l'éditer ou le "
        "supprimer, ou ajoutez-en un (2 au maximum). Un délai de **24 h** est nécessaire "
        "pour que les patrouilleurs et les caméras connaissent le changement.",
        "How do I change or add a vehicle?",
        "In **SETTINGS > My vehicles**, click the vehicle to edit or remove it, or add one "
        "(2 at most). It takes **24 hours** for patrol officers and cameras to know of the "
        "change.",
    ),
    (
        "Abonnement", "Subscription",
        "Comment changer de catégorie de permis?",
        "Dans **MON ABONNEMENT**, cliquez sur « Transmettre une demande de modification ». "
        "Indiquez le nom du permis désiré et la date souhaitée pour le changement. "
        "**Ne transmettez jamais votre numéro de carte de crédit** dans ce message.",
        "How do I change my permit category?",
        "In **MY SUBSCRIPTION**, click \"Send a modification request\". Give the name of the "
        "permit you want and the date you want the change. **Never send your credit card "
        "number** in this message.",
    ),
    (
        "Abonnement", "Subscription",
        "Comment annuler mon abonnement?",
        "Dans **MON ABONNEMENT**, cliquez sur « Transmettre une demande d'annulation », "
        "choisissez le service et la date. La date la plus proche permise découle de la "
        "clause d'annulation de votre contrat (le délai d'avis). La dernière période est "
        "facturée au prorata des jours, et vous pouvez retirer votre demande jusqu'à la "
        "date choisie.",
        "How do I cancel my subscription?",
        "In **MY SUBSCRIPTION**, click \"Send a cancellation request\", then choose the "
        "service and the date. The earliest date allowed comes from your contract's "
        "cancellation clause (its notice). The last period is billed by the day, and you "
        "can withdraw your request until the chosen date.",
    ),
    (
        "Paiement", "Payment",
        "Ma carte de crédit a changé. Que dois-je faire?",
        "Dans **MON ABONNEMENT**, cliquez sur « Mettre à jour la carte de crédit ». La carte "
        "est saisie sur la page sécurisée de notre fournisseur de paiement.",
        "My credit card changed. What should I do?",
        "In **MY SUBSCRIPTION**, click \"Update the credit card\". The card is typed on our "
        "payment provider's secure page.",
    ),
    (
        "Paiement", "Payment",
        "Quand serai-je débité?",
        "Jamais avant l'approbation de votre abonnement. La première période est calculée "
        "au prorata des jours restants du mois; les mensualités suivantes sont perçues le "
        "1er du mois. Consultez le **CALENDRIER DE PERCEPTION**.",
        "When will I be charged?",
        "Never before your subscription is approved. The first period is prorated to the "
        "days left in the month; later payments are collected on the 1st. See the "
        "**COLLECTION CALENDAR**.",
    ),
    (
        "Stationnement", "Parking",
        "La barrière ne s'ouvre pas ou l'éclairage est en panne.",
        "Utilisez **TRANSMETTRE UN RAPPORT** : choisissez le stationnement, le problème et "
        "joignez jusqu'à 3 photos. Le centre de services vous répond dans « Mes demandes ».",
        "The gate does not open, or the lights are out.",
        "Use **SEND A REPORT**: choose the parking lot and the problem, and attach up to 3 "
        "photos. The service centre answers you in \"My requests\".",
    ),
]  # fmt: skip


def load_faq(organizations: dict[str, Organization]) -> None:
    for organization in organizations.values():
        for order, (topic_fr, topic_en, q_fr, a_fr, q_en, a_en) in enumerate(ENTRIES, start=1):
            upsert(
                FaqEntry,
                lookup={"organization": organization, "question_fr": q_fr},
                values={
                    "question_en": q_en,
                    "answer_fr": a_fr,
                    "answer_en": a_en,
                    "topic_fr": topic_fr,
                    "topic_en": topic_en,
                    "sort_order": order * 10,
                    "is_published": True,
                },
            )
