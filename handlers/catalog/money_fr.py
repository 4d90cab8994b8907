"""Textes du règlement à la main des paiements bloqués (administrateurs)."""

TEXTS: dict[str, str] = {
    "command.resolve": "Régler à la main un paiement bloqué",
    "admin.usage.resolve": (
        "Usage : /resolve <n° de paiement> success|failed [code…] <motif>\n"
        "success : payé (avec son code Woyofal s'il est connu) · failed : échoué, le montant "
        "est rendu au portefeuille. Le motif est obligatoire et gardé avec le paiement."
    ),
    "admin.resolved": "✅ Paiement #{id} ({external_id}) réglé : {status}. Motif gardé : {reason}",
    "admin.resolved.awaiting_code": "payé, en attente de son code",
    "resolve.bad_outcome": "Choisissez success (payé) ou failed (échoué).",
    "resolve.no_reason": "Donnez le motif : il est gardé avec le paiement.",
    "resolve.unknown": "Aucun paiement n°{id}.",
    "resolve.in_flight": (
        "Le paiement n°{id} est en cours d'envoi à DEXCHANGE : attendez sa réponse "
        "(quelques secondes) avant de le régler à la main."
    ),
    "resolve.final": (
        "Le paiement n°{id} est déjà terminé ({status}) : rien à régler. La parole de "
        "DEXCHANGE, si elle arrive, sera appliquée et vous serez prévenu."
    ),
    "admin.pending.hold": " ⛔ en attente d'un administrateur : {reason}",
    "result.late.redebited": (
        "ℹ️ Ce paiement vous avait été annoncé comme non abouti : le fournisseur l'a finalement "
        "confirmé. {amount} ont de nouveau été prélevés sur votre compte."
    ),
    "result.late.owed": (
        "ℹ️ Ce paiement vous avait été annoncé comme non abouti : le fournisseur l'a finalement "
        "confirmé. Votre solde ne couvrait plus le montant ; notre équipe vous contactera."
    ),
    "admin.attention": (
        "⚠️ Paiement n°{id} ({ref}) à vérifier : {reason}\n"
        "/pending pour la liste, /resolve pour le régler à la main."
    ),
    "admin.credit.held": (
        "⚠️ {amount} sont retenus pour le(s) paiement(s) {ids}, pas encore terminé(s). Si ce "
        "crédit devait les compenser, réglez-les plutôt avec /resolve <n°> failed <motif> : "
        "sinon un échec confirmé plus tard par DEXCHANGE rendrait l'argent une seconde fois."
    ),
}
