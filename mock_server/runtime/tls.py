"""HTTPS under the tenants' real names: a local CA (trustme) and a server certificate for every host.

The CA is created once in a directory and kept (``ca.pem`` to give clients, ``ca-key.pem`` to sign
with), so a client configured with it keeps working across restarts. The server certificate is
issued afresh at each start for the fixtures' tenant hosts, the softphone hosts and loopback.
"""
from __future__ import annotations

import ssl
from dataclasses import dataclass
from pathlib import Path

from mock_server.domain.loopback import LOOPBACK_NAMES

SOFTPHONE_HOSTS = ("softphone.alo-tech.com", "softphone.callcenterstudio.com")


@dataclass(frozen=True)
class Tls:
    context: ssl.SSLContext
    ca_path: Path
    bundle_path: Path  # public CAs + the local CA: what the fake's own HTTPS callbacks trust
    server_pem: Path  # the server's key and certificate chain (for gunicorn's certfile/keyfile)
    hosts: tuple[str, ...]


def served_hosts(tenant_hosts: list[str]) -> tuple[str, ...]:
    """The names the certificate covers and ``/etc/hosts`` should point at the fake."""
    return tuple(dict.fromkeys([*tenant_hosts, *SOFTPHONE_HOSTS]))


def hosts_lines(tenant_hosts: list[str], address: str = "127.0.0.1") -> str:
    return f"{address} " + " ".join(served_hosts(tenant_hosts))


def server_tls(directory: Path, tenant_hosts: list[str]) -> Tls:
    """Load (or create) the CA in ``directory`` and an SSL context serving a certificate for every host."""
    import certifi
    import trustme

    directory.mkdir(parents=True, exist_ok=True)
    ca_path, key_path = directory / "ca.pem", directory / "ca-key.pem"
    if ca_path.exists() and key_path.exists():
        ca = trustme.CA.from_pem(ca_path.read_bytes(), key_path.read_bytes())
    else:
        ca = trustme.CA(organization_name="ccs-mock local CA")
        ca.private_key_pem.write_to_path(str(key_path))
        key_path.chmod(0o600)
        ca.cert_pem.write_to_path(str(ca_path))
    hosts = served_hosts(tenant_hosts)
    leaf = ca.issue_cert(*hosts, *LOOPBACK_NAMES, common_name=hosts[0])
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    leaf.configure_cert(context)
    bundle, server_pem = directory / "bundle.pem", directory / "server.pem"
    bundle.write_bytes(Path(certifi.where()).read_bytes() + b"\n" + ca_path.read_bytes())
    leaf.private_key_and_cert_chain_pem.write_to_path(str(server_pem))
    server_pem.chmod(0o600)
    return Tls(context, ca_path, bundle, server_pem, hosts)
