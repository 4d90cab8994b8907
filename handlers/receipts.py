"""A payment's receipt as a PNG (drawn by bot.services.receipts), in the user's language.

Readable on a 58 mm receipt printer and on a phone: operator, date and time, service,
reference (and the holder for bills), the agent's client if any, amount, fee, total, the
DEXCHANGE transaction id, the code(s) in groups of four (past their retention, only what is
left of them), and a QR code of the transaction id.
"""

from bot.services.receipts import ReceiptData, render_receipt
from handlers.formatting import date_time, fcfa, grouped_code, service_name
from handlers.i18n import t
from handlers.types import Keyboard, Reply
from storage.codes import expired_last_four, is_expired_code
from storage.models import Payment, Service


def charged_fee(payment: Payment) -> int:
    """The fee as the results show it: the provider's when known, else the quote's."""
    return payment.provider_fee if payment.provider_fee is not None else payment.fee


def transaction_id(payment: Payment) -> str:
    """DEXCHANGE's transaction id; our own external id if DEXCHANGE never gave one."""
    return payment.provider_tx_id or payment.external_id


def receipt_data(language: str, payment: Payment, operator_name: str) -> ReceiptData:
    lang = language
    fee = charged_fee(payment)
    woyofal = payment.service is Service.WOYOFAL
    lines = [
        (t(lang, "receipt.date"), date_time(payment.completed_at or payment.updated_at)),
        (t(lang, "receipt.service"), service_name(lang, payment.service)),
        (t(lang, "receipt.meter" if woyofal else "receipt.reference"), payment.reference),
    ]
    if payment.holder_name:
        lines.append((t(lang, "receipt.holder"), payment.holder_name))
    if payment.bill_reference:
        lines.append((t(lang, "receipt.bill"), payment.bill_reference))
    if payment.client_label:
        lines.append((t(lang, "receipt.client"), payment.client_label))
    lines += [
        (t(lang, "receipt.amount"), fcfa(payment.amount)),
        (t(lang, "receipt.fee"), fcfa(fee)),
        (t(lang, "receipt.total"), fcfa(payment.amount + fee)),
        (t(lang, "receipt.transaction"), transaction_id(payment)),
    ]
    codes = [grouped_code(code) for code in payment.codes if not is_expired_code(code)]
    # Past their retention only the last four digits are left: said, not drawn as a code.
    expired = [
        t(lang, "code.expired", last4=expired_last_four(code))
        for code in payment.codes
        if is_expired_code(code)
    ]
    if len(expired) > 1:
        expired = [f"{number}. {text}" for number, text in enumerate(expired, 1)]
    return ReceiptData(
        operator_name=operator_name,
        title=t(lang, "receipt.title"),
        lines=lines,
        codes=codes,
        codes_title=t(lang, "receipt.codes.many" if len(codes) > 1 else "receipt.codes.one"),
        qr_payload=transaction_id(payment),
        footer=t(lang, "receipt.footer"),
        notes=expired,
    )


def receipt_reply(
    language: str, payment: Payment, operator_name: str, buttons: Keyboard = ()
) -> Reply:
    caption = t(
        language,
        "receipt.caption",
        service=service_name(language, payment.service),
        reference=payment.reference,
        total=fcfa(payment.amount + charged_fee(payment)),
    )
    png = render_receipt(receipt_data(language, payment, operator_name))
    return Reply(caption, buttons, image=png, image_name=f"receipt-{payment.id}.png")
