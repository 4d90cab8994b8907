"""Account texts: balance, credit, administration."""

TEXTS: dict[str, str] = {
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
}
