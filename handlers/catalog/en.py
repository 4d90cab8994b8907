"""English texts."""

TEXTS: dict[str, str] = {
    # Menu and general
    "greeting": (
        "Hello {name} 👋\n"
        "I help you pay your Senelec and SenEau bills and buy Woyofal credit, right here."
        "\n\nWhat would you like to do?"
    ),
    "menu": "What would you like to do?",
    "button.woyofal": "⚡ Buy Woyofal",
    "button.senelec": "💡 Senelec bill",
    "button.seneau": "💧 SenEau bill",
    "button.language": "🌐 Langue / Language",
    "button.help": "❓ Help",
    "button.cancel": "✖️ Cancel",
    "button.menu": "🏠 Menu",
    "button.confirm": "✅ Confirm and pay",
    "help": (
        "How it works:\n"
        "1. Choose Woyofal, Senelec or SenEau.\n"
        "2. Give the meter number or the customer reference.\n"
        "3. For Woyofal, choose the amount; for a bill, I show you the amount due.\n"
        "4. Check the summary and confirm.\n"
        "Your Woyofal code or receipt arrives here, even if it takes a few minutes.\n"
        "Top up your account with Wave, Orange Money or Free Money; when a purchase needs "
        "more than your balance, the confirmation offers to pay the rest.\n\n"
        "Commands:\n"
        "/start – main menu\n"
        "/topup – top up my account\n"
        "/cancel – cancel what you are doing\n"
        "/language – change language\n"
        "/help – this help"
    ),
    "cancelled": "Cancelled. Nothing was paid.",
    "nothing_to_cancel": "There is nothing to cancel.",
    "not_understood": "I did not understand. Please use the buttons below.",
    "stale_button": "This button is no longer valid. Here is the menu.",
    "stale_button.step": "This button is no longer valid. {prompt}",
    "stale_button.toast": "This button is no longer valid.",
    "button_used": "This button has already been used.",
    "expired": "Your previous operation expired after a while without activity. Nothing was paid.",
    "text_only": "I only read text and buttons. {prompt}",
    "too_long": "This message is too long. {prompt}",
    "group_only_private": (
        "To protect your information, I only handle payments in a private chat: {link}"
    ),
    "error.internal": (
        "Sorry, something went wrong on our side. If you had confirmed a payment, its result will reach you here; otherwise, please start again from the menu."
    ),
    "unknown_command": "Unknown command. Here is what I can do.",
    # Command menu (Telegram)
    "command.start": "Main menu",
    "command.help": "Help and commands",
    "command.cancel": "Cancel what you are doing",
    "command.language": "Change language",
    # Language
    "language.choose": "Choose your language:",
    "language.set": "Done: I will speak English with you from now on.",
    # Services
    "service.WOYOFAL_SN_BILL": "Woyofal",
    "service.SENELEC_SN_BILL": "Senelec bill",
    "service.SENEAU_SN_BILL": "SenEau bill",
    "biller.SENELEC_SN_BILL": "Senelec",
    "biller.SENEAU_SN_BILL": "SenEau",
    "biller.WOYOFAL_SN_BILL": "Woyofal",
    # Reference step
    "ask.meter": "Enter your Woyofal meter number (digits only).",
    "ask.reference": "Enter the {service} customer reference (policy number, digits only).",
    "ask.recent": "Or pick a reference you used before:",
    "bad.reference": (
        "“{text}” is not a valid reference: it needs 6 to 20 digits. Please try again."
    ),
    # Bills
    "bills.searching": "Looking up the bills of {reference}…",
    "bills.none": "No unpaid bill for reference {reference}. Everything is settled 👍",
    "bills.choose": "{count} unpaid bills for {reference}{holder}. Which one do you pay?",
    "bills.option": "{amount} · due {due}",
    "bills.unavailable": (
        "The bill service is not answering right now. Nothing was paid. "
        "Please try again in a few minutes."
    ),
    "bills.maintenance": (
        "The DEXCHANGE service is under maintenance. Nothing was paid. Please try again later."
    ),
    "bills.refused": "Reference {reference} was refused: {message}",
    # Amount step
    "ask.amount": (
        "Meter {reference}.\nHow much do you want to buy? Choose or type an amount between "
        "{min} and {max}."
    ),
    "bad.amount.not_a_number": (
        "“{text}” is not an amount. Type a whole number of francs, for example 5000."
    ),
    "bad.amount.too_small": "The minimum amount is {min}. Please type another amount.",
    "bad.amount.too_large": "The maximum amount is {max}. Please type another amount.",
    # Confirmation
    "confirm.title": "Please check before paying:",
    "confirm.service": "Service: {service}",
    "confirm.meter": "Meter: {reference}",
    "confirm.reference": "Customer reference: {reference}",
    "confirm.holder": "Holder: {holder}",
    "confirm.bill": "Bill: {bill}",
    "confirm.due": "Due date: {due}",
    "confirm.amount": "Amount: {amount}",
    "confirm.fee": "Fee: {fee}",
    "confirm.total": "Total to pay: {total}",
    "confirm.question": "Do you confirm this payment?",
    "confirm.sending": "⏳ Payment sent. I will write as soon as I have the answer.",
    "confirm.already": "This payment was already confirmed; I will write as soon as I know.",
    # Results (outbox)
    "result.success.bill": "✅ {service} paid",
    "result.success.woyofal": "✅ Woyofal top-up successful",
    "result.reference": "Reference: {reference}",
    "result.meter": "Meter: {reference}",
    "result.bill": "Bill: {bill}",
    "result.amount": "Amount: {amount}",
    "result.fee": "Fee: {fee}",
    "result.total": "Total: {total}",
    "result.transaction": "DEXCHANGE transaction: {transaction}",
    "result.date": "Date: {date}",
    "result.code.one": "Your code to type on the meter:",
    "result.code.many": "Your {count} codes, to type on the meter in this order:",
    "result.code.missing": (
        "The payment is confirmed, but the provider has not sent the code yet. "
        "Our team is on it and will send it to you here."
    ),
    "result.processing": (
        "⏳ Top-up accepted for meter {reference} ({amount}). Your code will arrive here in "
        "a moment; no need to pay again."
    ),
    "result.unknown": (
        "⏳ We are waiting for the provider to confirm your {service} payment ({total}). "
        "Do not pay again: we are checking and will write here as soon as it is settled."
    ),
    "result.delayed": (
        "🔎 Your {service} payment of {total} (ref. {external_id}) is still being checked "
        "with the provider. An administrator has been told; there is nothing you need to do, "
        "we will write here."
    ),
    "result.failed.title": "❌ The {service} payment of {total} did not go through.",
    "result.failed.insufficient_balance": (
        "The service is temporarily unavailable on our side. Please try again later."
    ),
    "result.failed.maintenance": "The DEXCHANGE service is under maintenance. Try again later.",
    "result.failed.bill_already_paid": "This bill is already paid.",
    "result.failed.no_unpaid_bill": "There is no unpaid bill left for this reference.",
    "result.failed.unauthorized": (
        "The service is temporarily unavailable. Our team has been told."
    ),
    "result.failed.invalid_request": "The provider refused the request: {message}",
    "result.failed.provider_failed": "The provider could not complete the operation.",
    "result.failed.not_found": (
        "The provider did not find this reference or service. Check it and try again."
    ),
    "result.failed.admin": "An administrator closed this payment as not completed.",
    "result.code_pending": (
        "✅ Payment confirmed for meter {reference} ({amount}): your code will arrive here as "
        "soon as Senelec sends it. No need to pay again."
    ),
    "result.not_charged": "You were not charged.",
    "result.refunded": "You are not charged for it: the amount was refunded.",
    "result.next": "What would you like to do now?",
    # Admin: messages set aside because they could not be delivered (outbox "dead")
    "admin.pending.dead": "⚠️ {count} message(s) not delivered to users: /undelivered",
    "admin.undelivered.none": "No undelivered message 👍",
    "admin.undelivered.title": "{count} undelivered message(s) (newest first):",
    "admin.undelivered.line": "#{id} {date} · {user} · {payment} · {kind}\n    {error}",
    "admin.undelivered.payment": "payment #{id}",
    "admin.undelivered.no_payment": "no payment",
    # Recharge codes past RETENTION_DAYS: only their last four digits are kept
    "code.expired": "Expired code (ending in {last4})",
    # Terminal demo
    "demo.bye": "Goodbye! Thanks for trying the demo.",
    # --- Accounts: wallet and administration -----------------------------------------------------
    "command.balance": "My balance and recent movements",
    "command.admin": "Administration commands",
    "button.balance": "💰 My balance",
    # Wallet
    "wallet.balance": "💰 Your balance: {balance}",
    "wallet.movements": "Recent movements:",
    "wallet.no_movements": "No movements yet.",
    "wallet.entry": "{date} · {sign}{amount} · {label}",
    "wallet.kind.credit": "credit",
    "wallet.kind.adjustment": "correction",
    "wallet.kind.reserve": "payment {reference}",
    "wallet.kind.settle": "fee adjustment",
    "wallet.kind.release": "payment cancelled, amount returned",
    "wallet.kind.redebit": "payment {reference} went through after all, amount taken again",
    "wallet.kind.funding": "top-up from mobile money",
    "wallet.kind.payout": "refund to your mobile money",
    "wallet.kind.payout_return": "refund did not go through, amount returned",
    "wallet.how_to_credit": (
        "To credit your account, contact {contact} and give your identifier: {user_id}."
    ),
    "wallet.empty": "Your balance is {balance}: your account needs credit before you can pay.",
    "wallet.not_enough": (
        "❌ Not enough credit: this payment needs {needed}, your balance is {balance}. "
        "Nothing was paid."
    ),
    "wallet.default_contact": "your agent or the service operator",
    "wallet.available": "Available balance: {balance}",
    "wallet.credited": "💰 Your account was credited with {amount}. New balance: {balance}.{note}",
    "wallet.debited": "Your account was corrected by -{amount}. New balance: {balance}.{note}",
    "wallet.note": " Reason: {note}",
    # Admin
    "admin.only": "This command is for administrators only.",
    "admin.help": (
        "Administration commands:\n"
        "/credit <user> <amount> [note] – credit a wallet\n"
        "/debit <user> <amount> [note] – correct downwards\n"
        "/role <user> customer|agent|admin – change the role\n"
        "/user <user> – role, balance, last payments\n"
        "/pending – payments not finished yet\n"
        "/refund <user> <amount|all> [wave|om|free <number>] – refund to mobile money\n"
        "/collections – top-ups and refunds in progress, failed, to check\n"
        "/resolve <number> success|failed [code] <reason> – settle a stuck payment\n"
        "/provider – DEXCHANGE account balance\n"
        "/stats – today's figures by service\n"
        "Name a user by their Telegram id or @username."
    ),
    "admin.usage.credit": "Usage: /credit <user> <amount> [note]",
    "admin.usage.debit": "Usage: /debit <user> <amount> [note]",
    "admin.usage.role": "Usage: /role <user> customer|agent|admin",
    "admin.usage.user": "Usage: /user <user>",
    "admin.unknown_user": (
        "Unknown user: {who}. They must first send /start to the bot (or use their Telegram id)."
    ),
    "admin.ambiguous_user": (
        "Several users have the name {who}: {candidates}. Name the one you mean by their "
        "Telegram id (the number in brackets)."
    ),
    "admin.bad_amount": "Invalid amount: {text}. Give a whole number of francs.",
    "admin.amount_not_whole": (
        "Invalid amount: {text}. The CFA franc has no cents: give a whole number of francs, "
        "with no decimals, e.g. 2500 or 10 000."
    ),
    "admin.amount_too_large": "Amount too large for one operation (max {max} FCFA).",
    "admin.debit_too_large": "Not possible: the balance ({balance} FCFA) does not cover {amount} FCFA.",
    "admin.bad_role": "Unknown role: {role}. Choose customer, agent or admin.",
    "admin.credited": "✅ {user} credited with {amount}. New balance: {balance}.",
    "admin.debited": "✅ {user} corrected by -{amount}. New balance: {balance}.",
    "admin.role_set": "✅ {user} is now {role}.",
    "admin.user": (
        "👤 {user}\nIdentifier: {external_id}\nRole: {role}\nBalance: {balance}\nSince: {since}"
    ),
    "admin.user.payments": "Last payments:",
    "admin.user.no_payments": "No payments.",
    "admin.message.pending": "✉️ message waiting to go",
    "admin.message.accepted": "✉️ message taken by WhatsApp",
    "admin.message.sent": "✉️ message sent",
    "admin.message.delivered": "✉️ message delivered",
    "admin.message.read": "✉️ message read",
    "admin.message.failed": "✉️ message failed (code {code})",
    "admin.message.dead": "✉️ message not delivered (see /undelivered)",
    "admin.message.undeliverable": "✉️ user unreachable",
    "admin.payment_line": "#{id} {date} · {service} {reference} · {total} · {status}",
    "admin.pending.none": "No pending payment 👍",
    "admin.pending.title": "{count} payment(s) not finished yet:",
    "admin.pending.line": "#{id} {service} {reference} · {total} · {status} for {age}{flag}",
    "admin.pending.flag": " ⚠️ needs a look",
    "admin.provider": "🏦 DEXCHANGE balance: {balance} ({currency}), updated {updated}",
    "admin.provider.error": "DEXCHANGE did not answer for the balance: {error}",
    "admin.stats.title": "📊 Today ({day}):",
    "admin.stats.line": "{service}: {count} payment(s), {amount}, fees {fees}",
    "admin.stats.total": "Total: {count} payment(s), {amount}, fees {fees}",
    "admin.stats.other": "Failed: {failed} · In progress: {open}",
    "admin.stats.none": "No successful payment today.",
    "role.customer": "customer",
    "role.agent": "agent",
    "role.admin": "administrator",
    "status.created": "created",
    "status.submitted": "sent",
    "status.processing": "processing",
    "status.unknown": "to be confirmed",
    "status.success": "successful",
    "status.failed": "failed",
    # --- Agents: finding, reprinting, daily reports ----------------------------------------------
    # Menu
    "button.history": "📜 History",
    "button.meters": "⭐ My meters",
    "button.today": "📊 My day",
    "button.find": "🔎 Find a code",
    "button.last": "🧾 Last code",
    "command.history": "My latest payments and their codes",
    "command.meters": "My saved meters and references",
    "help.more": (
        "/history – your latest payments, their codes and receipts\n"
        "/meters – your saved meters: rename, delete\n"
        "/balance – your balance"
    ),
    "help.agent": (
        "Agent tools:\n"
        "/find <meter, reference or client> – your latest payments for it, with the codes\n"
        "/last – show the last code again\n"
        "/today – your day: payments, fees, opening and closing balance\n"
        "/report YYYY-MM-DD – the same for another day"
    ),
    # Under a result
    "button.receipt": "🧾 Receipt",
    "button.buy_again": "🔁 Buy {amount} again",
    "button.retry": "🔁 Try again",
    "button.save": "⭐ Save",
    "button.new_client": "👤 Next client",
    "result.client": "Client: {label}",
    # Reference step
    "ask.saved": "Or choose a saved or recently used reference:",
    "saved.button": "⭐ {nickname} · {reference}",
    "reference.named": "{reference} ({nickname})",
    # Saving and naming a reference
    "meters.saved.meter": "⭐ Meter {reference} saved.",
    "meters.saved.reference": "⭐ {service} reference {reference} saved.",
    "meters.ask_name": (
        "What should I call it, so you recognise it next time? Type a name, or choose below."
    ),
    "meters.ask_rename": "What new name for {name}? Type it, or choose below.",
    "meters.suggest.1": "🏠 Home",
    "meters.suggest.2": "🏪 Shop",
    "meters.suggest.3": "👵 Mum",
    "meters.suggest.4": "🏢 Office",
    "button.keep_number": "⏭ Keep the number",
    "meters.named": "✅ {reference} is now called “{nickname}”. I will offer it at your next payment.",
    "meters.kept": "✅ {reference} is saved under its number. I will offer it at your next payment.",
    "meters.already": "⭐ {reference} is already saved as “{nickname}”.",
    "meters.bad_name": "“{text}” does not work as a name: 1 to 30 characters, on one line.",
    "meters.name_taken": "You already have a reference called “{nickname}”. Choose another name.",
    "meters.full": "You already have {max} saved references. Delete one with /meters before adding another.",
    # /meters
    "meters.title": "⭐ Your saved meters and references ({count}):",
    "meters.line": "{number}. {name} — {service} {reference}",
    "meters.choose": "Tap one to pay, rename or delete it.",
    "meters.empty": (
        "You have not saved anything yet. After a payment, press “⭐ Save” under the result: "
        "the reference will be offered next time."
    ),
    "meters.detail": "⭐ {name}\n{service} · {reference}\nUsed {uses} times.",
    "button.use.woyofal": "⚡ Buy credit",
    "button.use.bill": "💡 Pay the bill",
    "button.rename": "✏️ Rename",
    "button.delete": "🗑 Delete",
    "button.back": "◀️ Back",
    "button.delete_yes": "🗑 Yes, delete",
    "meters.confirm_delete": (
        "Delete “{name}” ({reference}) from your saved references? Your past payments stay in "
        "the history."
    ),
    "meters.deleted": "🗑 “{name}” was deleted from your references.",
    # /history
    "history.title": "📜 Your payments, newest first ({first} to {last} of {count}):",
    "history.line": "{number}. {date} · {service} · {reference} · {amount} · {status}",
    "history.client": " · 👤 {label}",
    "history.open": "Tap a number to see the details, the code and the receipt.",
    "history.empty": "You have not made any payment yet.",
    "button.older": "◀️ Older",
    "button.newer": "Newer ▶️",
    "button.history_back": "◀️ History",
    "detail.title": "🧾 Payment of {date}",
    "detail.status": "Status: {status}",
    "detail.service": "Service: {service}",
    "detail.holder": "Holder: {holder}",
    "detail.pending": "The result will be sent here as soon as it arrives; do not pay again.",
    "detail.failed": "This payment did not go through: you were not charged.",
    # Receipts
    "receipt.title": "Payment receipt",
    "receipt.service": "Service",
    "receipt.meter": "Meter",
    "receipt.reference": "Reference",
    "receipt.holder": "Holder",
    "receipt.bill": "Bill",
    "receipt.client": "Client",
    "receipt.amount": "Amount",
    "receipt.fee": "Fee",
    "receipt.total": "Total",
    "receipt.date": "Date",
    "receipt.transaction": "Transaction",
    "receipt.codes.one": "Code to type on the meter",
    "receipt.codes.many": "Codes to type in this order",
    "receipt.footer": "Thank you for your trust",
    "receipt.caption": "🧾 Receipt · {service} {reference} · {total}",
    # Client label (agents, before the confirmation)
    "label.ask": (
        "👤 For which client? Type their name or phone number (optional): it goes on the "
        "receipt, and /find will find this payment."
    ),
    "label.bad": "“{text}” does not work: 1 to 40 characters on one line. Type a name or a number, or skip.",
    "button.skip_label": "⏭ No name",
    "button.same_label": "👤 {label}",
    "confirm.client": "Client: {label}",
    # Agent tools
    "agents.only": "This command is for agents only.",
    "find.ask": "🔎 Type the meter number, the customer reference, or the client's name or phone:",
    "find.bad": "Type a meter number or a reference (digits), or a client's name.",
    "find.title": "🔎 Your latest payments for “{query}”:",
    "find.line": "{number}. {date} · {service} {reference} · {amount} · {status}",
    "find.none": "None of your payments matches “{query}”.",
    "last.title": "🧾 Your last code:",
    "last.none": "You have not received any code yet.",
    # Day report
    "report.title": "📊 Day of {day}",
    "report.title.now": "📊 Day of {day}, at {time}",
    "report.title.daily": "🌙 Summary of your day, {day}, at {time}",
    "report.line": "{service}: {count} payment(s) · {amount} · fees {fees}",
    "report.total": "Total: {count} payment(s) · {amount} · fees {fees} · charged {total}",
    "report.none": "No successful payment that day.",
    "report.other": "Failed (nothing charged): {failed} · In progress: {open}",
    "report.wallet": "💰 Wallet",
    "report.opening": "Opening balance: {balance}",
    "report.credits": "Credits and corrections: {amount}",
    "report.payments": "Payments: {amount}",
    "report.closing": "Closing balance: {balance}",
    "report.closing.now": "Balance at {time}: {balance}",
    "report.usage": "Usage: /report YYYY-MM-DD, for example /report {example}",
    "report.future": "{day} has not come yet.",
    # --- Stuck payments settled by hand ----------------------------------------------------------
    "command.resolve": "Settle a stuck payment by hand",
    "admin.usage.resolve": (
        "Usage: /resolve <payment number> success|failed [code…] <reason>\n"
        "success: paid (with its Woyofal code when known) · failed: the amount goes back to "
        "the wallet. The reason is required and kept with the payment."
    ),
    "admin.resolved": "✅ Payment #{id} ({external_id}) settled: {status}. Reason kept: {reason}",
    "admin.resolved.awaiting_code": "paid, waiting for its code",
    "resolve.bad_outcome": "Choose success (paid) or failed.",
    "resolve.no_reason": "Give the reason: it is kept with the payment.",
    "resolve.unknown": "No payment number {id}.",
    "resolve.in_flight": (
        "Payment {id} is being sent to DEXCHANGE: wait for its answer (a few seconds) "
        "before settling it by hand."
    ),
    "resolve.final": (
        "Payment {id} is already finished ({status}): nothing to settle. DEXCHANGE's word, "
        "should it come, will be applied and you will be told."
    ),
    "admin.pending.hold": " ⛔ waiting for an admin: {reason}",
    "result.late.redebited": (
        "ℹ️ You had been told this payment did not go through: the provider has now "
        "confirmed it. {amount} was taken from your account again."
    ),
    "result.late.owed": (
        "ℹ️ You had been told this payment did not go through: the provider has now "
        "confirmed it. Your balance no longer covered it; our team will contact you."
    ),
    "admin.attention": (
        "⚠️ Payment {id} ({ref}) needs a look: {reason}\n"
        "/pending for the list, /resolve to settle it by hand."
    ),
    "admin.collection_attention": "⚠️ Top-up {id} ({ref}) needs a look: {reason}",
    "funding.success": "✅ Your account was topped up with {amount}. New balance: {balance}.",
    "funding.failed": (
        "❌ The top-up of {amount} did not go through: nothing was taken from your account. "
        "You may try again."
    ),
    "funding.cancelled": (
        "❌ The top-up of {amount} was cancelled: nothing was taken from your account."
    ),
    "funding.expired": (
        "⌛ The top-up of {amount} expired before you approved it: nothing was taken from "
        "your account. You may try again."
    ),
    # Pay the rest: the collection was for a purchase (issue 15)
    "funding.success.paying": (
        "✅ Your account was topped up with {amount}. New balance: {balance}.\n"
        "We are paying your purchase now: the result follows."
    ),
    "funding.failed.purchase": (
        "❌ The top-up of {amount} did not go through: nothing was taken from your account, "
        "and your purchase was not paid. You may try again."
    ),
    "funding.cancelled.purchase": (
        "❌ The top-up of {amount} was cancelled: nothing was taken from your account, and "
        "your purchase was not paid."
    ),
    "funding.expired.purchase": (
        "⌛ The top-up of {amount} expired before you approved it: nothing was taken, and "
        "your purchase was not paid. You may try again."
    ),
    "rest.changed": (
        "ℹ️ The bill for reference {reference} changed or was already paid: we did not pay "
        "it. The money stays in your account (balance: {balance}). Open the menu to see the "
        "current bill and confirm again."
    ),
    "rest.failed": (
        "ℹ️ Your purchase for reference {reference} ({amount}) could not be paid. The money "
        "stays in your account (balance: {balance}): you can use it later or ask for a refund."
    ),
    "result.rest_kept": (
        "The money you paid in stays in your account: you can use it later or ask for a refund."
    ),
    "rest.offer": (
        "{missing} is missing from your balance. Pay it with {methods}: your purchase is "
        "paid as soon as the money arrives."
    ),
    "rest.button": "📲 Pay the rest",
    "rest.chosen": "📲 You pay the rest by mobile money; the purchase follows.",
    "rest.pending": (
        "As soon as the top-up is confirmed, your purchase is paid automatically and the "
        "result comes here."
    ),
    "admin.credit.held": (
        "⚠️ {amount} is held for payment(s) {ids}, not finished yet. If this credit was to make "
        "up for them, settle them with /resolve <number> failed <reason> instead: otherwise a "
        "failure DEXCHANGE confirms later would give the money back a second time."
    ),
    # WhatsApp: a list message's button, and its "More…" row when the choices need pages
    "whatsapp.choose": "Choose",
    "whatsapp.more": "More…",
    "whatsapp.more.rows": "Choices {first} to {last} of {total}",
    "whatsapp.more.body": "More choices ({page}/{pages})",
    # Templates (WhatsApp, past 24 hours): a payment's outcome in a few words, a receipt ready
    "template.outcome.paid": "paid",
    "template.outcome.paid_late": "paid after all, though reported as failed",
    "template.outcome.code_coming": "paid, code on its way",
    "template.outcome.processing": "accepted, code on its way",
    "template.outcome.not_charged": "failed, you were not charged",
    "template.outcome.refunded": "failed, the amount was refunded",
    "template.outcome.checking": "being checked",
    "template.receipt": (
        "your {service} receipt for reference {reference} ({total}) is ready, "
        "we will send it as soon as you reply"
    ),
    "template.empty": "you have a new message",
    # --- funding (issue 15) ---
    "button.fund": "➕ Top up my account",
    "command.fund": "Top up my account with Wave, Orange Money or Free Money",
    "wallet.how_to_fund": (
        "Top up your account from Wave, Orange Money or Free Money: the "
        "“➕ Top up my account” button or /topup. To pay in cash, contact {contact} with "
        "your ID: {user_id}."
    ),
    "funding.unavailable": "Topping up by mobile money is not available at the moment.",
    "funding.cap_reached": (
        "You have reached today's top-up limit ({cap}). You can top up again tomorrow."
    ),
    "funding.ask_amount": (
        "➕ Top up my account\nHow much do you want to add to your account? Choose or type an "
        "amount between {min} and {max}."
    ),
    "funding.cap_left": "You can still top up {remaining} today.",
    "funding.bad_amount": "“{text}” is not an amount. Type a whole number of francs, e.g. 5000.",
    "funding.below_min": "The minimum top-up is {min}.",
    "funding.above_max": "The maximum top-up is {max} at a time.",
    "funding.above_cap": (
        "This amount is over today's top-up limit ({cap}): you can still top up {remaining} today."
    ),
    "funding.method.wave": "Wave",
    "funding.method.orange_money": "Orange Money",
    "funding.method.free_money": "Free Money",
    "funding.ask_method": "Top-up of {amount}.\nWhich wallet do you pay with?",
    "funding.choose_method": "Choose a wallet with the buttons.",
    "funding.ask_number": "What is your {method} number? Type its 9 digits, e.g. {example}.",
    "funding.ask_number.known": (
        "Which {method} number should be charged? Choose it, or type another number "
        "(9 digits, e.g. {example})."
    ),
    "funding.button.other_number": "✏️ Another number",
    "funding.type_number": "Type the {method} number to charge (9 digits, e.g. {example}).",
    "funding.bad_number": (
        "“{text}” is not a Senegalese mobile number. Type 9 digits starting with 7, e.g. {example}."
    ),
    "funding.summary.title": "Check before confirming:",
    "funding.summary.number": "{method} number: {number}",
    "funding.summary.credit": "Credited to your account: {amount}",
    "funding.summary.no_fee": "Fee: none",
    "funding.summary.fee_customer": "Fee: {fee} (paid by you)",
    "funding.summary.fee_operator": "Fee: {fee} (paid by {operator})",
    "funding.summary.total": "Taken from your {method}: {total}",
    "funding.confirm.question": "Do you confirm this top-up?",
    "funding.button.confirm": "✅ Confirm",
    "funding.started": "⏳ Payment request sent.",
    "funding.already": "This top-up has already started; I will write as soon as I have the answer.",
    "funding.pending.wave": (
        "📲 Open the Wave app and approve the payment of {total}. If I send you a link, you "
        "can also open it to approve."
    ),
    "funding.pending.orange_money": (
        "📲 Confirm the payment of {total} with your Orange Money secret code when your phone "
        "asks. If nothing shows, dial #144# and follow the instructions."
    ),
    "funding.pending.free_money": (
        "📲 Confirm the payment of {total} on your phone, with your Free Money secret code."
    ),
    "funding.pending.time": (
        "You have {minutes} minutes to approve. I will write as soon as I have the answer: "
        "your account is credited then."
    ),
    "funding.method_unavailable": "This wallet can no longer be used to top up.",
    "funding.link": "🔗 To approve the top-up of {amount} with Wave, open this link:",
    "funding.button.link": "Approve with Wave",
    # --- refunds (issue 15) ---
    "admin.refund_attention": "⚠️ Refund {id} ({ref}) needs a look: {reason}",
    "refund.success": (
        "💸 {amount} was sent to your mobile money ({number}). New balance: {balance}."
    ),
    "refund.failed": (
        "❌ The refund of {amount} to your mobile money did not go through: the money is back "
        "in your account. Balance: {balance}."
    ),
    "admin.usage.refund": (
        "Usage: /refund <user> <amount|all> [wave|om|free <9-digit number>]\n"
        "Without a method and number, the customer's saved mobile money account is used."
    ),
    "admin.refund.bad_method": "Unknown method: {text}. Choose wave, om or free.",
    "admin.refund.bad_number": "Invalid number: {text}. Give the 9 digits, without +221.",
    "admin.refund.no_account": (
        "{user} has no saved mobile money account: give the method and the number, "
        "e.g. /refund <user> <amount> wave 771234567."
    ),
    "admin.refund.summary": (
        "Refund to confirm:\n"
        "Customer: {user}\n"
        "Amount: {amount}\n"
        "To: {method} {number}\n"
        "Balance: {balance} → {after} once sent"
    ),
    "admin.refund.question": "Send it?",
    "admin.refund.button": "✅ Send the refund",
    "admin.refund.sent": (
        "💸 Refund #{id} sent: {amount} to {method} {number}. The customer will be told the "
        "outcome (/collections to follow it)."
    ),
    "admin.refund.already": "This refund (#{id}) was already sent: {status}.",
    "admin.refund.refused.bad_amount": (
        "Invalid amount: give a whole number of francs, or all for the whole balance."
    ),
    "admin.refund.refused.empty": "This customer's balance is empty: nothing to refund.",
    "admin.refund.refused.above_balance": (
        "This customer's balance ({balance}) is not enough for this refund."
    ),
    "admin.refund.refused.below_min": "A refund must be at least {limit}.",
    "admin.refund.refused.above_max": "A refund cannot exceed {limit}: make several.",
    "admin.refund.refused.bad_number": "Invalid number: 9 digits are needed, without +221.",
    "admin.collections.none": "No top-up or refund to watch 👍",
    "admin.collections.open": "⏳ In progress ({count}):",
    "admin.collections.ended": "❌ Failed, cancelled or expired in the last {days} day(s) ({count}):",
    "admin.collections.flagged": "⚠️ To check ({count}):",
    "admin.collections.line": (
        "#{id} {direction} {method} {number} · {amount} · {status} · {user} · {age} ago"
    ),
    "admin.collections.reason": "    ↳ {reason}",
    "admin.collections.more": "… and {count} more.",
    "admin.pending.collections": (
        "⚠️ {count} top-up(s) or refund(s) to check (details: /collections):"
    ),
    "direction.in": "top-up",
    "direction.out": "refund",
    "collection.status.created": "created",
    "collection.status.submitted": "sent",
    "collection.status.pending": "waiting",
    "collection.status.unknown": "to be confirmed",
    "collection.status.success": "succeeded",
    "collection.status.failed": "failed",
    "collection.status.cancelled": "cancelled",
    "collection.status.expired": "expired",
    # --- speak like the customer (16) ---
    "bad.amount.unclear.one": (
        "“{text}”: did you mean {first}? Tap the button, or type the amount in FCFA, in "
        "digits, without a comma or decimals (for example {digits})."
    ),
    "bad.amount.unclear.two": (
        "“{text}”: did you mean {first} or {second}? Tap the right button, or type the amount "
        "in FCFA, in digits, without a comma or decimals (for example {digits})."
    ),
    "bad.amount.unclear.none": (
        "“{text}” is not an amount I can pay: type the amount in FCFA, in digits, without a "
        "comma or decimals, between {min} and {max}."
    ),
    "bad.reference.letters": (
        "“{text}” is not a valid reference: a number has digits only (spaces, dashes and dots "
        "are fine), for example {example}. Please try again."
    ),
    "media.voice": "I cannot listen to voice messages 🙉 Please write or use the buttons. {prompt}",
    "media.photo": (
        "I cannot read photos 📷 Please type the number in digits or use the buttons. {prompt}"
    ),
    "media.sticker": "Thank you 😊 To go on, use the buttons or write to me. {prompt}",
    "media.location": "I do not need your location 📍 Use the buttons or write to me. {prompt}",
    "media.contact": (
        "I do not read shared contacts 👤 Please type the number in digits or use the "
        "buttons. {prompt}"
    ),
    "media.document": (
        "I cannot open files 📄 Please type the number in digits or use the buttons. {prompt}"
    ),
    "media.video": "I cannot watch videos 🎬 Please write or use the buttons. {prompt}",
    "command.find": "Find a client or a reference",
    "command.last": "Repeat the last payment",
    "command.today": "My sales today",
    "command.report": "A day's report (YYYY-MM-DD)",
    "command.credit": "Credit a wallet",
    "command.debit": "Debit a wallet",
    "command.role": "Change a user's role",
    "command.user": "Look up a user",
    "command.pending": "Pending payments",
    "command.undelivered": "Undelivered messages",
    "command.provider": "DEXCHANGE status",
    "command.stats": "Today's figures",
    "command.refund": "Refund a customer to their mobile money",
    "command.collections": "Top-ups and refunds to watch",
}
