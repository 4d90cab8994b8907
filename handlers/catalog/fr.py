"""Textes en français (langue par défaut)."""

TEXTS: dict[str, str] = {
    # Menu and general
    "greeting": (
        "Bonjour {name} 👋\n"
        "Je vous aide à payer vos factures Senelec et SenEau et à acheter du crédit "
        "Woyofal, directement ici.\n\nQue voulez-vous faire ?"
    ),
    "menu": "Que voulez-vous faire ?",
    "button.woyofal": "⚡ Acheter Woyofal",
    "button.senelec": "💡 Facture Senelec",
    "button.seneau": "💧 Facture SenEau",
    "button.language": "🌐 Langue / Language",
    "button.help": "❓ Aide",
    "button.cancel": "✖️ Annuler",
    "button.menu": "🏠 Menu",
    "button.confirm": "✅ Confirmer et payer",
    "help": (
        "Comment ça marche :\n"
        "1. Choisissez Woyofal, Senelec ou SenEau.\n"
        "2. Donnez le numéro du compteur ou la référence client.\n"
        "3. Pour Woyofal, choisissez le montant ; pour une facture, je vous montre le "
        "montant dû.\n"
        "4. Vérifiez le récapitulatif et confirmez.\n"
        "Votre code Woyofal ou votre reçu arrive ici, même s'il met quelques minutes.\n\n"
        "Commandes :\n"
        "/start – menu principal\n"
        "/cancel – annuler l'opération en cours\n"
        "/language – changer de langue\n"
        "/help – cette aide"
    ),
    "cancelled": "Opération annulée. Rien n'a été payé.",
    "nothing_to_cancel": "Il n'y a rien à annuler.",
    "not_understood": "Je n'ai pas compris. Utilisez les boutons ci-dessous.",
    "stale_button": "Ce bouton n'est plus valide. Voici le menu.",
    "stale_button.step": "Ce bouton n'est plus valide. {prompt}",
    "stale_button.toast": "Ce bouton n'est plus valide.",
    "button_used": "Ce bouton a déjà été utilisé.",
    "expired": "Votre opération précédente a expiré après un moment d'inactivité. Rien n'a été payé.",
    "text_only": "Je ne lis que du texte et les boutons. {prompt}",
    "too_long": "Ce message est trop long. {prompt}",
    "group_only_private": (
        "Pour protéger vos informations, je ne traite les paiements qu'en conversation "
        "privée : {link}"
    ),
    "error.internal": (
        "Désolé, un problème technique est survenu de notre côté. Si vous aviez confirmé un paiement, son résultat vous arrivera ici ; sinon, recommencez depuis le menu."
    ),
    "unknown_command": "Commande inconnue. Voici ce que je sais faire.",
    # Command menu (Telegram)
    "command.start": "Menu principal",
    "command.help": "Aide et commandes",
    "command.cancel": "Annuler l'opération en cours",
    "command.language": "Changer de langue",
    # Language
    "language.choose": "Choisissez votre langue :",
    "language.set": "C'est noté : je vous parle désormais en français.",
    # Services
    "service.WOYOFAL_SN_BILL": "Woyofal",
    "service.SENELEC_SN_BILL": "Facture Senelec",
    "service.SENEAU_SN_BILL": "Facture SenEau",
    "biller.SENELEC_SN_BILL": "Senelec",
    "biller.SENEAU_SN_BILL": "SenEau",
    "biller.WOYOFAL_SN_BILL": "Woyofal",
    # Reference step
    "ask.meter": "Entrez le numéro de votre compteur Woyofal (chiffres uniquement).",
    "ask.reference": "Entrez la référence client {service} (numéro de police, chiffres uniquement).",
    "ask.recent": "Ou choisissez une référence déjà utilisée :",
    "bad.reference": (
        "« {text} » n'est pas une référence valide : il faut entre 6 et 20 chiffres. Réessayez."
    ),
    # Bills
    "bills.searching": "Je cherche les factures de {reference}…",
    "bills.none": "Aucune facture impayée pour la référence {reference}. Tout est réglé 👍",
    "bills.choose": "{count} factures impayées pour {reference}{holder}. Laquelle payer ?",
    "bills.option": "{amount} · échéance {due}",
    "bills.unavailable": (
        "Le service de factures ne répond pas pour le moment. Rien n'a été payé. "
        "Réessayez dans quelques minutes."
    ),
    "bills.maintenance": (
        "Le service DEXCHANGE est en maintenance. Rien n'a été payé. Réessayez un peu plus tard."
    ),
    "bills.refused": "La référence {reference} a été refusée : {message}",
    # Amount step
    "ask.amount": (
        "Compteur {reference}.\nQuel montant voulez-vous acheter ? Choisissez ou tapez un "
        "montant entre {min} et {max}."
    ),
    "bad.amount.not_a_number": (
        "« {text} » n'est pas un montant. Tapez un nombre entier de francs, par exemple 5000."
    ),
    "bad.amount.too_small": "Le montant minimum est {min}. Tapez un autre montant.",
    "bad.amount.too_large": "Le montant maximum est {max}. Tapez un autre montant.",
    # Confirmation
    "confirm.title": "Vérifiez avant de payer :",
    "confirm.service": "Service : {service}",
    "confirm.meter": "Compteur : {reference}",
    "confirm.reference": "Référence client : {reference}",
    "confirm.holder": "Titulaire : {holder}",
    "confirm.bill": "Facture : {bill}",
    "confirm.due": "Échéance : {due}",
    "confirm.amount": "Montant : {amount}",
    "confirm.fee": "Frais : {fee}",
    "confirm.total": "Total à payer : {total}",
    "confirm.question": "Confirmez-vous ce paiement ?",
    "confirm.sending": "⏳ Paiement envoyé. Je vous écris dès que j'ai la réponse.",
    "confirm.already": "Ce paiement a déjà été confirmé ; je vous écris dès que j'ai la réponse.",
    # Results (outbox)
    "result.success.bill": "✅ {service} payée",
    "result.success.woyofal": "✅ Recharge Woyofal réussie",
    "result.reference": "Référence : {reference}",
    "result.meter": "Compteur : {reference}",
    "result.bill": "Facture : {bill}",
    "result.amount": "Montant : {amount}",
    "result.fee": "Frais : {fee}",
    "result.total": "Total : {total}",
    "result.transaction": "Transaction DEXCHANGE : {transaction}",
    "result.date": "Date : {date}",
    "result.code.one": "Votre code à taper sur le compteur :",
    "result.code.many": "Vos {count} codes, à taper sur le compteur dans cet ordre :",
    "result.code.missing": (
        "Le paiement est confirmé, mais le fournisseur n'a pas encore transmis le code. "
        "Notre équipe s'en occupe et vous l'enverra ici."
    ),
    "result.processing": (
        "⏳ Recharge acceptée pour le compteur {reference} ({amount}). Votre code arrive ici "
        "dans quelques instants ; inutile de payer à nouveau."
    ),
    "result.unknown": (
        "⏳ Nous attendons la confirmation du fournisseur pour votre paiement {service} "
        "({total}). Ne refaites pas le paiement : nous vérifions et vous écrivons ici dès "
        "que c'est réglé."
    ),
    "result.delayed": (
        "🔎 Votre paiement {service} de {total} (réf. {external_id}) est toujours en cours de "
        "vérification auprès du fournisseur. Un administrateur a été prévenu ; vous n'avez "
        "rien à faire, nous vous écrivons ici."
    ),
    "result.failed.title": "❌ Le paiement {service} de {total} n'a pas abouti.",
    "result.failed.insufficient_balance": (
        "Le service est momentanément indisponible de notre côté. Réessayez plus tard."
    ),
    "result.failed.maintenance": "Le service DEXCHANGE est en maintenance. Réessayez plus tard.",
    "result.failed.bill_already_paid": "Cette facture est déjà payée.",
    "result.failed.no_unpaid_bill": "Il n'y a plus de facture impayée pour cette référence.",
    "result.failed.unauthorized": (
        "Le service est momentanément indisponible. Notre équipe est prévenue."
    ),
    "result.failed.invalid_request": "Le fournisseur a refusé la demande : {message}",
    "result.failed.provider_failed": "Le fournisseur n'a pas pu effectuer l'opération.",
    "result.failed.not_found": (
        "Le fournisseur n'a pas trouvé cette référence ou ce service. Vérifiez-la et réessayez."
    ),
    "result.failed.admin": "Un administrateur a clos ce paiement comme non abouti.",
    "result.code_pending": (
        "✅ Paiement confirmé pour le compteur {reference} ({amount}) : votre code arrive ici "
        "dès que Senelec le transmet. Inutile de payer à nouveau."
    ),
    "result.not_charged": "Vous n'avez pas été débité.",
    "result.refunded": "Le montant ne vous est pas facturé : il a été remboursé.",
    "result.next": "Que voulez-vous faire maintenant ?",
    # Admin: messages set aside because they could not be delivered (outbox "dead")
    "admin.pending.dead": "⚠️ {count} message(s) non remis aux utilisateurs : /undelivered",
    "admin.undelivered.none": "Aucun message non remis 👍",
    "admin.undelivered.title": "{count} message(s) non remis (les plus récents d'abord) :",
    "admin.undelivered.line": "#{id} {date} · {user} · {payment} · {kind}\n    {error}",
    "admin.undelivered.payment": "paiement #{id}",
    "admin.undelivered.no_payment": "sans paiement",
    # Recharge codes past RETENTION_DAYS: only their last four digits are kept
    "code.expired": "Code expiré (se terminant par {last4})",
    # Terminal demo
    "demo.bye": "Au revoir ! Merci d'avoir essayé la démo.",
}
