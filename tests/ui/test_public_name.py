"""The result screens name the patient by family name and initials ("Lý T. T."): masked, and
without the stars that read as an error on a patient's own screen."""

from __future__ import annotations

import pytest

from tests import builders
from ui.present import from_checkin, public_name


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("Lý Thị Thanh", "Lý T. T."),
        ("Nguyễn Văn Đức Anh", "Nguyễn V. Đ. A."),
        ("Yến", "Y***"),  # one word: its first letter only, as the logs mask it
        ("", ""),
    ],
)
def test_the_family_name_and_the_initials(name: str, shown: str) -> None:
    assert public_name(name) == shown


def test_a_checkins_public_patient_has_no_given_name_and_no_stars() -> None:
    checkin = builders.checkin()
    given = checkin.patient.name.split()[-1]
    shown = from_checkin(checkin).name
    assert given not in shown.split()
    assert "*" not in shown
    assert shown.startswith(checkin.patient.name.split()[0] + " ")
