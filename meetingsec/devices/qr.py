"""QR codes as inline SVG (vector in PDFs, crisp on screens), made once per code."""

from functools import lru_cache

import qrcode
from markupsafe import Markup

#: Modules of white around the code
BORDER = 2
#: The data mask, always the same one. ISO/IEC 18004 lets the encoder choose any of the 8
#: masks and writes the choice into the code's format information, so a scanner reads every
#: one of them; qrcode otherwise lays the code out 8 times to score each mask, which is 9 in
#: 10 of the time spent on a code (a claim ticket is made at every check-in). Mask 0 is the
#: checkerboard, which breaks up long runs and blocks of one colour in any data.
MASK = 0


@lru_cache(maxsize=4096)
def qr_svg(data: str) -> Markup:
    """An ``<svg>`` element for ``data`` (medium error correction, 2-module border), its
    dark modules drawn as one path of horizontal runs: a tenth of the size and of the
    time of qrcode's own SVG, which draws every module as a square of its own. Always
    ``MASK``."""
    qr = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M, border=BORDER, mask_pattern=MASK
    )
    qr.add_data(data)
    qr.make()
    size = qr.modules_count + 2 * BORDER
    runs = []
    for y, row in enumerate(qr.modules, start=BORDER):
        x, n = 0, len(row)
        while x < n:
            if row[x]:
                start = x
                while x < n and row[x]:
                    x += 1
                runs.append(f"M{start + BORDER},{y}h{x - start}v1h{start - x}z")
            else:
                x += 1
    # Only numbers go into the markup: the data is drawn, never written out as text
    return Markup(  # nosec B704
        f'<svg width="{size}mm" height="{size}mm" version="1.1" viewBox="0 0 {size} {size}" '
        f'xmlns="http://www.w3.org/2000/svg"><path d="{"".join(runs)}" fill="#000000" '
        'shape-rendering="crispEdges"/></svg>'
    )
