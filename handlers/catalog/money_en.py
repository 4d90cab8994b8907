"""Texts for settling stuck payments by hand (admins)."""

TEXTS: dict[str, str] = {
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
    "admin.credit.held": (
        "⚠️ {amount} is held for payment(s) {ids}, not finished yet. If this credit was to make "
        "up for them, settle them with /resolve <number> failed <reason> instead: otherwise a "
        "failure DEXCHANGE confirms later would give the money back a second time."
    ),
}
