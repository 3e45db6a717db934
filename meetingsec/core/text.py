"""Text as people search it: Vietnamese without case, tones or hats."""

import unicodedata

#: NFD strips tones and hats but leaves đ/Đ whole: they are mapped by hand
_D = str.maketrans({"đ": "d", "Đ": "d"})


def fold(text: str) -> str:
    """``"Nguyễn  Văn Đức"`` → ``"nguyen van duc"``: lower case, no diacritics, single spaces."""
    decomposed = unicodedata.normalize("NFD", text.translate(_D))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.casefold().split())


#: Control, surrogate, private-use and unassigned characters: never part of a name or a note
_CONTROL = ("Cc", "Cs", "Co", "Cn")


def has_control_chars(text: str, allowed: frozenset[str] = frozenset()) -> bool:
    return any(ch not in allowed and unicodedata.category(ch) in _CONTROL for ch in text)


def clean(text: str) -> str:
    """What a person typed, composed (NFC) with single spaces: how names are stored."""
    return " ".join(unicodedata.normalize("NFC", text).split())
