"""Who ran a ``kiosk-admin`` command, as the audit log names them."""

from __future__ import annotations

import getpass


def cli_actor() -> str:
    """The OS user running this command, e.g. ``"lan@cli"``.

    An audit row that says only "admin" cannot tell which of the hospital's IT staff changed an
    account or reprinted a slip; the login name can.
    """
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a bare container)
        import os

        user = f"uid{os.getuid()}"
    return f"{user}@cli"[:100]
