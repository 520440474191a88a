"""The full-screen Qt kiosk: screens, workers on threads, the GUI composition root."""

from __future__ import annotations

import ctypes
import sys


def _keep_singletons_alive() -> None:
    """Work around PySide6 6.12 dropping a reference to ``None`` on Python 3.11.

    The 6.12 wheels treat ``None`` as immortal (as it is from Python 3.12 on), so on 3.11 every
    call of a Qt method that returns nothing (``setText``, ``setVisible``, …) decrements
    ``None``'s reference count. It starts near 4,000: after a few hundred screen changes it
    reaches zero and the interpreter aborts ("Fatal Python error: none_dealloc"). Adding 2**40
    references makes ``None``, ``True`` and ``False`` as good as immortal, as on 3.12.
    """
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return
    for singleton in (None, True, False):
        # ob_refcnt is the first field of every CPython object
        ctypes.c_ssize_t.from_address(id(singleton)).value += 1 << 40


_keep_singletons_alive()
