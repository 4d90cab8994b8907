"""The simulated billers: service catalogue, customers' bills, test references, tokens.

Test references work like a payment provider's test cards: a fixed customer reference
triggers a fixed behaviour (see docs/simulator.md). Everything else is derived
deterministically from the reference so that a demo shows the same bill every time.
"""

import enum
import hashlib
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from bot.simulator.state import Bill

SENEAU = "SENEAU_SN_BILL"
SENELEC = "SENELEC_SN_BILL"
WOYOFAL = "WOYOFAL_SN_BILL"


@dataclass(frozen=True)
class Service:
    code: str
    name: str
    operator: str
    service_type: str
    facture_prefix: str


SERVICES: dict[str, Service] = {
    SENEAU: Service(SENEAU, "Sen'Eau", "SENEAU", "BILL", "60"),
    SENELEC: Service(SENELEC, "Senelec", "SENELEC", "BILL", "80"),
    WOYOFAL: Service(WOYOFAL, "Woyofal", "SENELEC_WOYOFAL", "PREPAID", ""),
}

WOYOFAL_MIN_AMOUNT = 1000
# The 16-digit token of DEXCHANGE's reference page (a recharge code, not a secret).
DOC_TOKEN = "1283930093209223"  # noqa: S105


class Behaviour(enum.Enum):
    ORDINARY = "ordinary"  # bills: synchronous SUCCESS; Woyofal: PROCESSING then SUCCESS
    INSUFFICIENT = "insufficient"
    ALREADY_PAID = "already_paid"
    MAINTENANCE = "maintenance"
    SLOW = "slow"
    ERROR_500 = "error_500"
    PROCESSING_FAIL = "processing_fail"  # Woyofal only
    SYNC_THREE_CODES = "sync_three_codes"  # Woyofal only
    SYNC_DOC_TOKEN = "sync_doc_token"  # noqa: S105 (Woyofal only)


# Keyed by the canonical reference (leading zeros stripped), so `000210278816` is
# the same customer as `210278816`.
_ANY_SERVICE = {
    "444444444": Behaviour.INSUFFICIENT,
    "555555555": Behaviour.ALREADY_PAID,
    "666666666": Behaviour.MAINTENANCE,
    "777777777": Behaviour.SLOW,
    "888888888": Behaviour.ERROR_500,
}
_WOYOFAL_ONLY = {
    "999999999": Behaviour.PROCESSING_FAIL,
    "111111111": Behaviour.ORDINARY,
    "333333333": Behaviour.SYNC_THREE_CODES,
    "7061270877": Behaviour.SYNC_DOC_TOKEN,
}

_NAMES = [
    ("DIOP", "Moussa"),
    ("NDIAYE", "Awa"),
    ("FALL", "Cheikh"),
    ("SOW", "Aminata"),
    ("BA", "Ousmane"),
    ("SARR", "Fatou"),
    ("GUEYE", "Mamadou"),
    ("DIALLO", "Mariama"),
    ("FAYE", "Ibrahima"),
    ("CISSE", "Khady"),
    ("MBAYE", "Abdoulaye"),
    ("SECK", "Ndeye"),
]
_ADDRESSES = [
    "Sicap Liberté 2, Dakar",
    "Parcelles Assainies U17, Dakar",
    "HLM Grand Yoff, Dakar",
    "Médina Rue 22, Dakar",
    "Keur Massar, Pikine",
    "Quartier Escale, Thiès",
    "Sor, Saint-Louis",
    "Mbour 2, Mbour",
]


def canonical_reference(reference: str) -> str:
    return reference.lstrip("0") or "0"


def padded_reference(reference: str) -> str:
    """DEXCHANGE answers with the reference zero-padded to 12 digits."""
    return reference.zfill(12)


def is_valid_reference(value: object) -> bool:
    return isinstance(value, str) and value.isascii() and value.isdigit() and 6 <= len(value) <= 20


def behaviour_for(service_code: str, reference: str) -> Behaviour:
    canonical = canonical_reference(reference)
    if canonical in _ANY_SERVICE:
        return _ANY_SERVICE[canonical]
    if service_code == WOYOFAL and canonical in _WOYOFAL_ONLY:
        return _WOYOFAL_ONLY[canonical]
    return Behaviour.ORDINARY


def fee_for(amount: int, fee_percent: Decimal) -> int:
    fee = (Decimal(amount) * fee_percent / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return int(fee)


def _digest(*parts: str) -> int:
    return int.from_bytes(hashlib.sha256(":".join(parts).encode()).digest(), "big")


def default_amount(reference: str) -> int:
    """Between 2 000 and 150 000 FCFA, a multiple of 5, fixed for a reference."""
    steps = (150_000 - 2_000) // 5 + 1
    return 2_000 + (_digest("amount", canonical_reference(reference)) % steps) * 5


def _bill(
    service: Service,
    canonical: str,
    index: int,
    montant: int,
    due: date,
    name: tuple[str, str] | None = None,
    facture: str | None = None,
) -> Bill:
    h = _digest("bill", service.code, canonical, str(index))
    nom, prenom = name or _NAMES[h % len(_NAMES)]
    return Bill(
        payment_transaction_number=str(h % 10**12).zfill(12),
        reference_client=padded_reference(canonical),
        reference_facture=facture or service.facture_prefix + str((h >> 64) % 10**8).zfill(8),
        nom=nom,
        prenom=prenom,
        montant=montant,
        date_echeance=due.isoformat(),
        address=_ADDRESSES[(h >> 32) % len(_ADDRESSES)],
    )


def make_bills(service_code: str, reference: str, today: date) -> list[Bill]:
    """The bills of a reference, oldest (first to be paid) first."""
    service = SERVICES[service_code]
    if service_code == WOYOFAL:
        return []
    canonical = canonical_reference(reference)
    if canonical == "210278816":
        return [
            _bill(
                service,
                canonical,
                0,
                104_500,
                today + timedelta(days=12),
                name=("DIOP", "Moussa"),
                facture="8000000680",
            )
        ]
    if canonical == "222222222":
        return [
            _bill(service, canonical, 0, 12_300, today - timedelta(days=9)),
            _bill(service, canonical, 1, 45_600, today + timedelta(days=21)),
        ]
    if canonical == "100000000":
        return []
    days = 3 + _digest("due", canonical) % 25
    return [_bill(service, canonical, 0, default_amount(canonical), today + timedelta(days=days))]


def make_code(seed: str, issued: set[str]) -> str:
    """A fresh 20-digit STS code, derived from `seed`, never issued before."""
    salt = 0
    while True:
        code = str(_digest("token", seed, str(salt)) % 10**20).zfill(20)
        if code not in issued:
            issued.add(code)
            return code
        salt += 1
