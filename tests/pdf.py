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


def phrase_count(pdf: bytes, phrase: str) -> int:
    """How many times ``phrase`` is printed, its words one after the other on a line or
    wrapped to the next line of the same table cell (starting where the cell's first line
    started): a cell read as one, whatever the longer cells beside it do."""
    wanted = phrase.split()
    count = 0
    for words in word_boxes(pdf):
        for start, first in enumerate(words):
            if first[4] != wanted[0]:
                continue
            left, prev, found = first[0], first, 1
            candidates = words[start + 1 :]
            while found < len(wanted):
                nxt = next(
                    (
                        w
                        for w in candidates
                        if w[4] == wanted[found]
                        and (
                            (abs(w[1] - prev[1]) < 2 and 0 <= w[0] - prev[2] < 8)
                            or (2 < w[1] - prev[1] < 20 and abs(w[0] - left) < 2)
                        )
                    ),
                    None,
                )
                if nxt is None:
                    break
                prev, found = nxt, found + 1
            count += found == len(wanted)
    return count


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


MM = 72 / 25.4


def top_margin_numbers(pdf: bytes, width: float = 595.28, top_mm: float = 20) -> list[list]:
    """Per page, the words printed in the top margin around its centre line (where Decree
    30 prints the page number), each as (word, x centre in points)."""
    out = []
    for words in word_boxes(pdf):
        out.append(
            [
                (w[4], (w[0] + w[2]) / 2)
                for w in words
                if w[3] < top_mm * MM and abs((w[0] + w[2]) / 2 - width / 2) < 30 * MM
            ]
        )
    return out


def raster(pdf: bytes, page: int, dpi: int = 150):
    """Page ``page`` (1-based) as a PIL RGB image (poppler's pdftoppm)."""
    import io

    from PIL import Image

    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(pdf)
        f.flush()
        png = subprocess.run(
            ["pdftoppm", "-png", "-r", str(dpi), "-f", str(page), "-l", str(page), f.name],
            check=True,
            capture_output=True,
        ).stdout
    return Image.open(io.BytesIO(png)).convert("RGB")


def _mm_box(box, dpi: int):
    return None if box is None else tuple(v * 25.4 / dpi for v in box)


def ink_box(image, dpi: int = 150, below_mm: float = 0):
    """The bounding box (left, top, right, bottom, in mm) of everything printed below
    ``below_mm`` from the top edge; None for an empty page."""
    gray = image.convert("L").point(lambda v: 255 if v < 200 else 0)
    top = round(below_mm * dpi / 25.4)
    box = gray.crop((0, top, gray.width, gray.height)).getbbox()
    if box is None:
        return None
    return _mm_box((box[0], box[1] + top, box[2], box[3] + top), dpi)


def red_mask(image):
    """White where the page is printed red (the classification mark's ink)."""
    r, g, b = image.split()
    red = r.point(lambda v: 255 if v > 140 else 0)
    not_green = g.point(lambda v: 255 if v < 90 else 0)
    not_blue = b.point(lambda v: 255 if v < 90 else 0)
    from PIL import ImageChops

    return ImageChops.multiply(ImageChops.multiply(red, not_green), not_blue)


def mark_box(image, dpi: int = 300) -> dict | None:
    """The red double-bordered mark: its outer box and its inner size, in mm (the inner
    size is inside the inner line of the double border, read along its middle row)."""
    mask = red_mask(image)
    box = mask.getbbox()
    if box is None:
        return None
    left, top, right, bottom = box
    row = [mask.getpixel((x, (top + bottom) // 2)) for x in range(left, right)]
    col = [mask.getpixel(((left + right) // 2 - 1, y)) for y in range(top, bottom)]

    def border(line: list[int]) -> int:
        """Pixels from the outer edge to the inner edge of a double line: two runs."""
        runs, inside, n = 0, False, 0
        for n, v in enumerate(line):
            if v and not inside:
                runs += 1
            if not v and inside and runs == 2:
                return n
            inside = bool(v)
        return n

    side, cap = border(row), border(col)
    outer = _mm_box(box, dpi)
    mm = 25.4 / dpi
    return {
        "outer": outer,
        "inner": ((right - left - 2 * side) * mm, (bottom - top - 2 * cap) * mm),
    }


def vertical_rules(image, y_pt: float, dpi: int) -> list[float]:
    """The x (in points) of every dark run along the row at ``y_pt``: the table's vertical
    borders when the row passes through a cell's padding."""
    y = round(y_pt / 72 * dpi)
    gray = image.convert("L")
    xs, inside = [], False
    for x in range(gray.width):
        dark = gray.getpixel((x, y)) < 128
        if dark and not inside:
            xs.append(x * 72 / dpi)
        inside = dark
    return xs


def horizontal_rules(image, x_pt: float, top_pt: float, bottom_pt: float, dpi: int) -> int:
    """How many dark lines cross the column at ``x_pt`` between two heights: a table's row
    borders when the column passes through the cells' padding."""
    x = round(x_pt / 72 * dpi)
    gray = image.convert("L")
    count, inside = 0, False
    for y in range(round(top_pt / 72 * dpi), round(bottom_pt / 72 * dpi)):
        dark = gray.getpixel((x, y)) < 128
        if dark and not inside:
            count += 1
        inside = dark
    return count


def ink_levels(image, box_pt: tuple[float, float, float, float], dpi: int) -> list[int]:
    """The grey levels (0 black … 255 white) of the inked pixels (darker than 200) inside a
    box given in points."""
    left, top, right, bottom = (round(v / 72 * dpi) for v in box_pt)
    crop = image.convert("L").crop((left, top, right, bottom))
    return [v for v in crop.tobytes() if v < 200]


def image_list(pdf: bytes) -> list[dict]:
    """Every image the PDF draws, as ``pdfimages -list`` describes it (its columns: page,
    width, height, color, bpc, x-ppi, y-ppi, …)."""
    lines = _run("pdfimages", pdf, "-list").splitlines()
    names = lines[0].split()
    return [dict(zip(names, line.split(), strict=False)) for line in lines[2:]]


def image_colours(pdf: bytes) -> set:
    """Every colour the PDF's images use (pikepdf reads them back)."""
    import io

    import pikepdf

    colours = set()
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        for page in doc.pages:
            for _name, raw in page.get_images().items():
                image = pikepdf.PdfImage(raw).as_pil_image().convert("RGB")
                colours |= {c for _n, c in image.getcolors(maxcolors=1 << 16) or []}
    return colours
