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
        "Your Woyofal code or receipt arrives here, even if it takes a few minutes.\n\n"
        "Commands:\n"
        "/start – main menu\n"
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
}
