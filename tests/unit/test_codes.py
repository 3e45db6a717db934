"""Tag codes: random, checkable, forgiving to type."""

import pytest

from meetingsec.core.codes import BODY_LENGTH, check_symbol, display, new_code, normalize


def test_new_codes_are_valid_and_distinct():
    codes = {new_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(len(c) == BODY_LENGTH + 1 and normalize(c) == c for c in codes)


def test_typing_is_forgiving():
    code = new_code()
    typed = display(code).lower().replace("0", "o").replace("1", "l")
    assert normalize(" " + typed + " ") == code


@pytest.mark.parametrize("bad", ["", "ABC", "0" * 30, "ÁBCDEFGHJKM", "\x00" * 11, None, 12])
def test_malformed_codes_are_refused(bad):
    assert normalize(bad) is None


def test_one_wrong_symbol_is_caught():
    code = new_code()
    for i in range(BODY_LENGTH):
        for ch in "0123456789ABCDEFGHJKMNPQRSTVWXYZ":
            if ch == code[i]:
                continue
            assert normalize(code[:i] + ch + code[i + 1 :]) is None


def test_swapped_neighbours_are_caught():
    body = "0123456789"
    assert check_symbol(body) != check_symbol("1023456789")
