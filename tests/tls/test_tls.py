"""HTTPS on the LAN: the local CA, the server certificate, the tablets' download page."""

import ssl
import threading
import urllib.request

from cryptography import x509
from werkzeug.serving import make_server

from meetingsec.tls.certs import tls_dir


def test_init_makes_a_ca_and_a_server_certificate(app, runner):
    out = runner.invoke(args=["tls", "init", "--host", "127.0.0.1", "--host", "meetingsec.lan"])
    assert out.exit_code == 0, out.output
    folder = tls_dir(app.instance_path)
    ca = x509.load_pem_x509_certificate((folder / "ca.crt").read_bytes())
    server = x509.load_pem_x509_certificate((folder / "server.crt").read_bytes())
    server.verify_directly_issued_by(ca)
    names = server.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "meetingsec.lan" in names.get_values_for_type(x509.DNSName)
    assert oct((folder / "server.key").stat().st_mode & 0o777) == "0o600"
    # Run again (new address): the same authority signs the new certificate.
    runner.invoke(args=["tls", "init", "--host", "10.1.2.3"])
    assert x509.load_pem_x509_certificate((folder / "ca.crt").read_bytes()) == ca


def test_tablets_download_the_ca(client, runner):
    assert client.get("/tls/ca.crt").status_code == 404
    assert "flask tls init" in client.get("/tls/").get_data(as_text=True)
    runner.invoke(args=["tls", "init", "--host", "127.0.0.1"])
    resp = client.get("/tls/ca.crt")
    assert resp.status_code == 200 and b"BEGIN CERTIFICATE" in resp.data
    page = client.get("/tls/").get_data(as_text=True)
    assert "SHA-256" in page and "Tải chứng chỉ" in page


def test_served_over_https_trusted_through_the_ca(app, runner):
    runner.invoke(args=["tls", "init", "--host", "127.0.0.1"])
    folder = tls_dir(app.instance_path)
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(folder / "server.crt", folder / "server.key")
    server = make_server("127.0.0.1", 0, app, ssl_context=server_ctx, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        client_ctx = ssl.create_default_context(cafile=str(folder / "ca.crt"))
        url = f"https://127.0.0.1:{server.server_port}/login"
        with urllib.request.urlopen(url, context=client_ctx, timeout=10) as resp:
            assert resp.status == 200
            assert "Strict-Transport-Security" in resp.headers
    finally:
        server.shutdown()
        thread.join()
