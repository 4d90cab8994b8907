"""/refund reads a mobile-money number the way the customers' own numbers are read."""

import pytest

from handlers.admin_collections import RefundUsage, parse_number


@pytest.mark.parametrize(
    "typed", ["771234567", "77 123 45 67", "77-123-45-67", "+221 77 123 45 67", "00221771234567"]
)
def test_the_forms_people_write_are_one_number(typed: str) -> None:
    assert parse_number(typed) == "771234567"


@pytest.mark.parametrize("typed", ["7700", "338212345", "+33612345678", "77123456a", "7" * 40])
def test_a_number_with_no_wallet_behind_it_is_refused(typed: str) -> None:
    with pytest.raises(RefundUsage):
        parse_number(typed)
