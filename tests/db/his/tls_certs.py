"""Throw-away certificates for TLS tests, made with the openssl command: a CA, a server
certificate for 127.0.0.1 and a client certificate (mTLS), all signed by the CA."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Certs:
    """PEM files: the CA, the server's certificate and key, the client's certificate and key."""

    ca: Path
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path


def _openssl(*args: str) -> None:
    subprocess.run(["openssl", *args], check=True, capture_output=True)


def _signed(folder: Path, name: str, subject: str, *, ca: Path, ca_key: Path, ext: str) -> None:
    key, csr, cert = (folder / f"{name}.{kind}" for kind in ("key", "csr", "pem"))
    _openssl("genrsa", "-out", str(key), "2048")
    _openssl("req", "-new", "-key", str(key), "-subj", subject, "-out", str(csr))
    extfile = folder / f"{name}.ext"
    extfile.write_text(ext, encoding="ascii")
    _openssl(
        "x509", "-req", "-in", str(csr), "-CA", str(ca), "-CAkey", str(ca_key),
        "-CAcreateserial", "-days", "2", "-sha256", "-extfile", str(extfile), "-out", str(cert),
    )  # fmt: skip


def make_certs(folder: Path) -> Certs:
    """A CA and two certificates it signed, in ``folder``."""
    ca, ca_key = folder / "ca.pem", folder / "ca.key"
    _openssl(
        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(ca_key), "-out", str(ca),
        "-days", "2", "-subj", "/CN=Test HIS CA",
        "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=keyCertSign",
    )  # fmt: skip
    _signed(
        folder, "server", "/CN=127.0.0.1", ca=ca, ca_key=ca_key,
        ext="subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n",
    )  # fmt: skip
    _signed(
        folder, "client", "/CN=KIOSK-01", ca=ca, ca_key=ca_key, ext="extendedKeyUsage=clientAuth\n"
    )
    return Certs(
        ca, folder / "server.pem", folder / "server.key", folder / "client.pem",
        folder / "client.key",
    )  # fmt: skip
