"""Imported by the fork server that starts record layout processes (``records.render``):
lays out a small record the way records are laid out (the records' stylesheets, a table in
the attendance sheet's columns, a signature image, the margin boxes, bold and italic text),
so that WeasyPrint's modules, both stylesheets, fontconfig, Pango's fonts and Pillow's
image decoders are loaded once there and every layout process forked from it starts
ready: about a fifth of a group of rows' time is otherwise spent warming up, in each."""

import base64
import io
from pathlib import Path

from PIL import Image

from meetingsec.core.pdf import record_html

STATIC = Path(__file__).resolve().parent.parent / "static"


def _signature_png() -> str:
    out = io.BytesIO()
    Image.new("L", (32, 12), 255).save(out, "PNG", compress_level=1)
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


WARM_UP = f"""<!doctype html><html lang="vi"><head><meta charset="utf-8">
<link rel="stylesheet" href="css/records.css"></head><body class="unnumbered continued">
<div class="mark-running"><span class="secret-mark toi_mat">Tối mật</span></div>
<div class="doc-type">DANH SÁCH</div><p class="commitment">Cộng hòa xã hội chủ nghĩa
Việt Nam <strong>Độc lập</strong> <em>Hạnh phúc</em></p>
<table class="grid attendance"><colgroup><col class="c-num"><col class="c-name"></colgroup>
<thead><tr><th>STT</th><th>Họ và tên</th><th>Chữ ký</th></tr></thead>
<tbody><tr><td class="num">1</td><td>Nguyễn Thị Ngọc<br><span class="id-ok">Đã xác minh</span></td>
<td class="sign"><img src="{_signature_png()}" alt=""></td></tr></tbody></table>
</body></html>"""

record_html(WARM_UP, STATIC).render().write_pdf()
