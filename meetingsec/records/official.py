"""What every record of the official layout prints in its header and footer."""

from meetingsec.audit.checkpoints import latest_printed, printed_key
from meetingsec.audit.services import chain_head
from meetingsec.core.db import utcnow
from meetingsec.meetings.queries import load_people
from meetingsec.org.queries import agency_settings, parent_of

#: The police unit an agency reports to (its provincial regulations name it)
PROVINCIAL_POLICE = "Công an tỉnh (Phòng An ninh chính trị nội bộ)"
#: Classifications from the least secret to the most
LEVELS = ("mat", "toi_mat", "tuyet_mat")

#: Where an agency's name may break: before the word that starts its next part
BREAK_BEFORE = (
    "ỦY BAN",
    "UBND",
    "HỘI ĐỒNG",
    "SỞ",
    "BỘ",
    "BAN",
    "CÔNG AN",
    "VĂN PHÒNG",
    "PHÒNG",
    "CỤC",
    "TỔNG CỤC",
    "TỈNH",
    "THÀNH PHỐ",
    "HUYỆN",
    "QUẬN",
    "THỊ XÃ",
    "XÃ",
    "PHƯỜNG",
    "TRUNG TÂM",
)
#: About the capitals of a 12 pt line in the header's left column
LINE_CHARS = 26
SLACK = 4


def name_lines(name: str, width: int = LINE_CHARS) -> list[str]:
    """An agency's name in capitals, broken into the header's lines where its parts meet
    ("VĂN PHÒNG ỦY BAN NHÂN DÂN" / "TỈNH BÌNH MINH", never "TỈNH BÌNH" / "MINH"): the
    fewest lines that fit, then the break before a part's first word, then the most even."""
    words = name.upper().split()
    if len(" ".join(words)) <= width or len(words) < 2:
        return [" ".join(words)]

    def cost(lines: list[list[str]]) -> tuple:
        texts = [" ".join(line) for line in lines]
        over = sum(max(0, len(t) - width) for t in texts)
        awkward = sum(
            not any(t.startswith(part + " ") or t == part for part in BREAK_BEFORE)
            for t in texts[1:]
        )
        # a few characters over the estimate still fit the column: a natural break first
        return (over > SLACK, awkward, over, max(map(len, texts)) - min(map(len, texts)))

    best = None
    for lines_count in (2, 3):
        for cuts in _cuts(len(words), lines_count):
            bounds = [0, *cuts, len(words)]
            lines = [words[a:b] for a, b in zip(bounds, bounds[1:], strict=False)]
            c = cost(lines)
            if best is None or c < best[0]:
                best = (c, lines)
        if not best[0][0]:
            break
    return [" ".join(line) for line in best[1]]


def _cuts(n: int, lines: int) -> list[tuple[int, ...]]:
    if lines == 2:
        return [(i,) for i in range(1, n)]
    return [(i, j) for i in range(1, n - 1) for j in range(i + 1, n)]


def agency_context(unit=None) -> dict:
    """How the agency names itself in a header: as the administrator set it, or from
    ``unit`` (and its parent) until then."""
    settings = agency_settings()
    above = parent_of(unit) if unit is not None else None
    parent = settings.parent_agency or (above.name if above is not None else "")
    name = " ".join(settings.agency.split()) or (unit.name if unit else "")
    return {
        # as the administrator broke it, or where its parts meet
        "agency_lines": (
            [line.upper() for line in settings.agency.splitlines()]
            if settings.agency
            else name_lines(name)
        ),
        "agency": name,
        "parent_lines": name_lines(parent) if parent else [],
        "abbreviation": settings.abbreviation,
        "place": settings.place,
    }


def highest(classifications) -> str:
    """The most secret of ``classifications`` (Mật when there is none): the mark of a
    record that names them all."""
    return max([*classifications, "mat"], key=LEVELS.index)


def with_abbreviation(symbol: str, abbreviation: str) -> str:
    """ "BB-UBND": a series' symbol and the agency's abbreviation."""
    return f"{symbol}-{abbreviation}" if abbreviation else symbol


def official_context(meeting, kind=None) -> dict:
    """What the official layout's header and footer need: the agency (``agency_context``),
    the record's number and symbol (``kind``: a record kind, numbered when it was asked
    for), the moment of generation and the audit chain's head at that moment."""
    from meetingsec.records import queries

    load_people(meeting)  # the chair and organiser sign; templates never query
    agency = agency_context(meeting.host_unit)
    number = queries.record_number(meeting.id, kind) if kind is not None else None
    if number is not None:
        symbol = number.symbol
    elif kind is not None:
        series = queries.number_series()[kind]
        symbol = with_abbreviation(series.symbol, agency["abbreviation"])
    else:
        symbol = ""
    return {
        "meeting": meeting,
        **agency,
        "number": number.number if number is not None else None,
        "symbol": symbol,
        "generated_at": utcnow(),
        "head": chain_head(),
        "checkpoint": latest_printed(),
        "key_fingerprint": printed_key(),
    }
