"""QR codes as inline SVG (vector in PDFs, crisp on screens), made once per code."""

from functools import lru_cache

import qrcode
from markupsafe import Markup
from qrcode.image.svg import SvgPathImage


@lru_cache(maxsize=4096)
def qr_svg(data: str) -> Markup:
    """An ``<svg>`` element for ``data`` (medium error correction, 2-module border)."""
    qr = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M, border=2, image_factory=SvgPathImage
    )
    qr.add_data(data)
    svg = qr.make_image().to_string(encoding="unicode")
    # qrcode's own SVG: the data is drawn as a path, never written out as text or markup
    return Markup(svg[svg.index("<svg") :])  # nosec B704
