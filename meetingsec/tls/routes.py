"""Where a tablet gets the installation's CA certificate (before it trusts the server)."""

from flask import Blueprint, abort, current_app, render_template, send_file

from meetingsec.core.auth import public
from meetingsec.tls.certs import fingerprint, tls_dir

bp = Blueprint("tls", __name__, url_prefix="/tls")


@bp.get("/")
@public
def index():
    ca = tls_dir(current_app.instance_path) / "ca.crt"
    return render_template("tls/index.html", fingerprint=fingerprint(ca) if ca.exists() else None)


@bp.get("/ca.crt")
@public
def ca_certificate():
    ca = tls_dir(current_app.instance_path) / "ca.crt"
    if not ca.exists():
        abort(404)
    return send_file(
        ca,
        mimetype="application/x-x509-ca-cert",
        as_attachment=True,
        download_name="meetingsec-ca.crt",
    )
