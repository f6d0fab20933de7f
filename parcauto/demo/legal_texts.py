"""Demo conditions, PAD agreement and privacy policy (French first, then English).

`{name}` is the institution, `{phone}` its service-centre number.
"""

from __future__ import annotations

SUBSCRIPTION_CONDITIONS_FR = """\
Conditions d'abonnement au stationnement\u00a0: {name}

1. Objet. L'abonnement donne le droit de stationner un seul véhicule à la fois dans le ou \
les stationnements indiqués au contrat, pendant la période prévue. Il ne garantit pas un \
espace précis, sauf pour un permis «\u00a0Espace réservé\u00a0».

2. Approbation. Toute demande est soumise à l'approbation de l'exploitant, qui vérifie \
l'admissibilité de la personne (catégorie d'utilisateur, numéro d'employé, preuve de stage). \
Aucun montant n'est perçu avant l'approbation. En cas de refus, les renseignements de \
paiement sont détruits.

3. Véhicules. Vous pouvez inscrire au plus deux véhicules. Tout ajout ou modification prend \
effet 24 heures plus tard, le temps que les patrouilleurs et les caméras en soient informés. \
Il vous revient de tenir ces renseignements à jour.

4. Documents d'accès. Le billet virtuel et tout document d'accès sont personnels et \
incessibles. Le remplacement d'un document perdu peut entraîner des frais.

5. Annulation. Vous pouvez mettre fin à l'abonnement en transmettant une demande \
d'annulation sur la plateforme, au moins 30 jours avant le renouvellement du 1er du mois. \
Aucun remboursement n'est accordé pour une période commencée.

6. Infractions. Un véhicule stationné sans droit valide ou hors des espaces autorisés peut \
recevoir un avis de réclamation.

Centre de services\u00a0: {phone}
"""

SUBSCRIPTION_CONDITIONS_EN = """\
Parking subscription conditions: {name}

1. Purpose. The subscription entitles you to park one vehicle at a time in the lot or lots \
named in the contract, for the period it states. It does not guarantee a specific space, \
except for a "Reserved space" permit.

2. Approval. Every request is subject to the operator's approval, after checking that you \
are eligible (user category, employee number, proof of internship). Nothing is charged \
before approval. If the request is refused, your payment information is destroyed.

3. Vehicles. You may register up to two vehicles. Any addition or change takes effect 24 \
hours later, so that patrol officers and cameras know about it. Keeping this information \
up to date is your responsibility.

4. Access documents. The virtual pass and any access document are personal and may not be \
transferred. Replacing a lost document may carry a fee.

5. Cancellation. You may end the subscription by sending a cancellation request on the \
platform at least 30 days before the renewal on the 1st of the month. No refund is given \
for a period already begun.

6. Infractions. A vehicle parked without a valid right or outside the authorized spaces \
may receive a claim notice.

Service centre: {phone}
"""

PAYMENT_CONDITIONS_FR = """\
Conditions de paiement\u00a0: {name}

1. Prix. Les prix sont affichés taxes incluses. La TPS (5 %) et la TVQ (9,975 %) figurent \
sur chaque facture avec les numéros d'inscription de l'exploitant.

2. Perception. Les mensualités sont perçues le 1er de chaque mois par carte de crédit, par \
prélèvement préautorisé ou par retenue sur le salaire, selon le mode choisi et permis pour \
votre catégorie. La première période est calculée au prorata des jours restants du mois.

3. Approbation. Vous n'êtes débité qu'une fois l'abonnement approuvé.

4. Paiement refusé. Si l'émetteur de la carte refuse la transaction, le contrat peut être \
annulé et le billet virtuel désactivé. Le solde impayé demeure exigible.

5. Intérêts. Tout montant en souffrance porte intérêt au taux de 1,5 % par mois (19,56 % \
par année) à compter de son échéance.

6. Prélèvements préautorisés. Le calendrier de perception vous est transmis au moins 10 \
jours avant le premier prélèvement, et tout changement de montant ou de date au moins 10 \
jours à l'avance. Vous pouvez révoquer votre autorisation en tout temps, moyennant un \
préavis de 30 jours.

7. Mise à jour. Il vous revient de mettre à jour votre carte de crédit lorsque son numéro \
ou sa date d'expiration change.
"""

PAYMENT_CONDITIONS_EN = """\
Payment conditions: {name}

1. Prices. Prices are shown taxes included. The GST (5%) and the QST (9.975%) appear on \
every invoice with the operator's registration numbers.

2. Collection. Monthly payments are collected on the 1st of each month by credit card, \
pre-authorized debit or payroll deduction, as you chose and as your category allows. The \
first period is prorated on the days left in the month.

3. Approval. You are charged only once the subscription is approved.

4. Declined payment. If the card issuer declines the transaction, the contract may be \
cancelled and the virtual pass deactivated. The unpaid balance remains due.

5. Interest. Any overdue amount bears interest at 1.5% per month (19.56% per year) from \
its due date.

6. Pre-authorized debits. The collection calendar is sent to you at least 10 days before \
the first debit, and any change of amount or date at least 10 days in advance. You may \
revoke your authorization at any time with 30 days' notice.

7. Updates. You must update your credit card when its number or expiry date changes.
"""

SUBSCRIPTION_CONDITIONS = (SUBSCRIPTION_CONDITIONS_FR, SUBSCRIPTION_CONDITIONS_EN)
PAYMENT_CONDITIONS = (PAYMENT_CONDITIONS_FR, PAYMENT_CONDITIONS_EN)

# The pre-authorized debit agreement (rule 26): category, amount and timing, cancellation,
# recourse. `{name}` is the institution, `{phone}` its service-centre number.
PAD_AGREEMENT_FR = """\
Accord de prélèvement préautorisé (DPA)\u00a0: {name}

1. Autorisation. Vous autorisez {name} et son institution financière à prélever sur le \
compte bancaire indiqué les montants dus pour votre abonnement au stationnement. Le compte \
est le vôtre, ou vous êtes autorisé à le débiter.

2. Catégorie. Il s'agit d'un DPA personnel ou d'entreprise, selon le type de compte que \
vous indiquez.

3. Montant et moment. Chaque prélèvement correspond au montant de la période, taxes \
incluses\u00a0: le 1er de chaque mois pour un permis mensuel (la première période au prorata \
des jours), ou une seule fois au début de la période pour un permis de session. Le \
calendrier de perception vous est transmis avec la confirmation du présent accord, au moins \
10 jours avant le premier prélèvement. Tout changement de montant ou de date vous est \
transmis au moins 10 jours à l'avance.

4. Prélèvement refusé. Un prélèvement retourné par votre institution financière est \
traité comme un paiement refusé selon les conditions de paiement.

5. Annulation. Vous pouvez annuler le présent accord en tout temps, moyennant un préavis \
de 30 jours, dans le portail ou auprès du centre de services ({phone}). Pour obtenir un \
formulaire d'annulation ou plus d'information sur votre droit d'annuler un accord de DPA, \
communiquez avec votre institution financière ou visitez www.paiements.ca. L'annulation de \
l'accord ne met pas fin à l'abonnement.

6. Recours. Vous disposez de certains droits de recours si un prélèvement n'est pas \
conforme au présent accord. Par exemple, vous avez le droit de recevoir le remboursement \
de tout prélèvement qui n'est pas autorisé ou qui n'est pas compatible avec le présent \
accord, sur demande à votre institution financière dans les 90 jours (10 jours ouvrables \
pour un DPA d'entreprise). Pour obtenir plus de renseignements sur vos droits de recours, \
communiquez avec votre institution financière ou visitez www.paiements.ca.
"""

PAD_AGREEMENT_EN = """\
Pre-authorized debit (PAD) agreement: {name}

1. Authorization. You authorize {name} and its financial institution to debit the bank \
account you gave for the amounts due for your parking subscription. The account is yours, \
or you are authorized to debit it.

2. Category. This is a personal or business PAD, according to the type of account you \
state.

3. Amount and timing. Each debit is the amount of the period, taxes included: on the 1st \
of each month for a monthly permit (the first period prorated on the days), or once at the \
start of the period for a term permit. The collection calendar is sent to you with the \
confirmation of this agreement, at least 10 days before the first debit. Any change of \
amount or date is sent to you at least 10 days in advance.

4. Returned debit. A debit returned by your financial institution is treated as a declined \
payment under the payment conditions.

5. Cancellation. You may cancel this agreement at any time with 30 days' notice, in the \
portal or through the service centre ({phone}). To obtain a sample cancellation form, or \
for more information on your right to cancel a PAD agreement, contact your financial \
institution or visit www.payments.ca. Cancelling the agreement does not end the \
subscription.

6. Recourse. You have certain recourse rights if any debit does not comply with this \
agreement. For example, you have the right to receive reimbursement for any debit that is \
not authorized or is not consistent with this agreement, on request to your financial \
institution within 90 days (10 business days for a business PAD). To obtain more \
information on your recourse rights, contact your financial institution or visit \
www.payments.ca.
"""

PAD_AGREEMENT = (PAD_AGREEMENT_FR, PAD_AGREEMENT_EN)

# The privacy policy (rule 39: purposes, retention, destruction; Law 25 s. 3.2 and 8).
PRIVACY_POLICY_FR = """\
Politique de confidentialité\u00a0: {name}

1. Renseignements recueillis. Votre nom, vos coordonnées, votre catégorie d'utilisateur \
(numéro d'employé, établissement d'enseignement, preuve de stage), vos véhicules, votre mode \
de paiement (la carte est conservée par notre fournisseur de paiement\u00a0; seuls ses quatre \
derniers chiffres sont gardés ici) et vos passages aux barrières.

2. Fins. Gérer votre abonnement au stationnement, percevoir les paiements, contrôler l'accès \
aux stationnements et vous joindre à leur sujet. Les courriels facultatifs (rappels, \
nouvelles) ne sont envoyés que si vous les acceptez.

3. Conservation et destruction. Les pièces justificatives et spécimens de chèque sont \
détruits après la fin du contrat, selon le délai affiché sur notre page de confidentialité\u00a0; \
les demandes inachevées après 90 jours\u00a0; les contrats, factures et paiements sont gardés \
sept ans, comme l'exigent les lois fiscales.

4. Vos droits. Vous pouvez consulter et télécharger vos renseignements, les faire corriger, \
retirer un consentement et fermer votre compte dans les paramètres du portail, ou écrire à \
notre responsable de la protection des renseignements personnels.

Centre de services\u00a0: {phone}
"""

PRIVACY_POLICY_EN = """\
Privacy policy: {name}

1. What we collect. Your name, contact information, user category (employee number, school, \
proof of internship), vehicles, means of payment (the card is kept by our payment provider; \
only its last four digits are kept here) and gate entries.

2. Purposes. Managing your parking subscription, collecting payments, controlling access to \
the lots and contacting you about them. Optional e-mails (reminders, news) are sent only if \
you accept them.

3. Retention and destruction. Proof documents and cheque specimens are destroyed after the \
contract ends, within the period shown on our privacy page; unfinished requests after 90 \
days; contracts, invoices and payments are kept seven years, as tax laws require.

4. Your rights. You may see and download your information, have it corrected, withdraw a \
consent and close your account in the portal's settings, or write to our person in charge \
of the protection of personal information.

Service centre: {phone}
"""

PRIVACY_POLICY = (PRIVACY_POLICY_FR, PRIVACY_POLICY_EN)
