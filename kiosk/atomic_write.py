"""Files a reader in another process must see whole or not at all (``status.json``, the HIS's
row files): written to a temporary file in the same folder, flushed to disk, then renamed over
the target, so a crash or a concurrent reader never meets half a file."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomically(path: Path, data: bytes, *, prefix: str = ".", suffix: str = ".part") -> None:
    """``data`` at ``path`` all at once: a reader sees no file or the whole file. The temporary
    file is named ``prefix…suffix`` (hidden, and with an ending a folder watcher passes over)."""
    handle, temporary = tempfile.mkstemp(prefix=prefix, suffix=suffix, dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
