"""Money rule 8 as a pure function: what an answer says against the stored payment."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from bot.services.figures import Figures, check_figures, fee_ceiling
from storage.models import Payment, PaymentStatus, Service
from tests.samples import sample_payment

TEN = Decimal(10)


def payment(service: Service = Service.SENELEC, amount: int = 104_500, fee: int = 1_045) -> Payment:
    return sample_payment(
        service=service,
        reference="210278816",
        bill_reference="8000000680" if service.is_bill else None,
        amount=amount,
        fee=fee,
        status=PaymentStatus.SUBMITTED,
        codes=[],
    )


def test_the_figures_of_the_payment_itself_pass() -> None:
    check = check_figures(payment(), Figures(104_500, 1_045, "8000000680", "000210278816"), TEN)
    assert check.mismatch is None and check.fee_usable
    assert check_figures(payment(), Figures(), TEN).mismatch is None  # nothing said, nothing off


def test_another_amount_bill_or_number_is_another_payment() -> None:
    assert "amount" in (check_figures(payment(), Figures(amount=104_501), TEN).mismatch or "")
    bill = check_figures(payment(), Figures(bill_reference="8000000681"), TEN)
    assert bill.mismatch is not None and "bill" in bill.mismatch
    number = check_figures(payment(), Figures(number="210278817"), TEN)
    assert number.mismatch is not None and "number" in number.mismatch


def test_a_fee_is_believed_between_zero_and_its_ceiling() -> None:
    p = payment(Service.WOYOFAL, 5_000, 50)
    assert fee_ceiling(p, TEN) == 500
    for fee in (0, 50, 100, 500):
        assert check_figures(p, Figures(fee=fee), TEN).fee_usable, fee
    for fee in (-1, -100_000, 501, 10**9):
        assert not check_figures(p, Figures(fee=fee), TEN).fee_usable, fee
    assert fee_ceiling(payment(Service.WOYOFAL, 1_000, 300), TEN) == 300  # the quote's own


@given(st.integers(min_value=1, max_value=10**7), st.integers(min_value=-(10**8), max_value=10**8))
def test_an_accepted_fee_never_makes_a_negative_cost(amount: int, fee: int) -> None:
    p = payment(Service.WOYOFAL, amount, amount // 100)
    check = check_figures(p, Figures(amount=amount, fee=fee), TEN)
    if check.fee_usable:
        assert 0 <= fee <= max(p.fee, amount // 10)
