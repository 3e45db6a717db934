"""HTTPS on the agency's LAN: a local certificate authority and the server's certificate.

Browsers allow the camera only in a secure context, so tablets must reach the app over
HTTPS. ``flask tls init`` makes a certificate authority for the installation (kept in
``instance/tls/``) and a server certificate for the addresses it is reached at; tablets
install the authority's certificate once, from the page ``/tls``.
"""
