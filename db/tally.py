"""Named totals (cards added, events delivered, ...) that add up field by field."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any, Self


@dataclass(frozen=True)
class Counts:
    """A frozen dataclass of whole numbers: ``a + b`` adds each field, :meth:`as_json` names
    them all."""

    def __add__(self, other: Self) -> Self:
        return type(self)(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))

    def as_json(self) -> dict[str, Any]:
        return asdict(self)
