"""An agent's day as text: /today, /report and the daily summary (pure)."""

from collections.abc import Iterable
from typing import Protocol

from handlers.formatting import fcfa, service_name
from handlers.i18n import t
from storage.day_report import DayReport
from storage.models import Service


class ServiceFigures(Protocol):
    @property
    def service(self) -> Service: ...
    @property
    def count(self) -> int: ...
    @property
    def amount(self) -> int: ...
    @property
    def fees(self) -> int: ...


def service_lines(lang: str, key: str, services: Iterable[ServiceFigures]) -> list[str]:
    """One line per service (count, amounts, fees) in the catalogue text `key`."""
    return [
        t(
            lang,
            key,
            service=service_name(lang, line.service),
            count=line.count,
            amount=fcfa(line.amount),
            fees=fcfa(line.fees),
        )
        for line in services
    ]


def signed(amount: int) -> str:
    """+5 000 FCFA, -120 695 FCFA, 0 FCFA."""
    return f"+{fcfa(amount)}" if amount > 0 else fcfa(amount)


def report_text(language: str, report: DayReport, *, daily: bool = False) -> str:
    lang = language
    day = report.day.strftime("%d/%m/%Y")
    at = report.as_of.strftime("%H:%M") if report.as_of is not None else None
    if daily and at is not None:
        title = t(lang, "report.title.daily", day=day, time=at)
    elif at is not None:
        title = t(lang, "report.title.now", day=day, time=at)
    else:
        title = t(lang, "report.title", day=day)
    lines = [title, "", *service_lines(lang, "report.line", report.services)]
    if report.services:
        lines.append(
            t(
                lang,
                "report.total",
                count=report.count,
                amount=fcfa(report.amount),
                fees=fcfa(report.fees),
                total=fcfa(report.total),
            )
        )
    else:
        lines.append(t(lang, "report.none"))
    lines.append(t(lang, "report.other", failed=report.failed, open=report.open))
    lines += [
        "",
        t(lang, "report.wallet"),
        t(lang, "report.opening", balance=fcfa(report.opening)),
        t(lang, "report.credits", amount=signed(report.credits)),
        t(lang, "report.payments", amount=signed(report.payments)),
    ]
    if at is not None:
        lines.append(t(lang, "report.closing.now", time=at, balance=fcfa(report.closing)))
    else:
        lines.append(t(lang, "report.closing", balance=fcfa(report.closing)))
    return "\n".join(lines)
