"""Certificates are built by the certificates issue; the app is registered so its tables,
templates and URLs have their place from the start."""
