"""What the domain says after a commit, to whoever listens: the notifier has a message to
send, the reconciler an open payment to watch, the metrics something to count.

Built once by the composition root (`bot/runtime.py`) and handed to each service's
constructor; a service never knows who listens. The defaults listen to nothing (tests).
"""

from collections.abc import Callable
from dataclasses import dataclass

from storage.models import Payment


def _nothing() -> None:
    return None


def _not_counted(payment: Payment, source: str) -> None:
    return None


def _verdict_not_counted(verdict: str) -> None:
    return None


@dataclass(frozen=True)
class Signals:
    outbox: Callable[[], None] = _nothing  # a message was queued: deliver it
    open_payment: Callable[[], None] = _nothing  # a payment is open: watch it
    transition: Callable[[Payment, str], None] = _not_counted  # (payment as now, source)
    callback: Callable[[str], None] = _verdict_not_counted  # a callback's verdict


SILENT = Signals()  # nobody listens (tests, the command line)
