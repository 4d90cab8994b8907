"""Texts for regulars and agents: saved references, history, receipts, the day's account."""

TEXTS: dict[str, str] = {
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
}
