"""Mbind yi ci wolof (Wolof texts). To be reviewed by a native speaker before a public
launch: corrections go here, keys and {placeholders} kept (README.md, "Wolof")."""

TEXTS: dict[str, str] = {
    # Menu and general
    "greeting": (
        "Salaam aleekum {name} 👋\n"
        "Dinaa la dimbali nga fey say facture Senelec ak SenEau te jënd crédit "
        "Woyofal, fii sax.\n\nLan nga bëgg def ?"
    ),
    "menu": "Lan nga bëgg def ?",
    "button.woyofal": "⚡ Jënd Woyofal",
    "button.senelec": "💡 Facture Senelec",
    "button.seneau": "💧 Facture SenEau",
    "button.language": "🌐 Làkk / Language",
    "button.help": "❓ Ndimbal",
    "button.cancel": "✖️ Bayi",
    "button.menu": "🏠 Menu",
    "button.confirm": "✅ Dëggal te fey",
    "help": (
        "Naka lay doxe :\n"
        "1. Tànnal Woyofal, Senelec walla SenEau.\n"
        "2. Joxe numéro compteur bi walla référence client bi.\n"
        "3. Ngir Woyofal, tànnal xaalis bi nga bëgg ; ngir facture, dinaa la won xaalis bi "
        "nga war a fey.\n"
        "4. Xoolal li nga def te dëggal ko.\n"
        "Sa code Woyofal walla sa reçu dina ñëw fii, doonte dafa yàgg ay minit.\n"
        "Mën nga yokk sa kont ak Wave, Orange Money walla Free Money ; bu xaalis bi desee "
        "ngir jënd, dëggal bi dina la won nga fey li des.\n\n"
        "Ndigal yi :\n"
        "/start – menu bu mag bi\n"
        "/recharger – yokk sama kont\n"
        "/cancel – bayi li ngay def\n"
        "/language – soppi làkk\n"
        "/help – ndimbal lii"
    ),
    "cancelled": "Bayi nañu ko. Dara feyuwul.",
    "nothing_to_cancel": "Amul dara lu ñu war a bayi.",
    "not_understood": "Dégguma li nga wax. Jëfandikool bouton yi ci suuf.",
    "stale_button": "Bouton bii doxatul. Menu bi a ngi.",
    "stale_button.step": "Bouton bii doxatul. {prompt}",
    "stale_button.toast": "Bouton bii doxatul.",
    "button_used": "Bouton bii, bës nañu ko ba noppi.",
    "expired": "Li nga doon def jeex na, ndax yàgg nga te defoo dara. Dara feyuwul.",
    "text_only": "Mbind ak bouton yi rekk laa mën a jàng. {prompt}",
    "too_long": "Bataaxal bii dafa gudd lool. {prompt}",
    "group_only_private": (
        "Ngir aar say xibaar, fey yi ci waxtaan bu nu nekk ñaar rekk (privé) laa leen "
        "di def : {link}"
    ),
    "error.internal": (
        "Baal ma, am na jafe-jafe bu teknik ci sunu wet. Su fekkee dëggal nga ab fey, ndax mu jàll walla deet dina la ñëw fii ; lu ko moy, tambaleetil ci menu bi."
    ),
    "unknown_command": "Xamuma ndigal boobu. Li ma mën a def a ngi nii.",
    # Command menu (Telegram)
    "command.start": "Menu bu mag bi",
    "command.help": "Ndimbal ak ndigal yi",
    "command.cancel": "Bayi li ngay def",
    "command.language": "Soppi làkk",
    # Language
    "language.choose": "Tànnal sa làkk :",
    "language.set": "Bu baax : léegi ci wolof laa lay waxal.",
    # Services
    "service.WOYOFAL_SN_BILL": "Woyofal",
    "service.SENELEC_SN_BILL": "Facture Senelec",
    "service.SENEAU_SN_BILL": "Facture SenEau",
    "biller.SENELEC_SN_BILL": "Senelec",
    "biller.SENEAU_SN_BILL": "SenEau",
    "biller.WOYOFAL_SN_BILL": "Woyofal",
    # Reference step
    "ask.meter": "Bindal numéro compteur Woyofal bi (ay chiffre rekk).",
    "ask.reference": "Bindal référence client {service} bi (numéro police, ay chiffre rekk).",
    "ask.recent": "Walla tànnal référence bu nga jëfandikoo woon :",
    "bad.reference": (
        "« {text} » du référence bu baax : fàww mu am diggante 6 ak 20 chiffre. Jéemaatal."
    ),
    # Bills
    "bills.searching": "Maa ngi seet facture yu {reference}…",
    "bills.none": "Amul benn facture bu ñu feyagul ci référence {reference}. Lépp fey nañu ko 👍",
    "bills.choose": "{count} facture yu ñu feyagul ci {reference}{holder}. Ban nga bëgg fey ?",
    "bills.option": "{amount} · échéance {due}",
    "bills.unavailable": (
        "Service facture yi tontuwul léegi. Dara feyuwul. Jéemaatal ci ay minit."
    ),
    "bills.maintenance": (
        "Service DEXCHANGE a ngi ci maintenance. Dara feyuwul. Jéemaatal ci kanam tuuti."
    ),
    "bills.refused": "Bañ nañu référence {reference} : {message}",
    # Amount step
    "ask.amount": (
        "Compteur {reference}.\nÑaata xaalis nga bëgg jënd ? Tànnal walla bindal ab xaalis "
        "diggante {min} ak {max}."
    ),
    "bad.amount.not_a_number": (
        "« {text} » du ab xaalis. Bindal ab limu franc bu mat, misaal 5000."
    ),
    "bad.amount.too_small": "Xaalis bi gën a tuuti mooy {min}. Bindal beneen xaalis.",
    "bad.amount.too_large": "Xaalis bi gën a bari mooy {max}. Bindal beneen xaalis.",
    # Confirmation
    "confirm.title": "Xoolal bala ngay fey :",
    "confirm.service": "Service : {service}",
    "confirm.meter": "Compteur : {reference}",
    "confirm.reference": "Référence client : {reference}",
    "confirm.holder": "Boroom : {holder}",
    "confirm.bill": "Facture : {bill}",
    "confirm.due": "Échéance : {due}",
    "confirm.amount": "Xaalis : {amount}",
    "confirm.fee": "Frais : {fee}",
    "confirm.total": "Total bi ngay fey : {total}",
    "confirm.question": "Ndax dëggal nga fey bii ?",
    "confirm.sending": "⏳ Yónnee nañu fey bi. Dinaa la bind bu ma amee tontu bi.",
    "confirm.already": "Fey bii, dëggal nañu ko ba noppi ; dinaa la bind bu ma amee tontu bi.",
    # Results (outbox)
    "result.success.bill": "✅ {service} : fey nañu ko",
    "result.success.woyofal": "✅ Recharge Woyofal bi jàll na",
    "result.reference": "Référence : {reference}",
    "result.meter": "Compteur : {reference}",
    "result.bill": "Facture : {bill}",
    "result.amount": "Xaalis : {amount}",
    "result.fee": "Frais : {fee}",
    "result.total": "Total : {total}",
    "result.transaction": "Transaction DEXCHANGE : {transaction}",
    "result.date": "Bis : {date}",
    "result.code.one": "Sa code, nga bind ko ci compteur bi :",
    "result.code.many": "Say {count} code, nga bind leen ci compteur bi ci toftaloo gii :",
    "result.code.missing": (
        "Fey bi dëggal nañu ko, waaye fournisseur bi yónneegul code bi. "
        "Sunu équipe a ngi ci kaw, dinañu la ko yónnee fii."
    ),
    "result.processing": (
        "⏳ Nangu nañu recharge bi ngir compteur {reference} ({amount}). Sa code dina ñëw fii "
        "ci ab diir bu gàtt ; bul feyaat."
    ),
    "result.unknown": (
        "⏳ Nu ngi xaar fournisseur bi dëggal sa fey {service} ({total}). Bul feyaat : "
        "nu ngi koy seet te dinañu la bind fii bu ñu ko jeexalee."
    ),
    "result.delayed": (
        "🔎 Sa fey {service} bu {total} (réf. {external_id}) nu ngi koy seet ba léegi ak "
        "fournisseur bi. Ab administrateur xam na ko ; amul dara lu nga war a def, dinañu "
        "la bind fii."
    ),
    "result.failed.title": "❌ Fey {service} bu {total} bi jàllul.",
    "result.failed.insufficient_balance": (
        "Service bi amul léegi ci sunu wet. Jéemaatal ci kanam."
    ),
    "result.failed.maintenance": "Service DEXCHANGE a ngi ci maintenance. Jéemaatal ci kanam.",
    "result.failed.bill_already_paid": "Facture bii, fey nañu ko ba noppi.",
    "result.failed.no_unpaid_bill": "Amatul facture bu ñu feyagul ci référence bii.",
    "result.failed.unauthorized": ("Service bi amul léegi. Sunu équipe xam na ko."),
    "result.failed.invalid_request": "Fournisseur bi bañ na li nga laaj : {message}",
    "result.failed.provider_failed": "Fournisseur bi mënul a def opération bi.",
    "result.failed.not_found": (
        "Fournisseur bi gisul référence bii walla service bii. Seetal ko te jéemaatal."
    ),
    "result.failed.admin": "Ab administrateur tëj na fey bii, ne jàllul.",
    "result.code_pending": (
        "✅ Dëggal nañu fey bi ngir compteur {reference} ({amount}) : sa code dina ñëw fii "
        "bu Senelec ko yónnee. Bul feyaat."
    ),
    "result.not_charged": "Jëluñu dara ci sa kont.",
    "result.refunded": "Doo fey xaalis bi : delloo nañu la ko.",
    "result.next": "Lan nga bëgg def léegi ?",
    # Admin: messages set aside because they could not be delivered (outbox "dead")
    "admin.pending.dead": "⚠️ {count} bataaxal yu agsiwul ci ñi ñu ko yónneel : /undelivered",
    "admin.undelivered.none": "Amul benn bataaxal bu agsiwul 👍",
    "admin.undelivered.title": "{count} bataaxal yu agsiwul (yu mujj yi jiitu) :",
    "admin.undelivered.line": "#{id} {date} · {user} · {payment} · {kind}\n    {error}",
    "admin.undelivered.payment": "fey #{id}",
    "admin.undelivered.no_payment": "amul fey",
    # Recharge codes past RETENTION_DAYS: only their last four digits are kept
    "code.expired": "Code bu jeex (mu ngi mujje ci {last4})",
    # Terminal demo
    "demo.bye": "Ba beneen yoon ! Jërëjëf ci li nga jéem démo bi.",
    # --- Accounts: wallet and administration -----------------------------------------------------
    "command.balance": "Sama solde ak li mujj a xew",
    "command.admin": "Ndigal yu administrateur",
    "button.balance": "💰 Sama solde",
    # Wallet
    "wallet.balance": "💰 Sa solde : {balance}",
    "wallet.movements": "Li mujj a xew :",
    "wallet.no_movements": "Dara xewagul ci sa kont.",
    "wallet.entry": "{date} · {sign}{amount} · {label}",
    "wallet.kind.credit": "dugal xaalis",
    "wallet.kind.adjustment": "jubbanti",
    "wallet.kind.reserve": "fey {reference}",
    "wallet.kind.settle": "jubbanti frais yi",
    "wallet.kind.release": "fey bi bayi nañu ko, xaalis bi delsi na",
    "wallet.kind.redebit": "fey {reference} jàll na ci ginnaaw, xaalis bi jëlaat nañu ko",
    "wallet.kind.funding": "dugal xaalis ak mobile money",
    "wallet.kind.payout": "delloo xaalis ci sa mobile money",
    "wallet.kind.payout_return": "delloo xaalis bi jàllul, xaalis bi delsi na",
    "wallet.how_to_credit": (
        "Ngir dugal xaalis ci sa kont, jokkool ak {contact} te joxe sa identifiant : {user_id}."
    ),
    "wallet.empty": "Sa solde mooy {balance} : fàww nga dugal xaalis ci sa kont bala ngay fey.",
    "wallet.not_enough": (
        "❌ Sa solde doyul : fey bii laaj na {needed}, sa solde mooy {balance}. Dara feyuwul."
    ),
    "wallet.default_contact": "sa agent walla ki yor service bi",
    "wallet.available": "Solde bi nga am : {balance}",
    "wallet.credited": "💰 Dugal nañu {amount} ci sa kont. Sa solde léegi : {balance}.{note}",
    "wallet.debited": "Jubbanti nañu sa kont, -{amount}. Sa solde léegi : {balance}.{note}",
    "wallet.note": " Li waral : {note}",
    # Admin
    "admin.only": "Ndigal bii, administrateur yi rekk ñoo ko mën a jëfandikoo.",
    "admin.help": (
        "Ndigal yu administrateur :\n"
        "/credit <utilisateur> <montant> [note] – dugal xaalis ci ab kont\n"
        "/debit <utilisateur> <montant> [note] – wàññi ab kont ngir jubbanti\n"
        "/role <utilisateur> customer|agent|admin – soppi rôle\n"
        "/user <utilisateur> – rôle, solde, fey yi mujj\n"
        "/pending – fey yi jeexagul\n"
        "/refund <jëfandikukat> <xaalis|all> [wave|om|free <nimero>] – delloo ci mobile money\n"
        "/collections – dugal xaalis ak delloo yi ñuy dox, antuwul, war a seet\n"
        "/resolve <n°> success|failed [code] <motif> – jeexal ab fey bu taxaw\n"
        "/provider – solde kont DEXCHANGE bi\n"
        "/stats – limu tey bi ci service bu nekk\n"
        "Ab utilisateur, identifiant Telegram walla @tur ñoo koy won."
    ),
    "admin.usage.credit": "Naka lay doxe : /credit <utilisateur> <montant> [note]",
    "admin.usage.debit": "Naka lay doxe : /debit <utilisateur> <montant> [note]",
    "admin.usage.role": "Naka lay doxe : /role <utilisateur> customer|agent|admin",
    "admin.usage.user": "Naka lay doxe : /user <utilisateur>",
    "admin.unknown_user": (
        "Xamunu utilisateur bii : {who}. Fàww mu bind /start ci bot bi bala (walla "
        "jëfandikool identifiant Telegram bi)."
    ),
    "admin.ambiguous_user": (
        "Ay utilisateur yu bari ñoo am tur wii {who} : {candidates}. Wonal ki nga bëgg ak "
        "identifiant Telegram bi (lim bi ci biir parenthèse yi)."
    ),
    "admin.bad_amount": "Xaalis bi baaxul : {text}. Joxe ab limu franc bu mat.",
    "admin.amount_not_whole": (
        "Xaalis bi baaxul : {text}. Franc CFA amul centime : joxe ab limu franc bu mat, "
        "amul virgule, misaal 2500 walla 10 000."
    ),
    "admin.amount_too_large": "Xaalis bi dafa bari lool ci benn opération (max {max} FCFA).",
    "admin.debit_too_large": "Mënul nekk : solde bi ({balance} FCFA) doyul {amount} FCFA.",
    "admin.bad_role": "Xamunu rôle bii : {role}. Tànnal customer, agent walla admin.",
    "admin.credited": "✅ Dugal nañu {amount} ci kontu {user}. Solde bu bees : {balance}.",
    "admin.debited": "✅ Jubbanti nañu kontu {user}, -{amount}. Solde bu bees : {balance}.",
    "admin.role_set": "✅ {user} léegi mooy {role}.",
    "admin.user": (
        "👤 {user}\nIdentifiant : {external_id}\nRôle : {role}\nSolde : {balance}\n"
        "Bi mu dugge : {since}"
    ),
    "admin.user.payments": "Fey yi mujj :",
    "admin.user.no_payments": "Amul benn fey.",
    "admin.message.pending": "✉️ bataaxal bi a ngi xaar ñu yónnee ko",
    "admin.message.accepted": "✉️ WhatsApp jël na bataaxal bi",
    "admin.message.sent": "✉️ bataaxal bi dem na",
    "admin.message.delivered": "✉️ bataaxal bi agsi na",
    "admin.message.read": "✉️ bataaxal bi jàng nañu ko",
    "admin.message.failed": "✉️ bataaxal bi jàllul (code {code})",
    "admin.message.dead": "✉️ bataaxal bi agsiwul (xoolal /undelivered)",
    "admin.message.undeliverable": "✉️ utilisateur bi mënuñu ko jot",
    "admin.payment_line": "#{id} {date} · {service} {reference} · {total} · {status}",
    "admin.pending.none": "Amul benn fey buy xaar 👍",
    "admin.pending.title": "{count} fey yu jeexagul :",
    "admin.pending.line": "#{id} {service} {reference} · {total} · {status} am na {age}{flag}",
    "admin.pending.flag": " ⚠️ war nañu ko seet",
    "admin.provider": "🏦 Solde DEXCHANGE : {balance} ({currency}), yeesal nañu ko {updated}",
    "admin.provider.error": "DEXCHANGE tontuwul ci solde bi : {error}",
    "admin.stats.title": "📊 Tey ({day}) :",
    "admin.stats.line": "{service} : {count} fey, {amount}, frais {fees}",
    "admin.stats.total": "Total : {count} fey, {amount}, frais {fees}",
    "admin.stats.other": "Jàllul : {failed} · Ñu ngi ci yoon : {open}",
    "admin.stats.none": "Benn fey jàllagul tey.",
    "role.customer": "kiliyaan",
    "role.agent": "agent",
    "role.admin": "administrateur",
    "status.created": "sos nañu ko",
    "status.submitted": "yónnee nañu ko",
    "status.processing": "mi ngi ci yoon",
    "status.unknown": "ñu ngi xaar",
    "status.success": "jàll na",
    "status.failed": "jàllul",
    # --- Agents: finding, reprinting, daily reports ----------------------------------------------
    # Menu
    "button.history": "📜 Li weesu",
    "button.meters": "⭐ Samay compteur",
    "button.today": "📊 Sama bés",
    "button.find": "🔎 Seet ab code",
    "button.last": "🧾 Code bu mujj",
    "command.history": "Samay fey yu mujj ak seen code",
    "command.meters": "Samay compteur ak référence yu ma denc",
    "help.more": (
        "/history – say fey yu mujj, seen code ak seen reçu\n"
        "/meters – say compteur yu nga denc : soppi tur, far\n"
        "/balance – sa solde"
    ),
    "help.agent": (
        "Jumtukaayu agent :\n"
        "/find <compteur, référence walla kiliyaan> – say fey yu mujj ngir moom, ak code yi\n"
        "/last – wonaat code bu mujj bi\n"
        "/today – sa bés : fey yi, frais yi, solde bu ubbi ak bu tëj\n"
        "/report AAAA-MM-JJ – lii rekk ngir beneen bés"
    ),
    # Under a result
    "button.receipt": "🧾 Reçu",
    "button.buy_again": "🔁 Jëndaat {amount}",
    "button.retry": "🔁 Jéemaat",
    "button.save": "⭐ Denc",
    "button.new_client": "👤 Kiliyaan bu bees",
    "result.client": "Kiliyaan : {label}",
    # Reference step
    "ask.saved": "Walla tànnal référence bu nga denc walla nga jëfandikoo woon :",
    "saved.button": "⭐ {nickname} · {reference}",
    "reference.named": "{reference} ({nickname})",
    # Saving and naming a reference
    "meters.saved.meter": "⭐ Denc nañu compteur {reference}.",
    "meters.saved.reference": "⭐ Denc nañu référence {service} {reference}.",
    "meters.ask_name": (
        "Naka lañu koy wooye, ngir nga xam ko ci fey bi ci topp ? Bindal ab tur, walla "
        "tànnal ci suuf."
    ),
    "meters.ask_rename": "Ban tur bu bees ngir {name} ? Bindal ko, walla tànnal ci suuf.",
    "meters.suggest.1": "🏠 Kër",
    "meters.suggest.2": "🏪 Bitik",
    "meters.suggest.3": "👵 Yaay",
    "meters.suggest.4": "🏢 Biro",
    "button.keep_number": "⏭ Denc numéro bi",
    "meters.named": "✅ {reference} léegi mooy « {nickname} ». Dinaa la ko won ci fey bi ci topp.",
    "meters.kept": "✅ Denc nañu {reference} ak numéroom. Dinaa la ko won ci fey bi ci topp.",
    "meters.already": "⭐ Denc nañu {reference} ba noppi, turam « {nickname} ».",
    "meters.bad_name": "« {text} » manul nekk tur : 1 ba 30 araf, ci benn rëdd.",
    "meters.name_taken": "Am nga ba noppi référence bu tudd « {nickname} ». Tànnal beneen tur.",
    "meters.full": "Denc nga ba noppi {max} référence. Faral benn ak /meters bala ngay yokk beneen.",
    # /meters
    "meters.title": "⭐ Say compteur ak référence yu nga denc ({count}) :",
    "meters.line": "{number}. {name} — {service} {reference}",
    "meters.choose": "Bësal benn ngir fey, soppi turam walla far ko.",
    "meters.empty": (
        "Dencagoo dara. Su nga feyee, bësal « ⭐ Denc » "
        "ci suufu li ñu la tontu : référence bi dinaa la ko won ci yoon wi ci topp."
    ),
    "meters.detail": "⭐ {name}\n{service} · {reference}\nJëfandikoo nañu ko {uses} yoon.",
    "button.use.woyofal": "⚡ Jënd crédit",
    "button.use.bill": "💡 Fey facture bi",
    "button.rename": "✏️ Soppi tur",
    "button.delete": "🗑 Far",
    "button.back": "◀️ Dellu",
    "button.delete_yes": "🗑 Waaw, far ko",
    "meters.confirm_delete": (
        "Ndax nga bëgg far « {name} » ({reference}) ci say référence yu nga denc ? Say fey "
        "yu weesu dinañu des ci li weesu."
    ),
    "meters.deleted": "🗑 Far nañu « {name} » ci say référence.",
    # /history
    "history.title": "📜 Say fey, bu mujj bi jiitu ({first} ba {last} ci {count}) :",
    "history.line": "{number}. {date} · {service} · {reference} · {amount} · {status}",
    "history.client": " · 👤 {label}",
    "history.open": "Bësal ab numéro ngir gis lépp, code bi ak reçu bi.",
    "history.empty": "Feyagoo dara ba léegi.",
    "button.older": "◀️ Yu yàgg",
    "button.newer": "Yu bees ▶️",
    "button.history_back": "◀️ Li weesu",
    "detail.title": "🧾 Fey bu {date}",
    "detail.status": "Fan la tollu : {status}",
    "detail.service": "Service : {service}",
    "detail.holder": "Boroom : {holder}",
    "detail.pending": "Dinañu la yónnee fii ndax jàll na walla deet, bu ñëwee ; bul feyaat.",
    "detail.failed": "Fey bii jàllul : jëluñu xaalis bi ci sa kont.",
    # Receipts
    "receipt.title": "Reçu fey",
    "receipt.service": "Service",
    "receipt.meter": "Compteur",
    "receipt.reference": "Référence",
    "receipt.holder": "Boroom",
    "receipt.bill": "Facture",
    "receipt.client": "Kiliyaan",
    "receipt.amount": "Xaalis",
    "receipt.fee": "Frais",
    "receipt.total": "Total",
    "receipt.date": "Bis",
    "receipt.transaction": "Transaction",
    "receipt.codes.one": "Code bi ngay bind ci compteur bi",
    "receipt.codes.many": "Code yi ngay bind, ci toftaloo gii",
    "receipt.footer": "Jërëjëf ci sa kóolute",
    "receipt.caption": "🧾 Reçu bi · {service} {reference} · {total}",
    # Client label (agents, before the confirmation)
    "label.ask": (
        "👤 Ngir ban kiliyaan ? Bindal turam walla numéro telefonam (bu la neexee) : dina "
        "feeñ ci reçu bi, te /find dina gis fey bii."
    ),
    "label.bad": "« {text} » baaxul : 1 ba 40 araf ci benn rëdd. Bindal ab tur walla ab numéro, walla jàll.",
    "button.skip_label": "⏭ Amul tur",
    "button.same_label": "👤 {label}",
    "confirm.client": "Kiliyaan : {label}",
    # Agent tools
    "agents.only": "Ndigal bii, agent yi rekk ñoo ko mën a jëfandikoo.",
    "find.ask": "🔎 Bindal numéro compteur bi, référence client bi, walla tur walla telefonu kiliyaan bi :",
    "find.bad": "Bindal ab numéro compteur walla ab référence (ay chiffre), walla turu ab kiliyaan.",
    "find.title": "🔎 Say fey yu mujj ngir « {query} » :",
    "find.line": "{number}. {date} · {service} {reference} · {amount} · {status}",
    "find.none": "Amul benn ci say fey bu dëppoo ak « {query} ».",
    "last.title": "🧾 Sa code bu mujj :",
    "last.none": "Jotagoo benn code ba léegi.",
    # Day report
    "report.title": "📊 Bésu {day}",
    "report.title.now": "📊 Bésu {day}, ci {time}",
    "report.title.daily": "🌙 Li xew ci sa bésu {day}, ci {time}",
    "report.line": "{service} : {count} fey · {amount} · frais {fees}",
    "report.total": "Total : {count} fey · {amount} · frais {fees} · jël nañu {total}",
    "report.none": "Benn fey jàllul bés boobu.",
    "report.other": "Jàllul (dara wàññikuwul) : {failed} · Ñu ngi ci yoon : {open}",
    "report.wallet": "💰 Kont",
    "report.opening": "Solde bi ci ubbi bi : {balance}",
    "report.credits": "Dugal xaalis ak jubbanti : {amount}",
    "report.payments": "Fey yi : {amount}",
    "report.closing": "Solde bi ci tëj bi : {balance}",
    "report.closing.now": "Solde bi ci {time} : {balance}",
    "report.usage": "Naka lay doxe : /report AAAA-MM-JJ, misaal /report {example}",
    "report.future": "{day} agsagul.",
    # --- Stuck payments settled by hand ----------------------------------------------------------
    "command.resolve": "Jeexal ab fey bu taxaw ak loxo",
    "admin.usage.resolve": (
        "Naka lay doxe : /resolve <n° fey> success|failed [code…] <motif>\n"
        "success : fey na (ak code Woyofal bi su ñu ko xamee) · failed : jàllul, xaalis bi "
        "dina dellu ci kont bi. Motif bi war na, dinañu ko denc ak fey bi."
    ),
    "admin.resolved": "✅ Fey #{id} ({external_id}) jeex na : {status}. Motif bi ñu denc : {reason}",
    "admin.resolved.awaiting_code": "fey na, mi ngi xaar code bi",
    "resolve.bad_outcome": "Tànnal success (fey na) walla failed (jàllul).",
    "resolve.no_reason": "Joxe motif bi : dinañu ko denc ak fey bi.",
    "resolve.unknown": "Amul fey n°{id}.",
    "resolve.in_flight": (
        "Fey n°{id} a ngi dem ci DEXCHANGE : xaaral tontu bi "
        "(ay seconde) bala ngay ko jeexal ak loxo."
    ),
    "resolve.final": (
        "Fey n°{id} jeex na ba noppi ({status}) : amul dara lu ñu war a jeexal. Li "
        "DEXCHANGE wax, su ñëwee, dinañu ko def te dinañu la ko xamal."
    ),
    "admin.pending.hold": " ⛔ mi ngi xaar ab administrateur : {reason}",
    "result.late.redebited": (
        "ℹ️ Fey bii, waxoon nañu la ne jàllul : fournisseur bi mujj na dëggal ne "
        "jàll na. Jëlaat nañu {amount} ci sa kont."
    ),
    "result.late.owed": (
        "ℹ️ Fey bii, waxoon nañu la ne jàllul : fournisseur bi mujj na dëggal ne "
        "jàll na. Sa solde doyatul xaalis bi ; sunu équipe dina la jokkoo."
    ),
    "admin.attention": (
        "⚠️ Fey n°{id} ({ref}) war nañu ko seet : {reason}\n"
        "/pending ngir gis limu yi, /resolve ngir jeexal ko ak loxo."
    ),
    "admin.credit.held": (
        "⚠️ {amount} ñu ngi ko téye ngir fey (yi) {ids}, yu jeexagul. Su fekkee "
        "crédit bii ngir fay leen la, jeexal leen ak /resolve <n°> failed <motif> : "
        "lu ko moy, su DEXCHANGE dëggalee ci ginnaaw ne jàllul, xaalis bi dina dellu ñaari yoon."
    ),
    # WhatsApp: a list message's button, and its "More…" row when the choices need pages
    "whatsapp.choose": "Tànnal",
    "whatsapp.more": "Yeneen…",
    "whatsapp.more.rows": "Tànneef {first} ba {last} ci {total}",
    "whatsapp.more.body": "Yeneen tànneef ({page}/{pages})",
    # Templates (WhatsApp, past 24 hours): a payment's outcome in a few words, a receipt ready
    "template.outcome.paid": "fey nañu ko",
    "template.outcome.paid_late": "mujj na jàll, ginnaaw bi ñu waxee ne jàllul",
    "template.outcome.code_coming": "fey nañu ko, code bi dina ñëw",
    "template.outcome.processing": "nangu nañu ko, code bi dina ñëw",
    "template.outcome.not_charged": "jàllul, jëluñu dara ci sa kont",
    "template.outcome.refunded": "jàllul, delloo nañu la xaalis bi",
    "template.outcome.checking": "ñu ngi koy seet",
    "template.receipt": (
        "sa reçu {service} ngir référence {reference} ({total}) pare na, "
        "dinañu la ko yónnee bu nga tontoo"
    ),
    "template.empty": "am nga bataaxal bu bees",
    "admin.collection_attention": "⚠️ Dugal xaalis n°{id} ({ref}) war nañu ko seet : {reason}",
    "funding.success": "✅ Sa kont yokku na {amount}. Sa solde bu bees : {balance}.",
    "funding.failed": (
        "❌ Dugal {amount} ci sa kont antuwul : amul xaalis bu ñu jël ci sa mobile money. "
        "Mën nga ko jéemaat."
    ),
    "funding.cancelled": (
        "❌ Dugal {amount} ci sa kont dañu ko neenal : amul xaalis bu ñu jël ci sa mobile money."
    ),
    "funding.expired": (
        "⌛ Dugal {amount} ci sa kont jot na te nangoo-wuloo ko : amul xaalis bu ñu jël ci sa "
        "mobile money. Mën nga ko jéemaat."
    ),
    # Pay the rest: the collection was for a purchase (issue 15)
    "funding.success.paying": (
        "✅ Sa kont yokku na {amount}. Sa solde bu bees : {balance}.\n"
        "Léegi nuy fey li nga bëggoon jënd : ngay gis ntànk bi ci kanam."
    ),
    "funding.failed.purchase": (
        "❌ Dugal {amount} ci sa kont antuwul : amul xaalis bu ñu jël ci sa mobile money, "
        "te feyuñu li nga bëggoon jënd. Mën nga ko jéemaat."
    ),
    "funding.cancelled.purchase": (
        "❌ Dugal {amount} ci sa kont dañu ko neenal : amul xaalis bu ñu jël, te feyuñu li "
        "nga bëggoon jënd."
    ),
    "funding.expired.purchase": (
        "⌛ Dugal {amount} ci sa kont jot na te nangoo-wuloo ko : amul xaalis bu ñu jël, te "
        "feyuñu li nga bëggoon jënd. Mën nga ko jéemaat."
    ),
    "rest.changed": (
        "ℹ️ Faktiir bu référence {reference} soppiku na walla fey nañu ko ba noppi : feyuñu "
        "ko. Xaalis bi ngi ci sa kont (solde : {balance}). Ubbil menu bi ngir gis faktiir bi "
        "te nangu ko ci bès."
    ),
    "rest.failed": (
        "ℹ️ Li nga bëggoon jënd ci référence {reference} ({amount}) mënuñu koo fey. Xaalis bi "
        "ngi ci sa kont (solde : {balance}) : mën nga koo jëfandikoo ci kanam walla nga laaj "
        "ñu delloo la ko."
    ),
    "result.rest_kept": (
        "Xaalis bi nga dugal ngi ci sa kont : mën nga koo jëfandikoo ci kanam walla nga laaj "
        "ñu delloo la ko."
    ),
    "rest.offer": (
        "{missing} moo des ci sa solde. Feyal ko ak {methods} : dinañu fey li ngay jënd "
        "bu xaalis bi agsee."
    ),
    "rest.button": "📲 Fey li des",
    "rest.chosen": "📲 Dangay fey li des ak mobile money ; jënd bi dina topp.",
    "rest.pending": (
        "Bu dugal xaalis bi wéyee, dinañu fey sa jënd ci saa si te ntànk bi dina ñëw fii."
    ),
    # --- funding (issue 15) ---
    "button.fund": "➕ Yokk sama kont",
    "command.fund": "Yokk sama kont ak Wave, Orange Money walla Free Money",
    "wallet.how_to_fund": (
        "Yokkal sa kont ak Wave, Orange Money walla Free Money : bës ci "
        "« ➕ Yokk sama kont » walla bind /recharger. Ngir fey ak xaalis ci loxo, jokkool ak "
        "{contact} te joxe sa identifiant : {user_id}."
    ),
    "funding.unavailable": "Yokk kont ak mobile money mënul nii.",
    "funding.cap_reached": (
        "Tey, yokk nga sa kont ba jéggi dayo bi ({cap}). Mën nga ko yokkaat ëllëg."
    ),
    "funding.ask_amount": (
        "➕ Yokk sama kont\nÑaata nga bëgg yokk ci sa kont ? Tànnal walla bindal benn "
        "limu xaalis diggante {min} ak {max}."
    ),
    "funding.cap_left": "Tey, mën ngaa yokk ba {remaining}.",
    "funding.bad_amount": "« {text} » du limu xaalis. Bindal ay siifar rekk, misaal 5000.",
    "funding.below_min": "Li gën a tuuti mooy {min}.",
    "funding.above_max": "Li gën a bari ci benn yoon mooy {max}.",
    "funding.above_cap": (
        "Limu xaalis bii jéggi na dayo bu tey ({cap}) : tey, mën ngaa yokk ba {remaining}."
    ),
    "funding.method.wave": "Wave",
    "funding.method.orange_money": "Orange Money",
    "funding.method.free_money": "Free Money",
    "funding.ask_method": "Yokk {amount}.\nAk lan ngay fey ?",
    "funding.choose_method": "Tànnal ci bouton yi.",
    "funding.ask_number": "Sa nimero {method} ? Bindal 9 siifar yi, misaal {example}.",
    "funding.ask_number.known": (
        "Ban nimero {method} lañuy jël xaalis bi ? Tànnal ko, walla bindal beneen nimero "
        "(9 siifar, misaal {example})."
    ),
    "funding.button.other_number": "✏️ Beneen nimero",
    "funding.type_number": "Bindal nimero {method} bi (9 siifar, misaal {example}).",
    "funding.bad_number": (
        "« {text} » du nimero portaabal bu Senegaal. Bindal 9 siifar yu tàmbalee ci 7, "
        "misaal {example}."
    ),
    "funding.summary.title": "Seetal bala ngay dëggal :",
    "funding.summary.number": "Nimero {method} : {number}",
    "funding.summary.credit": "Li ñuy yokk ci sa kont : {amount}",
    "funding.summary.no_fee": "Frais : amul",
    "funding.summary.fee_customer": "Frais : {fee} (yaa koy fey)",
    "funding.summary.fee_operator": "Frais : {fee} ({operator} moo koy fey)",
    "funding.summary.total": "Li ñuy jël ci sa {method} : {total}",
    "funding.confirm.question": "Ndax dëggal nga yokk bii ?",
    "funding.button.confirm": "✅ Dëggal",
    "funding.started": "⏳ Yónnee nañu laaj fey bi.",
    "funding.already": "Yokk bii tàmbali na ba noppi ; dinaa la bind bu ma amee tontu bi.",
    "funding.pending.wave": (
        "📲 Ubbil Wave te nangu fey bu {total}. Su ma la yónnee lien, mën nga ko ubbi it "
        "ngir nangu fey bi."
    ),
    "funding.pending.orange_money": (
        "📲 Dëggalal fey bu {total} ak sa code secret Orange Money bu sa telefon la ko laajee. "
        "Su dara feeñul, bësal #144# te topp li ñu la wax."
    ),
    "funding.pending.free_money": (
        "📲 Dëggalal fey bu {total} ci sa telefon, ak sa code secret Free Money."
    ),
    "funding.pending.time": (
        "Am nga {minutes} minit ngir dëggal. Dinaa la bind bu ma amee tontu bi : su fey bi "
        "jàllee, sa kont dina yokku."
    ),
    "funding.method_unavailable": "Mënuloo yokk ak portefeuille bii léegi.",
    "funding.link": "🔗 Ngir nangu yokk bu {amount} ak Wave, ubbil lien bii :",
    "funding.button.link": "Nangu ak Wave",
    # --- refunds (issue 15) ---
    "admin.refund_attention": "⚠️ Delloo n°{id} ({ref}) war nañu ko seet : {reason}",
    "refund.success": (
        "💸 Yónnee nañu {amount} ci sa mobile money ({number}). Sa solde bu bees : {balance}."
    ),
    "refund.failed": (
        "❌ Delloo {amount} ci sa mobile money antuwul : xaalis bi dellusi na ci sa kont. "
        "Solde : {balance}."
    ),
    "admin.usage.refund": (
        "Jëfandikoo : /refund <jëfandikukat> <xaalis|all> [wave|om|free <nimero 9 siifar>]\n"
        "Su amul nimero, kontu mobile money bi kiliyaan bi denc lañuy jëfandikoo."
    ),
    "admin.refund.bad_method": "Lii xamuñu ko : {text}. Tannal wave, om walla free.",
    "admin.refund.bad_number": "Nimero bi baaxul : {text}. Joxeel 9 siifar yi, te bañ +221.",
    "admin.refund.no_account": (
        "{user} denculul kontu mobile money : joxeel yoon wi ak nimero bi, "
        "misaal /refund <jëfandikukat> <xaalis> wave 771234567."
    ),
    "admin.refund.summary": (
        "Delloo xaalis, nangul ko :\n"
        "Kiliyaan : {user}\n"
        "Xaalis : {amount}\n"
        "Fu mu jëm : {method} {number}\n"
        "Solde : {balance} → {after} bu yónnee"
    ),
    "admin.refund.question": "Ndax nga nangu ñu yónnee ko ?",
    "admin.refund.button": "✅ Delloo ko",
    "admin.refund.sent": (
        "💸 Delloo n°{id} yónnee nañu ko : {amount} jëm {method} {number}. Kiliyaan bi dina "
        "xam li ci génn (/collections ngir topp ko)."
    ),
    "admin.refund.already": "Delloo bii (n°{id}) yónnee nañu ko ba noppi : {status}.",
    "admin.refund.refused.bad_amount": (
        "Xaalis bi baaxul : joxeel benn limu franc bu mat, walla all ngir solde bi yépp."
    ),
    "admin.refund.refused.empty": "Solde kiliyaan bi dara amul : amul lu ñuy delloo.",
    "admin.refund.refused.above_balance": ("Solde kiliyaan bi ({balance}) doyul ngir delloo bii."),
    "admin.refund.refused.below_min": "Delloo war na tollu lu mu néew néew {limit}.",
    "admin.refund.refused.above_max": "Delloo mënul weesu {limit} : def ko ñaari yoon walla lu ëpp.",
    "admin.refund.refused.bad_number": "Nimero bi baaxul : 9 siifar lañu soxla, te bañ +221.",
    "admin.collections.none": "Amul dugal xaalis walla delloo buñ war a xool 👍",
    "admin.collections.open": "⏳ Ñu ngi ciy dox ({count}) :",
    "admin.collections.ended": "❌ Antuwul, ñu neenal walla jot na ci {days} fan yii ({count}) :",
    "admin.collections.flagged": "⚠️ War nañu leen seet ({count}) :",
    "admin.collections.line": (
        "#{id} {direction} {method} {number} · {amount} · {status} · {user} · am na {age}"
    ),
    "admin.collections.reason": "    ↳ {reason}",
    "admin.collections.more": "… ak {count} yu ci des.",
    "admin.pending.collections": (
        "⚠️ {count} dugal xaalis walla delloo war nañu leen seet (/collections) :"
    ),
    "direction.in": "dugal xaalis",
    "direction.out": "delloo",
    "collection.status.created": "sos nañu ko",
    "collection.status.submitted": "yónnee nañu ko",
    "collection.status.pending": "ñu ngi xaar",
    "collection.status.unknown": "war nañu ko dëggal",
    "collection.status.success": "antu na",
    "collection.status.failed": "antuwul",
    "collection.status.cancelled": "ñu neenal ko",
    "collection.status.expired": "jot na",
    # --- speak like the customer (16) ---
    "bad.amount.unclear.one": (
        "« {text} » : {first} nga bëgg ? Bësal bouton bi, walla bindal xaalis bi ci FCFA, ak "
        "chiffre yu dëgër, te bul def virgule (misaal {digits})."
    ),
    "bad.amount.unclear.two": (
        "« {text} » : {first} walla {second} nga bëgg ? Bësal bouton bu baax bi, walla bindal "
        "xaalis bi ci FCFA, ak chiffre yu dëgër, te bul def virgule (misaal {digits})."
    ),
    "bad.amount.unclear.none": (
        "« {text} » du xaalis bu ma mën a fey : bindal xaalis bi ci FCFA, ak chiffre yu dëgër, "
        "te bul def virgule, diggante {min} ak {max}."
    ),
    "bad.reference.letters": (
        "« {text} » du référence bu baax : nimero dafa war a am chiffre yi rekk (espace, tiret "
        "ak point jaar nañu), misaal {example}. Jéemaatal."
    ),
    "media.voice": (
        "Mënuma déglu message vocal yi 🙉 Bindal ma walla jëfandikool bouton yi. {prompt}"
    ),
    "media.photo": (
        "Mënuma jàng nataal yi 📷 Bindal nimero bi ak chiffre walla jëfandikool bouton yi. {prompt}"
    ),
    "media.sticker": "Jërëjëf 😊 Ngir wéy, jëfandikool bouton yi walla bindal ma. {prompt}",
    "media.location": ("Soxlawuma fi nga nekk 📍 Jëfandikool bouton yi walla bindal ma. {prompt}"),
    "media.contact": (
        "Duma jàng contact yi ñu yónnee 👤 Bindal nimero bi ak chiffre walla jëfandikool "
        "bouton yi. {prompt}"
    ),
    "media.document": (
        "Mënuma ubbi fichier yi 📄 Bindal nimero bi ak chiffre walla jëfandikool bouton yi. "
        "{prompt}"
    ),
    "media.video": "Mënuma xool vidéo yi 🎬 Bindal ma walla jëfandikool bouton yi. {prompt}",
    "command.find": "Seet ab kiliyaan walla ab référence",
    "command.last": "Defaat fey bu mujj bi",
    "command.today": "Samay jaay tey",
    "command.report": "Rapport bu ab bés (AAAA-MM-JJ)",
    "command.credit": "Yokk xaalis ci ab portefeuille",
    "command.debit": "Wàññi xaalis ci ab portefeuille",
    "command.role": "Soppi role bu ab jëfandikukat",
    "command.user": "Xool ab jëfandikukat",
    "command.pending": "Fey yi des",
    "command.undelivered": "Message yi agsiwul",
    "command.provider": "Naka la DEXCHANGE mel",
    "command.stats": "Limi tey",
    "command.refund": "Delloo kiliyaan xaalisam ci mobile money",
    "command.collections": "Dugal ak delloo yi nuy topp",
}
