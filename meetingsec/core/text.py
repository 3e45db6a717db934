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
#: Bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069):
#: invisible, they make a text display other than it is stored ("Trojan Source"), so a
#: list, a screen or a printed record would show one name while the database holds another
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
#: What a spreadsheet takes for the start of a formula. ``core.xlsx`` writes such text as
#: text; names are refused with it (``begins_as_formula``), as a copied list may be opened
#: anywhere.
FORMULA_START = ("=", "+", "-", "@")


def has_control_chars(text: str, allowed: frozenset[str] = frozenset()) -> bool:
    """Whether ``text`` holds a character no typed text has (control, bidirectional
    control, private-use…), apart from ``allowed`` (newlines in a note)."""
    return any(
        ch not in allowed and (unicodedata.category(ch) in _CONTROL or ch in BIDI_CONTROLS)
        for ch in text
    )


def begins_as_formula(name: str) -> bool:
    """Whether a spreadsheet would read ``name`` as a formula: = + - @ first."""
    return name.lstrip().startswith(FORMULA_START)


def clean(text: str) -> str:
    """What a person typed, composed (NFC) with single spaces: how names are stored."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def like_escaped(text: str) -> str:
    """``text`` for a LIKE pattern with ``escape="\\\\"``: its % and _ match themselves."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
