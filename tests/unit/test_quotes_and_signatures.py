from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from bot.services import callback_urls
from bot.services.quotes import Quote, percent_fee
from storage.models import Service


def test_fee_matches_the_documented_examples() -> None:
    assert percent_fee(104_500, Decimal(1)) == 1_045
    assert percent_fee(1_000, Decimal(1)) == 10


def test_fee_rounds_half_up_to_whole_francs() -> None:
    assert percent_fee(1_050, Decimal(1)) == 11  # 10.5 → 11
    assert percent_fee(1_049, Decimal(1)) == 10
    assert percent_fee(5_000, Decimal("1.5")) == 75
    assert percent_fee(5_000, Decimal(0)) == 0


@given(st.integers(min_value=1, max_value=10_000_000))
def test_fee_is_whole_and_never_negative(amount: int) -> None:
    fee = percent_fee(amount, Decimal(1))
    assert isinstance(fee, int)
    assert 0 <= fee <= amount


def test_quote_round_trips_through_a_dict() -> None:
    quote = Quote(Service.SENELEC, "210278816", 104_500, 1_045, "8000000680", "Moussa DIOP")
    assert Quote.from_dict(quote.to_dict()) == quote
    assert quote.total == 105_545


def test_callback_url_signature_verifies_only_its_own_payment() -> None:
    url = callback_urls.callback_url("https://bot.example.sn/", "s3cret", "SP1")
    assert url.startswith("https://bot.example.sn/callbacks/dexchange/SP1/")
    sig = url.rsplit("/", 1)[1]
    assert callback_urls.verify("s3cret", "SP1", sig)
    assert not callback_urls.verify("s3cret", "SP2", sig)
    assert not callback_urls.verify("other", "SP1", sig)
    assert not callback_urls.verify("s3cret", "SP1", sig[:-1] + ("0" if sig[-1] != "0" else "1"))
    assert not callback_urls.verify("s3cret", "SP1", "")
    # Only the whole signature: never a prefix of it, nor more than it.
    for cut in (1, 10, 20, 39):
        assert not callback_urls.verify("s3cret", "SP1", sig[:cut]), cut
    assert not callback_urls.verify("s3cret", "SP1", sig + "0")
    assert not callback_urls.verify("s3cret", "SP1", sig.upper() if sig != sig.upper() else "x")
