"""TCVN3 (the "ABC" encoding of the .VnTime fonts): Vietnamese typed before Unicode.

Lists kept since then still hold it: a workbook whose cells were typed in .VnTime stores
the font's bytes as the Latin-1 letters Windows shows for them ("NguyÔn V¨n An" for
"Nguyễn Văn An"), and a CSV saved from one holds the bytes themselves. Capitals with a
diacritic do not exist in TCVN3: the .VnTimeH font draws the small letters' codes as
capitals, so a text typed in capitals comes back with small accented letters among capital
ones ("NGUYÔN" → "NGUYễN"); ``to_unicode`` gives such a text back in capitals.
"""

#: TCVN3 code → the Unicode letter (TCVN 5712:1993, table VN3). The codes between 0xA1 and
#: 0xFE that are not listed are not letters.
TABLE = {
    0xA1: "Ă", 0xA2: "Â", 0xA3: "Ê", 0xA4: "Ô", 0xA5: "Ơ", 0xA6: "Ư", 0xA7: "Đ",
    0xA8: "ă", 0xA9: "â", 0xAA: "ê", 0xAB: "ô", 0xAC: "ơ", 0xAD: "ư", 0xAE: "đ",
    0xB5: "à", 0xB6: "ả", 0xB7: "ã", 0xB8: "á", 0xB9: "ạ",
    0xBB: "ằ", 0xBC: "ẳ", 0xBD: "ẵ", 0xBE: "ắ", 0xC6: "ặ",
    0xC7: "ầ", 0xC8: "ẩ", 0xC9: "ẫ", 0xCA: "ấ", 0xCB: "ậ",
    0xCC: "è", 0xCE: "ẻ", 0xCF: "ẽ", 0xD0: "é", 0xD1: "ẹ",
    0xD2: "ề", 0xD3: "ể", 0xD4: "ễ", 0xD5: "ế", 0xD6: "ệ",
    0xD7: "ì", 0xD8: "ỉ", 0xDC: "ĩ", 0xDD: "í", 0xDE: "ị",
    0xDF: "ò", 0xE1: "ỏ", 0xE2: "õ", 0xE3: "ó", 0xE4: "ọ",
    0xE5: "ồ", 0xE6: "ổ", 0xE7: "ỗ", 0xE8: "ố", 0xE9: "ộ",
    0xEA: "ờ", 0xEB: "ở", 0xEC: "ỡ", 0xED: "ớ", 0xEE: "ợ",
    0xEF: "ù", 0xF1: "ủ", 0xF2: "ũ", 0xF3: "ú", 0xF4: "ụ",
    0xF5: "ừ", 0xF6: "ử", 0xF7: "ữ", 0xF8: "ứ", 0xF9: "ự",
    0xFA: "ỳ", 0xFB: "ỷ", 0xFC: "ỹ", 0xFD: "ý", 0xFE: "ỵ",
}  # fmt: skip
_TO_UNICODE = str.maketrans({chr(code): letter for code, letter in TABLE.items()})
#: Letters of TCVN3 that, read as Latin-1, are signs no Vietnamese text in Unicode uses
#: ("¨" for ă, "©" for â, "ª" for ê, "®" for đ, "µ" for à, "¸" for á, "¹" for ạ…): their
#: presence is what gives a TCVN3 text away
_GIVE_AWAY = frozenset(chr(code) for code in TABLE if code < 0xC0)
#: Give-away signs, and texts holding them, from which a file is taken to be TCVN3
_MIN_SIGNS, _MIN_TEXTS = 3, 2


def looks_like_tcvn3(texts) -> bool:
    """Whether these texts (the cells of a file) read as TCVN3 shown in Latin-1: a few
    give-away signs, in more than one text, and no letter only Unicode has."""
    signs = holding = 0
    for text in texts:
        found = sum(ch in _GIVE_AWAY for ch in text)
        if found:
            signs, holding = signs + found, holding + 1
        if any("\u0100" <= ch <= "\u1ef9" for ch in text):
            return False  # ă, đ, ơ, ư, ạ…: already Unicode
    return signs >= _MIN_SIGNS and holding >= _MIN_TEXTS


def to_unicode(text: str) -> str:
    """A TCVN3 text (as Latin-1 letters) in Unicode; one typed in capitals stays in capitals."""
    converted = text.translate(_TO_UNICODE)
    if converted != text:
        plain = [ch for ch in text if ch.isascii() and ch.isalpha()]
        if plain and all(ch.isupper() for ch in plain):
            return converted.upper()
    return converted
