"""The messages a payment owes its user (rendered from the outbox, in the user's language)."""

from collections.abc import Callable
from typing import Any

from bot.services.pay_the_rest import pays_the_rest
from handlers.formatting import date_time, fcfa, grouped_code, service_name
from handlers.i18n import t
from handlers.reports import report_text
from handlers.session import global_payload
from handlers.types import Button, Keyboard, Reply, keyboard
from storage.codes import expired_last_four, is_expired_code
from storage.day_report import DayReport
from storage.models import FailureReason, OutboxKind, Payment, Role, Service

REASONS = frozenset(reason.value for reason in FailureReason)


def shown_code(language: str, code: str) -> str:
    """A code in groups of four, or, past its retention, what is left of it."""
    if is_expired_code(code):
        return t(language, "code.expired", last4=expired_last_four(code))
    return grouped_code(code)


def code_lines(language: str, codes: list[str]) -> list[str]:
    if not codes:
        return [t(language, "result.code.missing")]
    if any(is_expired_code(code) for code in codes):  # nothing left to type
        if len(codes) == 1:
            return [shown_code(language, codes[0])]
        return [f"{number}. {shown_code(language, code)}" for number, code in enumerate(codes, 1)]
    if len(codes) == 1:
        return [t(language, "result.code.one"), grouped_code(codes[0])]
    lines = [t(language, "result.code.many", count=len(codes))]
    lines += [f"{number}. {grouped_code(code)}" for number, code in enumerate(codes, 1)]
    return lines


def success_text(language: str, payment: Payment) -> str:
    lang = language
    woyofal = payment.service is Service.WOYOFAL
    fee = payment.provider_fee if payment.provider_fee is not None else payment.fee
    title = (
        t(lang, "result.success.woyofal")
        if woyofal
        else t(lang, "result.success.bill", service=service_name(lang, payment.service))
    )
    lines = [title, ""]
    if woyofal:
        lines += code_lines(lang, payment.codes)
        lines.append("")
        lines.append(t(lang, "result.meter", reference=payment.reference))
    else:
        lines.append(t(lang, "result.reference", reference=payment.reference))
        if payment.bill_reference:
            lines.append(t(lang, "result.bill", bill=payment.bill_reference))
    lines += [
        t(lang, "result.amount", amount=fcfa(payment.amount)),
        t(lang, "result.fee", fee=fcfa(fee)),
        t(lang, "result.total", total=fcfa(payment.amount + fee)),
    ]
    if payment.client_label:
        lines.append(t(lang, "result.client", label=payment.client_label))
    if payment.provider_tx_id:
        lines.append(t(lang, "result.transaction", transaction=payment.provider_tx_id))
    lines.append(t(lang, "result.date", date=date_time(payment.completed_at or payment.updated_at)))
    return "\n".join(lines)


def failed_text(language: str, payment: Payment, payload: dict[str, Any]) -> str:
    lang = language
    reason = str(payload.get("reason") or FailureReason.PROVIDER_FAILED)
    if reason not in REASONS:  # a reason we have no words for still tells the user the outcome
        reason = FailureReason.PROVIDER_FAILED
    key = f"result.failed.{reason}"
    detail = t(lang, key, message=payment.provider_message or "—")
    charged = t(lang, "result.refunded" if payload.get("refunded") else "result.not_charged")
    title = t(
        lang,
        "result.failed.title",
        service=service_name(lang, payment.service),
        total=fcfa(payment.total),
    )
    text = f"{title}\n{detail}\n{charged}"
    if payload.get("refunded") and pays_the_rest(payment.idempotency_key):
        # Paid in from mobile money for this very purchase ("pay the rest"): it stays here.
        text = f"{text}\n{t(lang, 'result.rest_kept')}"
    return text


def _values(language: str, payment: Payment) -> dict[str, Any]:
    return {
        "service": service_name(language, payment.service),
        "reference": payment.reference,
        "amount": fcfa(payment.amount),
        "total": fcfa(payment.total),
        "external_id": payment.external_id,
    }


def notice_text(language: str, payload: dict[str, Any]) -> str:
    """A message that is not about one payment: a catalogue key with its values, or text."""
    report = payload.get("report")
    if isinstance(report, dict):
        return report_text(
            language, DayReport.from_payload(report), daily=bool(payload.get("daily"))
        )
    key = payload.get("key")
    if not isinstance(key, str):
        return str(payload.get("text", ""))
    values = {
        name: fcfa(value) if name in ("amount", "balance") and isinstance(value, int) else value
        for name, value in payload.items()
        if name != "key"
    }
    if "note" in values:
        values["note"] = t(language, "wallet.note", note=values["note"]) if values["note"] else ""
    return t(language, key, **values)


def new_client_button(language: str, payment: Payment) -> Button:
    """An agent's next payment, of the same service, at once."""
    return Button(
        t(language, "button.new_client"), global_payload(f"next:{payment.service.facts.key}")
    )


def result_buttons(
    language: str, payment: Payment, kind: OutboxKind, role: Role
) -> list[list[Button]]:
    """Under a result: the next client (agents), buy again, the receipt, save the reference.

    Global buttons carrying the payment id only (well under Telegram's 64 bytes); whoever
    presses them is checked against the payment's owner.
    """
    rows: list[list[Button]] = []
    if role is Role.AGENT:
        rows.append([new_client_button(language, payment)])
    woyofal = payment.service is Service.WOYOFAL
    if kind is OutboxKind.SUCCESS:
        if woyofal:
            label = t(language, "button.buy_again", amount=fcfa(payment.amount))
            rows.append([Button(label, global_payload(f"again:{payment.id}"))])
        rows.append(
            [
                Button(t(language, "button.receipt"), global_payload(f"rcpt:{payment.id}")),
                Button(t(language, "button.save"), global_payload(f"save:{payment.id}")),
            ]
        )
    elif kind is OutboxKind.FAILED and woyofal:
        rows.append([Button(t(language, "button.retry"), global_payload(f"again:{payment.id}"))])
    return rows


# Extra rows of buttons under a result, for flows added later.
ResultButtons = Callable[[str, Payment, OutboxKind, Role], list[list[Button]]]


def late_success_text(language: str, payload: dict[str, Any]) -> str:
    """DEXCHANGE confirmed a payment the user had been told had failed."""
    taken = payload.get("redebited")
    if isinstance(taken, int) and taken > 0:
        return t(language, "result.late.redebited", amount=fcfa(taken))
    return t(language, "result.late.owed")


def render(
    kind: OutboxKind,
    payment: Payment,
    payload: dict[str, Any],
    language: str,
    extra_buttons: list[ResultButtons] | None = None,
    role: Role = Role.CUSTOMER,
) -> Reply:
    if kind is OutboxKind.SUCCESS:
        text = success_text(language, payment)
        if payload.get("late"):
            text += "\n\n" + late_success_text(language, payload)
    elif kind is OutboxKind.FAILED:
        text = failed_text(language, payment, payload)
    elif kind is OutboxKind.PROCESSING:
        text = t(language, "result.processing", **_values(language, payment))
    elif kind is OutboxKind.CODE_PENDING:
        text = t(language, "result.code_pending", **_values(language, payment))
    elif kind is OutboxKind.UNKNOWN:
        text = t(language, "result.unknown", **_values(language, payment))
    elif kind is OutboxKind.DELAYED:
        text = t(language, "result.delayed", **_values(language, payment))
    else:
        text = notice_text(language, payload)
    buttons: Keyboard = ()
    if kind in (OutboxKind.SUCCESS, OutboxKind.FAILED):
        rows = result_buttons(language, payment, kind, role)
        rows += [row for make in extra_buttons or [] for row in make(language, payment, kind, role)]
        menu = Button(t(language, "button.menu"), global_payload("menu"))
        buttons = keyboard(*rows, [menu])
    return Reply(text, buttons)
