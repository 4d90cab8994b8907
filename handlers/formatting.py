"""How amounts, codes, dates and services look to users (pure)."""

from datetime import UTC, datetime

from bot.services.codes import group_digits
from handlers.i18n import t
from storage.models import Service


def fcfa(amount: int) -> str:
    """104500 → '104 500 FCFA'."""
    sign = "-" if amount < 0 else ""
    return f"{sign}{abs(amount):,} FCFA".replace(",", " ")


def grouped_code(code: str) -> str:
    return group_digits(code)


def date_time(moment: datetime) -> str:
    # Senegal keeps GMT all year: UTC is local time in Dakar.
    return moment.astimezone(UTC).strftime("%d/%m/%Y %H:%M")


def due_date(text: str | None) -> str:
    """'2026-12-05' → '05/12/2026'; anything else is shown as given."""
    if not text:
        return "—"
    try:
        return datetime.strptime(text[:10], "%Y-%m-%d").strftime("%d/%m/%Y")
    except ValueError:
        return text


def service_name(language: str, service: Service) -> str:
    """ "Woyofal", "Facture Senelec": the service as a payment names it."""
    return t(language, f"service.{service.value}")


def biller_name(language: str, service: Service) -> str:
    """ "Senelec", "SenEau", "Woyofal": the company, as in "the Senelec reference"."""
    return t(language, f"biller.{service.value}")
