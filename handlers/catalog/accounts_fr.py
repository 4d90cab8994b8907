"""Textes des comptes : solde, crédit, administration."""

TEXTS: dict[str, str] = {
    "command.balance": "Mon solde et mes derniers mouvements",
    "command.admin": "Commandes d'administration",
    "button.balance": "💰 Mon solde",
    # Wallet
    "wallet.balance": "💰 Votre solde : {balance}",
    "wallet.movements": "Derniers mouvements :",
    "wallet.no_movements": "Aucun mouvement pour l'instant.",
    "wallet.entry": "{date} · {sign}{amount} · {label}",
    "wallet.kind.credit": "crédit",
    "wallet.kind.adjustment": "correction",
    "wallet.kind.reserve": "paiement {reference}",
    "wallet.kind.settle": "ajustement des frais",
    "wallet.kind.release": "paiement annulé, montant rendu",
    "wallet.how_to_credit": (
        "Pour créditer votre compte, contactez {contact} en donnant votre identifiant : {user_id}."
    ),
    "wallet.empty": "Votre solde est de {balance} : il faut d'abord créditer votre compte pour payer.",
    "wallet.not_enough": (
        "❌ Solde insuffisant : ce paiement demande {needed}, votre solde est de {balance}. "
        "Rien n'a été payé."
    ),
    "wallet.default_contact": "votre agent ou l'opérateur du service",
    "wallet.available": "Solde disponible : {balance}",
    "wallet.credited": "💰 Votre compte a été crédité de {amount}. Nouveau solde : {balance}.{note}",
    "wallet.debited": "Votre compte a été corrigé de -{amount}. Nouveau solde : {balance}.{note}",
    "wallet.note": " Motif : {note}",
    # Admin
    "admin.only": "Cette commande est réservée aux administrateurs.",
    "admin.help": (
        "Commandes d'administration :\n"
        "/credit <utilisateur> <montant> [note] – créditer un portefeuille\n"
        "/debit <utilisateur> <montant> [note] – corriger à la baisse\n"
        "/role <utilisateur> customer|agent|admin – changer le rôle\n"
        "/user <utilisateur> – rôle, solde, derniers paiements\n"
        "/pending – paiements pas encore terminés\n"
        "/resolve <n°> success|failed [code] <motif> – régler un paiement bloqué\n"
        "/provider – solde du compte DEXCHANGE\n"
        "/stats – chiffres du jour par service\n"
        "Un utilisateur se désigne par son identifiant Telegram ou son @nom."
    ),
    "admin.usage.credit": "Usage : /credit <utilisateur> <montant> [note]",
    "admin.usage.debit": "Usage : /debit <utilisateur> <montant> [note]",
    "admin.usage.role": "Usage : /role <utilisateur> customer|agent|admin",
    "admin.usage.user": "Usage : /user <utilisateur>",
    "admin.unknown_user": (
        "Utilisateur inconnu : {who}. Il doit d'abord écrire /start au bot (ou utilisez son "
        "identifiant Telegram)."
    ),
    "admin.ambiguous_user": (
        "Plusieurs utilisateurs ont le nom {who} : {candidates}. Désignez celui que vous "
        "voulez par son identifiant Telegram (le nombre entre parenthèses)."
    ),
    "admin.bad_amount": "Montant invalide : {text}. Donnez un nombre entier de francs.",
    "admin.amount_not_whole": (
        "Montant invalide : {text}. Le franc CFA n'a pas de centimes : donnez un nombre "
        "entier de francs, sans virgule, par exemple 2500 ou 10 000."
    ),
    "admin.amount_too_large": "Montant trop élevé pour une seule opération (max {max} FCFA).",
    "admin.debit_too_large": "Impossible : le solde ({balance} FCFA) ne couvre pas {amount} FCFA.",
    "admin.bad_role": "Rôle inconnu : {role}. Choisissez customer, agent ou admin.",
    "admin.credited": "✅ {user} crédité de {amount}. Nouveau solde : {balance}.",
    "admin.debited": "✅ {user} corrigé de -{amount}. Nouveau solde : {balance}.",
    "admin.role_set": "✅ {user} est maintenant {role}.",
    "admin.user": (
        "👤 {user}\nIdentifiant : {external_id}\nRôle : {role}\nSolde : {balance}\n"
        "Inscrit le : {since}"
    ),
    "admin.user.payments": "Derniers paiements :",
    "admin.user.no_payments": "Aucun paiement.",
    "admin.payment_line": "#{id} {date} · {service} {reference} · {total} · {status}",
    "admin.pending.none": "Aucun paiement en attente 👍",
    "admin.pending.title": "{count} paiement(s) pas encore terminé(s) :",
    "admin.pending.line": "#{id} {service} {reference} · {total} · {status} depuis {age}{flag}",
    "admin.pending.flag": " ⚠️ à vérifier",
    "admin.provider": "🏦 Solde DEXCHANGE : {balance} ({currency}), mis à jour {updated}",
    "admin.provider.error": "DEXCHANGE ne répond pas pour le solde : {error}",
    "admin.stats.title": "📊 Aujourd'hui ({day}) :",
    "admin.stats.line": "{service} : {count} paiement(s), {amount}, frais {fees}",
    "admin.stats.total": "Total : {count} paiement(s), {amount}, frais {fees}",
    "admin.stats.other": "Échecs : {failed} · En cours : {open}",
    "admin.stats.none": "Aucun paiement réussi aujourd'hui.",
    "role.customer": "client",
    "role.agent": "agent",
    "role.admin": "administrateur",
    "status.created": "créé",
    "status.submitted": "envoyé",
    "status.processing": "en cours",
    "status.unknown": "à confirmer",
    "status.success": "réussi",
    "status.failed": "échoué",
}
