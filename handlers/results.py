"""The messages a payment owes its user (rendered from the outbox, in the user's language)."""

from collections.abc import Callable
from typing import Any

from handlers.formatting import date_time, fcfa, grouped_code
from handlers.i18n import t
from handlers.session import global_payload
from handlers.types import Button, Keyboard, Reply, keyboard
from storage.models import OutboxKind, Payment, Service


def service_name(language: str, service: Service) -> str:
    return t(language, f"service.{service.value}")


def code_lines(language: str, codes: list[str]) -> list[str]:
    if not codes:
        return [t(language, "result.code.missing")]
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
    if payment.provider_tx_id:
        lines.append(t(lang, "result.transaction", transaction=payment.provider_tx_id))
    lines.append(t(lang, "result.date", date=date_time(payment.completed_at or payment.updated_at)))
    return "\n".join(lines)


def failed_text(language: str, payment: Payment, payload: dict[str, Any]) -> str:
    lang = language
    reason = str(payload.get("reason") or "provider_failed")
    key = f"result.failed.{reason}"
    detail = t(lang, key, message=payment.provider_message or "—")
    charged = t(lang, "result.refunded" if payload.get("refunded") else "result.not_charged")
    title = t(
        lang,
        "result.failed.title",
        service=service_name(lang, payment.service),
        total=fcfa(payment.total),
    )
    return f"{title}\n{detail}\n{charged}"


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


# Extra buttons under a result, added by later flows (save a meter, buy again, receipt…).
ResultButtons = Callable[[str, Payment, OutboxKind], list[Button]]


def render(
    kind: OutboxKind,
    payment: Payment,
    payload: dict[str, Any],
    language: str,
    extra_buttons: list[ResultButtons] | None = None,
) -> Reply:
    if kind is OutboxKind.SUCCESS:
        text = success_text(language, payment)
    elif kind is OutboxKind.FAILED:
        text = failed_text(language, payment, payload)
    elif kind is OutboxKind.PROCESSING:
        text = t(language, "result.processing", **_values(language, payment))
    elif kind is OutboxKind.UNKNOWN:
        text = t(language, "result.unknown", **_values(language, payment))
    elif kind is OutboxKind.DELAYED:
        text = t(language, "result.delayed", **_values(language, payment))
    else:
        text = str(payload.get("text", ""))
    buttons: Keyboard = ()
    if kind in (OutboxKind.SUCCESS, OutboxKind.FAILED):
        extra = [b for make in extra_buttons or [] for b in make(language, payment, kind)]
        menu = Button(t(language, "button.menu"), global_payload("menu"))
        buttons = keyboard(extra, [menu])
    return Reply(text, buttons)
