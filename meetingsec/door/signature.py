"""Signatures drawn on the tablet with signature_pad.

The strokes are the signature (kept exactly, as compact JSON). The records draw them anew
for print (``print_png``): pure black at 300 dpi, so they survive a photocopy. A small
flattened grayscale PNG is also kept, made once at check-in.
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


#: How a signature is printed: its box in a record (mm), the resolution and the pen's width
PRINT_BOX_MM = (27.0, 9.0)
PRINT_DPI = 300
PRINT_PEN_MM = 0.35


def print_png(strokes_json: str) -> bytes:
    """The stored strokes drawn for print: pure black on white (no anti-aliasing: nothing
    grey to fade on a photocopy), at ``PRINT_DPI`` for a ``PRINT_BOX_MM`` box."""
    signature = json.loads(strokes_json)
    w, h = (math.ceil(mm / 25.4 * PRINT_DPI) for mm in PRINT_BOX_MM)
    points = [(x, y) for stroke in signature["strokes"] for x, y, _t in stroke]
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    span_x, span_y = max(max(xs) - min(xs), 1.0), max(max(ys) - min(ys), 1.0)
    pen = max(1, round(PRINT_PEN_MM / 25.4 * PRINT_DPI))
    scale = min((w - 2 * pen) / span_x, (h - 2 * pen) / span_y)
    dx = (w - span_x * scale) / 2 - min(xs) * scale
    dy = (h - span_y * scale) / 2 - min(ys) * scale
    image = Image.new("L", (w, h), 255)  # drawn without anti-aliasing: only 0 and 255
    draw = ImageDraw.Draw(image)
    for stroke in signature["strokes"]:
        line = [(x * scale + dx, y * scale + dy) for x, y, _t in stroke]
        for x, y in (line[0], line[-1]) if len(line) > 1 else line:  # round ends, dots
            draw.ellipse((x - pen / 2, y - pen / 2, x + pen / 2, y + pen / 2), fill=0)
        if len(line) > 1:
            draw.line(line, fill=0, width=pen)
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=1)
    return out.getvalue()
