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
        "Votre code Woyofal ou votre reçu arrive ici, même s'il met quelques minutes.\n"
        "Votre compte se recharge avec Wave, Orange Money ou Free Money ; s'il manque de "
        "l'argent pour un achat, la confirmation propose de payer le reste.\n\n"
        "Commandes :\n"
        "/start – menu principal\n"
        "/recharger – recharger mon compte\n"
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
    # --- Accounts: wallet and administration -----------------------------------------------------
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
    "wallet.kind.redebit": "paiement {reference} abouti après coup, montant repris",
    "wallet.kind.funding": "rechargement par mobile money",
    "wallet.kind.payout": "remboursement vers votre mobile money",
    "wallet.kind.payout_return": "remboursement non abouti, montant rendu",
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
        "/refund <utilisateur> <montant|all> [wave|om|free <numéro>] – rembourser vers le mobile money\n"
        "/collections – rechargements et remboursements en cours, échoués, à vérifier\n"
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
    "admin.message.pending": "✉️ message en attente d'envoi",
    "admin.message.accepted": "✉️ message pris par WhatsApp",
    "admin.message.sent": "✉️ message envoyé",
    "admin.message.delivered": "✉️ message remis",
    "admin.message.read": "✉️ message lu",
    "admin.message.failed": "✉️ message en échec (code {code})",
    "admin.message.dead": "✉️ message non remis (voir /undelivered)",
    "admin.message.undeliverable": "✉️ utilisateur injoignable",
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
    # --- Agents: finding, reprinting, daily reports ----------------------------------------------
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
    # --- Stuck payments settled by hand ----------------------------------------------------------
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
    "admin.collection_attention": ("⚠️ Rechargement n°{id} ({ref}) à vérifier : {reason}"),
    "funding.success": "✅ Votre compte est rechargé de {amount}. Nouveau solde : {balance}.",
    "funding.failed": (
        "❌ Le rechargement de {amount} n'a pas abouti : rien n'a été prélevé sur votre "
        "compte. Vous pouvez réessayer."
    ),
    "funding.cancelled": (
        "❌ Le rechargement de {amount} a été annulé : rien n'a été prélevé sur votre compte."
    ),
    "funding.expired": (
        "⌛ Le rechargement de {amount} a expiré sans validation de votre part : rien n'a été "
        "prélevé sur votre compte. Vous pouvez réessayer."
    ),
    # Pay the rest: the collection was for a purchase (issue 15)
    "funding.success.paying": (
        "✅ Votre compte est rechargé de {amount}. Nouveau solde : {balance}.\n"
        "Nous payons maintenant votre achat : le résultat suit."
    ),
    "funding.failed.purchase": (
        "❌ Le rechargement de {amount} n'a pas abouti : rien n'a été prélevé sur votre "
        "compte, et votre achat n'a pas été payé. Vous pouvez réessayer."
    ),
    "funding.cancelled.purchase": (
        "❌ Le rechargement de {amount} a été annulé : rien n'a été prélevé sur votre compte, "
        "et votre achat n'a pas été payé."
    ),
    "funding.expired.purchase": (
        "⌛ Le rechargement de {amount} a expiré sans validation de votre part : rien n'a été "
        "prélevé, et votre achat n'a pas été payé. Vous pouvez réessayer."
    ),
    "rest.changed": (
        "ℹ️ La facture de la référence {reference} a changé ou a déjà été payée : nous ne "
        "l'avons pas payée. L'argent reste sur votre compte (solde : {balance}). Ouvrez le "
        "menu pour voir la facture du moment et confirmer à nouveau."
    ),
    "rest.failed": (
        "ℹ️ Votre achat pour la référence {reference} ({amount}) n'a pas pu être payé. "
        "L'argent reste sur votre compte (solde : {balance}) : vous pouvez l'utiliser plus "
        "tard ou demander un remboursement."
    ),
    "result.rest_kept": (
        "L'argent versé reste sur votre compte : vous pouvez l'utiliser plus tard ou demander "
        "un remboursement."
    ),
    "rest.offer": (
        "Il manque {missing} sur votre solde. Payez-les avec {methods} : votre achat sera "
        "payé dès que l'argent arrive."
    ),
    "rest.button": "📲 Payer le reste",
    "rest.chosen": "📲 Vous payez le reste par mobile money ; l'achat suivra.",
    "rest.pending": (
        "Dès que le rechargement est confirmé, votre achat est payé automatiquement et le "
        "résultat arrive ici."
    ),
    "admin.credit.held": (
        "⚠️ {amount} sont retenus pour le(s) paiement(s) {ids}, pas encore terminé(s). Si ce "
        "crédit devait les compenser, réglez-les plutôt avec /resolve <n°> failed <motif> : "
        "sinon un échec confirmé plus tard par DEXCHANGE rendrait l'argent une seconde fois."
    ),
    # WhatsApp: a list message's button, and its "More…" row when the choices need pages
    "whatsapp.choose": "Choisir",
    "whatsapp.more": "Plus…",
    "whatsapp.more.rows": "Choix {first} à {last} sur {total}",
    "whatsapp.more.body": "Suite des choix ({page}/{pages})",
    # Templates (WhatsApp, past 24 hours): a payment's outcome in a few words, a receipt ready
    "template.outcome.paid": "payé",
    "template.outcome.paid_late": "payé finalement, après avoir été annoncé non abouti",
    "template.outcome.code_coming": "payé, le code arrive",
    "template.outcome.processing": "accepté, le code arrive",
    "template.outcome.not_charged": "non abouti, vous n'avez pas été débité",
    "template.outcome.refunded": "non abouti, le montant vous a été remboursé",
    "template.outcome.checking": "en cours de vérification",
    "template.receipt": (
        "votre reçu {service} pour la référence {reference} ({total}) est prêt, "
        "il vous sera envoyé dès votre réponse"
    ),
    "template.empty": "vous avez un nouveau message",
    # --- funding (issue 15) ---
    "button.fund": "➕ Recharger mon compte",
    "command.fund": "Recharger mon compte avec Wave, Orange Money ou Free Money",
    "wallet.how_to_fund": (
        "Rechargez votre compte depuis Wave, Orange Money ou Free Money : bouton "
        "« ➕ Recharger mon compte » ou /recharger. Pour un versement en espèces, contactez "
        "{contact} en donnant votre identifiant : {user_id}."
    ),
    "funding.unavailable": "Le rechargement par mobile money n'est pas disponible pour le moment.",
    "funding.cap_reached": (
        "Vous avez atteint le plafond de rechargement du jour ({cap}). Vous pourrez recharger "
        "à nouveau demain."
    ),
    "funding.ask_amount": (
        "➕ Recharger mon compte\nQuel montant voulez-vous ajouter à votre compte ? Choisissez "
        "ou tapez un montant entre {min} et {max}."
    ),
    "funding.cap_left": "Vous pouvez encore recharger {remaining} aujourd'hui.",
    "funding.bad_amount": (
        "« {text} » n'est pas un montant. Tapez un nombre entier de francs, par exemple 5000."
    ),
    "funding.below_min": "Le rechargement minimum est de {min}.",
    "funding.above_max": "Le rechargement maximum est de {max} à la fois.",
    "funding.above_cap": (
        "Ce montant dépasse le plafond de rechargement du jour ({cap}) : vous pouvez encore "
        "recharger {remaining} aujourd'hui."
    ),
    "funding.method.wave": "Wave",
    "funding.method.orange_money": "Orange Money",
    "funding.method.free_money": "Free Money",
    "funding.ask_method": "Rechargement de {amount}.\nAvec quel portefeuille payez-vous ?",
    "funding.choose_method": "Choisissez un portefeuille avec les boutons.",
    "funding.ask_number": (
        "Quel est votre numéro {method} ? Tapez ses 9 chiffres, par exemple {example}."
    ),
    "funding.ask_number.known": (
        "Quel numéro {method} faut-il débiter ? Choisissez-le, ou tapez un autre numéro "
        "(9 chiffres, par exemple {example})."
    ),
    "funding.button.other_number": "✏️ Autre numéro",
    "funding.type_number": "Tapez le numéro {method} à débiter (9 chiffres, par exemple {example}).",
    "funding.bad_number": (
        "« {text} » n'est pas un numéro mobile du Sénégal. Tapez 9 chiffres commençant par 7, "
        "par exemple {example}."
    ),
    "funding.summary.title": "Vérifiez avant de confirmer :",
    "funding.summary.number": "Numéro {method} : {number}",
    "funding.summary.credit": "Crédité sur votre compte : {amount}",
    "funding.summary.no_fee": "Frais : aucun",
    "funding.summary.fee_customer": "Frais : {fee} (à votre charge)",
    "funding.summary.fee_operator": "Frais : {fee} (pris en charge par {operator})",
    "funding.summary.total": "Prélevé sur votre {method} : {total}",
    "funding.confirm.question": "Confirmez-vous ce rechargement ?",
    "funding.button.confirm": "✅ Confirmer",
    "funding.started": "⏳ Demande de paiement envoyée.",
    "funding.already": "Ce rechargement est déjà lancé ; je vous écris dès que j'ai la réponse.",
    "funding.pending.wave": (
        "📲 Ouvrez l'application Wave et approuvez le paiement de {total}. Si je vous envoie "
        "un lien, vous pouvez aussi l'ouvrir pour approuver."
    ),
    "funding.pending.orange_money": (
        "📲 Confirmez le paiement de {total} avec votre code secret Orange Money quand votre "
        "téléphone vous le demande. Si rien ne s'affiche, composez le #144# et suivez les "
        "instructions."
    ),
    "funding.pending.free_money": (
        "📲 Confirmez le paiement de {total} sur votre téléphone, avec votre code secret "
        "Free Money."
    ),
    "funding.pending.time": (
        "Vous avez {minutes} minutes pour valider. Je vous écris dès que j'ai la réponse : "
        "votre compte est crédité à ce moment-là."
    ),
    "funding.method_unavailable": "Ce portefeuille n'est plus disponible pour recharger.",
    "funding.link": "🔗 Pour valider le rechargement de {amount} avec Wave, ouvrez ce lien :",
    "funding.button.link": "Valider avec Wave",
    # --- refunds (issue 15) ---
    "admin.refund_attention": "⚠️ Remboursement n°{id} ({ref}) à vérifier : {reason}",
    "refund.success": (
        "💸 {amount} ont été envoyés sur votre mobile money ({number}). Nouveau solde : {balance}."
    ),
    "refund.failed": (
        "❌ Le remboursement de {amount} vers votre mobile money n'a pas abouti : l'argent est "
        "de retour sur votre compte. Solde : {balance}."
    ),
    "admin.usage.refund": (
        "Usage : /refund <utilisateur> <montant|all> [wave|om|free <numéro à 9 chiffres>]\n"
        "Sans moyen ni numéro, le compte mobile money enregistré du client est utilisé."
    ),
    "admin.refund.bad_method": "Moyen inconnu : {text}. Choisissez wave, om ou free.",
    "admin.refund.bad_number": (
        "Numéro invalide : {text}. Donnez les 9 chiffres du numéro, sans +221."
    ),
    "admin.refund.no_account": (
        "{user} n'a pas de compte mobile money enregistré : précisez le moyen et le numéro, "
        "par exemple /refund <utilisateur> <montant> wave 771234567."
    ),
    "admin.refund.summary": (
        "Remboursement à confirmer :\n"
        "Client : {user}\n"
        "Montant : {amount}\n"
        "Vers : {method} {number}\n"
        "Solde : {balance} → {after} après l'envoi"
    ),
    "admin.refund.question": "Confirmez-vous l'envoi ?",
    "admin.refund.button": "✅ Rembourser",
    "admin.refund.sent": (
        "💸 Remboursement n°{id} envoyé : {amount} vers {method} {number}. Le client sera "
        "prévenu du résultat (/collections pour le suivre)."
    ),
    "admin.refund.already": "Ce remboursement (n°{id}) a déjà été envoyé : {status}.",
    "admin.refund.refused.bad_amount": (
        "Montant invalide : donnez un nombre entier de francs, ou all pour tout le solde."
    ),
    "admin.refund.refused.empty": "Le solde de ce client est vide : rien à rembourser.",
    "admin.refund.refused.above_balance": (
        "Le solde de ce client ({balance}) ne suffit pas pour ce remboursement."
    ),
    "admin.refund.refused.below_min": "Un remboursement doit être d'au moins {limit}.",
    "admin.refund.refused.above_max": (
        "Un remboursement ne peut pas dépasser {limit} : faites-en plusieurs."
    ),
    "admin.refund.refused.bad_number": "Numéro invalide : il faut 9 chiffres, sans +221.",
    "admin.collections.none": "Aucun rechargement ni remboursement à surveiller 👍",
    "admin.collections.open": "⏳ En cours ({count}) :",
    "admin.collections.ended": "❌ Échoués, annulés ou expirés depuis {days} jour(s) ({count}) :",
    "admin.collections.flagged": "⚠️ À vérifier ({count}) :",
    "admin.collections.line": (
        "#{id} {direction} {method} {number} · {amount} · {status} · {user} · il y a {age}"
    ),
    "admin.collections.reason": "    ↳ {reason}",
    "admin.collections.more": "… et {count} de plus.",
    "admin.pending.collections": (
        "⚠️ {count} rechargement(s) ou remboursement(s) à vérifier (détails : /collections) :"
    ),
    "direction.in": "rechargement",
    "direction.out": "remboursement",
    "collection.status.created": "créé",
    "collection.status.submitted": "envoyé",
    "collection.status.pending": "en attente",
    "collection.status.unknown": "à confirmer",
    "collection.status.success": "réussi",
    "collection.status.failed": "échoué",
    "collection.status.cancelled": "annulé",
    "collection.status.expired": "expiré",
    # --- speak like the customer (16) ---
    "bad.amount.unclear.one": (
        "« {text} » : voulez-vous dire {first} ? Touchez le bouton, ou tapez le montant en "
        "FCFA, en chiffres, sans virgule ni décimales (par exemple {digits})."
    ),
    "bad.amount.unclear.two": (
        "« {text} » : voulez-vous dire {first} ou {second} ? Touchez le bon bouton, ou tapez le "
        "montant en FCFA, en chiffres, sans virgule ni décimales (par exemple {digits})."
    ),
    "bad.amount.unclear.none": (
        "« {text} » n'est pas un montant que je peux payer : tapez le montant en FCFA, en "
        "chiffres, sans virgule ni décimales, entre {min} et {max}."
    ),
    "bad.reference.letters": (
        "« {text} » n'est pas une référence valide : un numéro ne contient que des chiffres "
        "(les espaces, tirets et points sont acceptés), par exemple {example}. Réessayez."
    ),
    "media.voice": (
        "Je ne peux pas écouter les messages vocaux 🙉 Écrivez-moi ou utilisez les boutons. "
        "{prompt}"
    ),
    "media.photo": (
        "Je ne peux pas lire les photos 📷 Tapez le numéro en chiffres ou utilisez les "
        "boutons. {prompt}"
    ),
    "media.sticker": "Merci 😊 Pour continuer, utilisez les boutons ou écrivez-moi. {prompt}",
    "media.location": (
        "Je n'ai pas besoin de votre position 📍 Utilisez les boutons ou écrivez-moi. {prompt}"
    ),
    "media.contact": (
        "Je ne lis pas les contacts partagés 👤 Tapez le numéro en chiffres ou utilisez les "
        "boutons. {prompt}"
    ),
    "media.document": (
        "Je ne peux pas ouvrir les fichiers 📄 Tapez le numéro en chiffres ou utilisez les "
        "boutons. {prompt}"
    ),
    "media.video": (
        "Je ne peux pas regarder les vidéos 🎬 Écrivez-moi ou utilisez les boutons. {prompt}"
    ),
    "command.find": "Chercher un client ou une référence",
    "command.last": "Refaire le dernier paiement",
    "command.today": "Mes ventes du jour",
    "command.report": "Rapport d'un jour (AAAA-MM-JJ)",
    "command.credit": "Créditer un portefeuille",
    "command.debit": "Débiter un portefeuille",
    "command.role": "Changer le rôle d'un utilisateur",
    "command.user": "Voir un utilisateur",
    "command.pending": "Paiements en attente",
    "command.undelivered": "Messages non remis",
    "command.provider": "État de DEXCHANGE",
    "command.stats": "Chiffres du jour",
    "command.refund": "Rembourser un client vers son mobile money",
    "command.collections": "Rechargements et remboursements à suivre",
}
