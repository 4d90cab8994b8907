"""Textes des habitués et des agents : références enregistrées, historique, reçus, journée."""

TEXTS: dict[str, str] = {
    # Menu
    "button.history": "📜 Historique",
    "button.meters": "⭐ Mes compteurs",
    "button.today": "📊 Ma journée",
    "button.find": "🔎 Retrouver un code",
    "button.last": "🧾 Dernier code",
    "command.history": "Mes derniers paiements et leurs codes",
    "command.meters": "Mes compteurs et références enregistrés",
    "help.more": (
        "/history – vos derniers paiements, leurs codes et leurs reçus\n"
        "/meters – vos compteurs enregistrés : renommer, supprimer\n"
        "/balance – votre solde"
    ),
    "help.agent": (
        "Outils d'agent :\n"
        "/find <compteur, référence ou client> – vos derniers paiements pour lui, avec les codes\n"
        "/last – réafficher le dernier code\n"
        "/today – votre journée : paiements, frais, solde d'ouverture et de clôture\n"
        "/report AAAA-MM-JJ – la même chose pour un autre jour"
    ),
    # Under a result
    "button.receipt": "🧾 Reçu",
    "button.buy_again": "🔁 Racheter {amount}",
    "button.retry": "🔁 Réessayer",
    "button.save": "⭐ Enregistrer",
    "button.new_client": "👤 Nouveau client",
    "result.client": "Client : {label}",
    # Reference step
    "ask.saved": "Ou choisissez une référence enregistrée ou déjà utilisée :",
    "saved.button": "⭐ {nickname} · {reference}",
    "reference.named": "{reference} ({nickname})",
    # Saving and naming a reference
    "meters.saved.meter": "⭐ Compteur {reference} enregistré.",
    "meters.saved.reference": "⭐ Référence {service} {reference} enregistrée.",
    "meters.ask_name": (
        "Comment l'appeler, pour le reconnaître au prochain paiement ? Tapez un nom, ou "
        "choisissez ci-dessous."
    ),
    "meters.ask_rename": "Quel nouveau nom pour {name} ? Tapez-le, ou choisissez ci-dessous.",
    "meters.suggest.1": "🏠 Maison",
    "meters.suggest.2": "🏪 Boutique",
    "meters.suggest.3": "👵 Maman",
    "meters.suggest.4": "🏢 Bureau",
    "button.keep_number": "⏭ Garder le numéro",
    "meters.named": "✅ {reference} s'appelle maintenant « {nickname} ». Je vous le proposerai au prochain paiement.",
    "meters.kept": "✅ {reference} est enregistré sous son numéro. Je vous le proposerai au prochain paiement.",
    "meters.already": "⭐ {reference} est déjà enregistré sous le nom « {nickname} ».",
    "meters.bad_name": "« {text} » ne convient pas comme nom : 1 à 30 caractères, sur une ligne.",
    "meters.name_taken": "Vous avez déjà une référence nommée « {nickname} ». Choisissez un autre nom.",
    "meters.full": "Vous avez déjà {max} références enregistrées. Supprimez-en une avec /meters avant d'en ajouter une autre.",
    # /meters
    "meters.title": "⭐ Vos compteurs et références enregistrés ({count}) :",
    "meters.line": "{number}. {name} — {service} {reference}",
    "meters.choose": "Touchez-en un pour payer, le renommer ou le supprimer.",
    "meters.empty": (
        "Vous n'avez encore rien enregistré. Après un paiement, appuyez sur « ⭐ Enregistrer » "
        "sous le résultat : la référence vous sera proposée la fois suivante."
    ),
    "meters.detail": "⭐ {name}\n{service} · {reference}\nUtilisé {uses} fois.",
    "button.use.woyofal": "⚡ Acheter du crédit",
    "button.use.bill": "💡 Payer la facture",
    "button.rename": "✏️ Renommer",
    "button.delete": "🗑 Supprimer",
    "button.back": "◀️ Retour",
    "button.delete_yes": "🗑 Oui, supprimer",
    "meters.confirm_delete": (
        "Supprimer « {name} » ({reference}) de vos références enregistrées ? Vos paiements "
        "passés restent dans l'historique."
    ),
    "meters.deleted": "🗑 « {name} » a été supprimé de vos références.",
    # /history
    "history.title": "📜 Vos paiements, du plus récent au plus ancien ({first} à {last} sur {count}) :",
    "history.line": "{number}. {date} · {service} · {reference} · {amount} · {status}",
    "history.client": " · 👤 {label}",
    "history.open": "Touchez un numéro pour voir le détail, le code et le reçu.",
    "history.empty": "Vous n'avez encore fait aucun paiement.",
    "button.older": "◀️ Plus anciens",
    "button.newer": "Plus récents ▶️",
    "button.history_back": "◀️ Historique",
    "detail.title": "🧾 Paiement du {date}",
    "detail.status": "Statut : {status}",
    "detail.service": "Service : {service}",
    "detail.holder": "Titulaire : {holder}",
    "detail.pending": "Le résultat vous sera envoyé ici dès qu'il arrive ; inutile de payer à nouveau.",
    "detail.failed": "Ce paiement n'a pas abouti : le montant ne vous a pas été débité.",
    # Receipts
    "receipt.title": "Reçu de paiement",
    "receipt.service": "Service",
    "receipt.meter": "Compteur",
    "receipt.reference": "Référence",
    "receipt.holder": "Titulaire",
    "receipt.bill": "Facture",
    "receipt.client": "Client",
    "receipt.amount": "Montant",
    "receipt.fee": "Frais",
    "receipt.total": "Total",
    "receipt.date": "Date",
    "receipt.transaction": "Transaction",
    "receipt.codes.one": "Code à taper sur le compteur",
    "receipt.codes.many": "Codes à taper dans l'ordre",
    "receipt.footer": "Merci de votre confiance",
    "receipt.caption": "🧾 Reçu · {service} {reference} · {total}",
    # Client label (agents, before the confirmation)
    "label.ask": (
        "👤 Pour quel client ? Tapez son nom ou son numéro de téléphone (facultatif) : il "
        "figurera sur le reçu, et /find retrouvera ce paiement."
    ),
    "label.bad": "« {text} » ne convient pas : 1 à 40 caractères sur une ligne. Tapez un nom ou un numéro, ou passez.",
    "button.skip_label": "⏭ Sans nom",
    "button.same_label": "👤 {label}",
    "confirm.client": "Client : {label}",
    # Agent tools
    "agents.only": "Cette commande est réservée aux agents.",
    "find.ask": "🔎 Tapez le numéro du compteur, la référence client, ou le nom ou le téléphone du client :",
    "find.bad": "Tapez un numéro de compteur ou une référence (chiffres), ou un nom de client.",
    "find.title": "🔎 Vos derniers paiements pour « {query} » :",
    "find.line": "{number}. {date} · {service} {reference} · {amount} · {status}",
    "find.none": "Aucun de vos paiements ne correspond à « {query} ».",
    "last.title": "🧾 Votre dernier code :",
    "last.none": "Vous n'avez encore reçu aucun code.",
    # Day report
    "report.title": "📊 Journée du {day}",
    "report.title.now": "📊 Journée du {day}, à {time}",
    "report.title.daily": "🌙 Résumé de votre journée du {day}, à {time}",
    "report.line": "{service} : {count} paiement(s) · {amount} · frais {fees}",
    "report.total": "Total : {count} paiement(s) · {amount} · frais {fees} · débité {total}",
    "report.none": "Aucun paiement réussi ce jour-là.",
    "report.other": "Échoués (rien débité) : {failed} · En cours : {open}",
    "report.wallet": "💰 Portefeuille",
    "report.opening": "Solde d'ouverture : {balance}",
    "report.credits": "Crédits et corrections : {amount}",
    "report.payments": "Paiements : {amount}",
    "report.closing": "Solde de clôture : {balance}",
    "report.closing.now": "Solde à {time} : {balance}",
    "report.usage": "Usage : /report AAAA-MM-JJ, par exemple /report {example}",
    "report.future": "Le {day} n'est pas encore arrivé.",
}
