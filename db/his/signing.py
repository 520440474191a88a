"""The HMAC-SHA256 signature of a request to the HIS, so a receiver knows it came from the kiosk.

Header ``X-Kiosk-Signature: t=<unix seconds>,v1=<hex>`` where ``<hex>`` is
HMAC-SHA256(secret, ``"<t>." + body``) over the exact bytes of the body. The timestamp is
inside the signed text, so a receiver can refuse an old request replayed (docs/his.md has a
receiver's code). The secret is read from the environment variable ``his.signing_secret_env``,
never from the file.
"""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "X-Kiosk-Signature"


def signature(secret: bytes, timestamp: int, body: bytes) -> str:
    """The header's value for ``body`` sent at ``timestamp`` (Unix seconds)."""
    mac = hmac.new(secret, str(timestamp).encode("ascii") + b"." + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"
