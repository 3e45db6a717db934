"""Reading PDFs back with poppler-utils (Debian's pdftotext, pdffonts, pdfinfo)."""

import subprocess
import tempfile


def _run(tool: str, pdf: bytes, *args: str) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(pdf)
        f.flush()
        return subprocess.run(
            [tool, *args, f.name, "-"] if tool == "pdftotext" else [tool, *args, f.name],
            check=True,
            capture_output=True,
            text=True,
        ).stdout


def text(pdf: bytes) -> str:
    return _run("pdftotext", pdf, "-layout")


def plain(pdf: bytes) -> str:
    """The text in reading order, white space folded: a table cell's words stay together
    even when the cell wraps."""
    return " ".join(_run("pdftotext", pdf).split())


def pages_text(pdf: bytes) -> list[str]:
    return text(pdf).split("\f")[:-1]


def fonts(pdf: bytes) -> set[str]:
    lines = _run("pdffonts", pdf).splitlines()[2:]
    return {line.split()[0].split("+")[-1] for line in lines if line.strip()}


def info(pdf: bytes) -> dict[str, str]:
    out = {}
    for line in _run("pdfinfo", pdf).splitlines():
        key, _, value = line.partition(":")
        out[key.strip()] = value.strip()
    return out


def save(name: str, data: bytes) -> None:
    """Keep a rendered record under test-output/records/ for people to look at."""
    from tests.conftest import OUTPUT

    folder = OUTPUT / "records"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)


def word_boxes(pdf: bytes) -> list[list[tuple[float, float, float, float, str]]]:
    """Every word of every page with its box in points: (x_min, y_min, x_max, y_max, word)."""
    import html
    import re

    out = _run("pdftotext", pdf, "-bbox")
    pages = []
    for page in out.split("<page ")[1:]:
        words = re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>',
            page,
        )
        pages.append([(*map(float, w[:4]), html.unescape(w[4])) for w in words])
    return pages


def images(pdf: bytes) -> int:
    """How many images the PDF draws (pdfimages lists one per line after its header)."""
    return len(_run("pdfimages", pdf, "-list").splitlines()[2:])


def doubled_words(pdf: bytes) -> list[str]:
    """Words printed twice in a row on one line ("ngày ngày"), with their page."""
    out = []
    for n, words in enumerate(word_boxes(pdf), start=1):
        for a, b in zip(words, words[1:], strict=False):
            same_line = abs(a[1] - b[1]) < 1 and 0 <= b[0] - a[2] < 8
            if same_line and a[4].casefold() == b[4].casefold() and a[4].isalpha():
                out.append(f"page {n}: {a[4]} {b[4]}")
    return out
