"""The QR codes drawn on screens and records: every dark module of the code, nothing else."""

import re

import qrcode

from meetingsec.devices.qr import BORDER, MASK, qr_svg


def _drawn(svg: str) -> tuple[int, set[tuple[int, int]]]:
    """The size of the drawing, and the modules its path paints dark."""
    size = int(re.search(r'viewBox="0 0 (\d+) \1"', svg).group(1))
    dark = set()
    for x, y, width in re.findall(r"M(\d+),(\d+)h(\d+)v1h-\3z", svg):
        dark.update((int(x) + i, int(y)) for i in range(int(width)))
    return size, dark


def test_the_svg_paints_exactly_the_codes_dark_modules():
    for data in ("7KQ2M9XW4Z", "meetingsec-audit:1234:" + "ab" * 32):
        qr = qrcode.QRCode(
            error_correction=qrcode.constants.ERROR_CORRECT_M, border=BORDER, mask_pattern=MASK
        )
        qr.add_data(data)
        matrix = qr.get_matrix()  # with its border
        size, dark = _drawn(str(qr_svg(data)))
        assert size == len(matrix)
        assert dark == {(x, y) for y, row in enumerate(matrix) for x, on in enumerate(row) if on}
        assert data not in str(qr_svg(data))
