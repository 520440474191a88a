"""The timing check shared by the staff sign-in tests over each staff directory."""

from __future__ import annotations

import statistics
import time

from kiosk.staff_auth import LoginResult, StaffAuth

UNKNOWN_CODE = "909"


def assert_unknown_codes_take_as_long(auth: StaffAuth, known_code: str, rounds: int) -> None:
    """Time ``rounds`` interleaved wrong-PIN tries with ``known_code`` and with an unknown code,
    at the real hash cost: the medians must lie within 25 % of each other, so that how long a
    wrong try takes does not tell whether a staff code exists."""
    known: list[float] = []
    unknown: list[float] = []
    for n in range(rounds):
        for code, times in ((known_code, known), (UNKNOWN_CODE, unknown)):
            start = time.perf_counter()
            result = auth.login(code, "000000", source=f"{code}.{n}")
            times.append(time.perf_counter() - start)
            assert result.result is LoginResult.WRONG_PIN
    ratio = statistics.median(unknown) / statistics.median(known)
    assert 0.75 < ratio < 1.33, (statistics.median(unknown), statistics.median(known))
