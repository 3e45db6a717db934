"""Codes printed in QR tags (devices, invitations, claim tickets): random, unguessable, and
short enough to type when a camera fails.

Ten Crockford base32 symbols (50 random bits) and Crockford's check symbol (mod 37), so a
mistyped code is refused before it reaches the database. Typing is forgiving the Crockford
way: lower case, hyphens and spaces are ignored; I and L read as 1, O as 0.
"""

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
#: Crockford's five extra check symbols for values 32–36
CHECK_ALPHABET = ALPHABET + "*~$=U"
BODY_LENGTH = 10
_READ_AS = str.maketrans({"I": "1", "L": "1", "O": "0"})


def check_symbol(body: str) -> str:
    value = 0
    for ch in body:
        value = value * 32 + ALPHABET.index(ch)
    return CHECK_ALPHABET[value % 37]


def new_code() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(BODY_LENGTH))
    return body + check_symbol(body)


def normalize(typed: str) -> str | None:
    """The canonical code for what a person typed or a scanner sent, or None when it is not
    a well-formed code with a correct check symbol."""
    if not isinstance(typed, str):
        return None
    raw = "".join(typed.split()).replace("-", "").upper()
    if len(raw) != BODY_LENGTH + 1:
        return None
    body, check = raw[:-1].translate(_READ_AS), raw[-1]
    check = check if check in "*~$=U" else check.translate(_READ_AS)
    if any(ch not in ALPHABET for ch in body) or check_symbol(body) != check:
        return None
    return body + check


def display(code: str) -> str:
    """Grouped for reading aloud and typing: ``7K3M-9QXD-2FW``."""
    return f"{code[:4]}-{code[4:8]}-{code[8:]}"
