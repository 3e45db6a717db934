"""Imported by the fork server that starts record layout processes (``records.render``): lays
one line out in the records' font, so that fontconfig and Pango are loaded once there and
every layout process forked from it starts ready."""

from weasyprint import HTML

HTML(
    string='<p style="font-family: Liberation Serif">Cộng hòa xã hội chủ nghĩa Việt Nam</p>'
).write_pdf()
