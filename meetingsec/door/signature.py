"""Signatures drawn on the tablet with signature_pad.

The strokes are the signature (kept exactly, as compact JSON); a small flattened grayscale
PNG is made from them once, here, for the records: it lays out fastest in WeasyPrint.
"""

import io
import json
import math

from flask_babel import lazy_gettext as _l
from PIL import Image, ImageDraw

from meetingsec.core.errors import DomainError

MAX_BYTES = 200_000
MAX_POINTS = 6_000
MIN_POINTS = 2
#: The image the records embed: 150×50 grayscale (drawn at 4× then reduced)
IMAGE_SIZE = (150, 50)
_SCALE = 4


def _refuse(message, code):
    raise DomainError(message, code, field="signature")


def parse(raw: str) -> dict:
    """``{"width", "height", "strokes": [[[x, y, t], …], …]}`` from what the tablet sent:
    ``{"width", "height", "strokes": signaturePad.toData()}``. Empty or oversized: refused."""
    if not raw:
        _refuse(_l("The attendee has not signed yet."), "no_signature")
    if len(raw) > MAX_BYTES:
        _refuse(_l("The signature is too large. Clear it and sign again."), "signature_too_large")
    try:
        data = json.loads(raw)
        width, height = float(data["width"]), float(data["height"])
        strokes = []
        for stroke in data["strokes"]:
            points = stroke["points"] if isinstance(stroke, dict) else stroke
            strokes.append(
                [
                    [round(float(p["x"]), 1), round(float(p["y"]), 1), int(p.get("time", 0))]
                    for p in points
                ]
            )
    except (ValueError, TypeError, KeyError, AttributeError, OverflowError):
        _refuse(_l("The signature could not be read. Clear it and sign again."), "bad_signature")
    if not (10 <= width <= 5000 and 10 <= height <= 5000):
        _refuse(_l("The signature could not be read. Clear it and sign again."), "bad_signature")
    count = sum(len(s) for s in strokes)
    if count < MIN_POINTS:
        _refuse(_l("The attendee has not signed yet."), "no_signature")
    if count > MAX_POINTS:
        _refuse(_l("The signature is too large. Clear it and sign again."), "signature_too_large")
    for s in strokes:
        for x, y, _t in s:
            if not (math.isfinite(x) and math.isfinite(y)):
                _refuse(
                    _l("The signature could not be read. Clear it and sign again."),
                    "bad_signature",
                )
    return {"width": width, "height": height, "strokes": strokes}


def dumps(signature: dict) -> str:
    return json.dumps(signature, separators=(",", ":"))


def flatten(signature: dict) -> bytes:
    """The strokes drawn black on white, fitted into 150×50, as a grayscale PNG."""
    w, h = IMAGE_SIZE[0] * _SCALE, IMAGE_SIZE[1] * _SCALE
    scale = min(w / signature["width"], h / signature["height"])
    dx = (w - signature["width"] * scale) / 2
    dy = (h - signature["height"] * scale) / 2
    image = Image.new("L", (w, h), 255)
    pen = ImageDraw.Draw(image)
    width = max(2, round(2.2 * scale))
    for stroke in signature["strokes"]:
        points = [(x * scale + dx, y * scale + dy) for x, y, _t in stroke]
        if len(points) == 1:
            x, y = points[0]
            pen.ellipse((x - width / 2, y - width / 2, x + width / 2, y + width / 2), fill=0)
        else:
            pen.line(points, fill=0, width=width, joint="curve")
    out = io.BytesIO()
    image.reduce(_SCALE).save(out, "PNG")
    return out.getvalue()
