"""What the region stages share: reading a picture alone by reading regions of it."""

from __future__ import annotations

from collections.abc import Sequence

from scanner.decode.regions import candidate_regions, to_grey
from scanner.ports import Box, Decoded, Frame


class RegionStage:
    """A decoder stage that reads given regions of a frame (a
    :class:`~scanner.ports.RegionReader`). In the chain it is handed the regions; on a picture
    alone (:meth:`decode`: ``kiosk-admin decode``, the ungated chain) it reads the regions
    :meth:`boxes` picks: the whole picture, then its likeliest :data:`candidates` regions."""

    name = "region"
    candidates = 2
    """Candidate regions :meth:`decode` tries after the whole picture."""

    def decode(self, frame: Frame) -> Decoded | None:
        grey = to_grey(frame)
        return self.decode_in(grey, self.boxes(grey))

    def boxes(self, grey: Frame) -> list[Box]:
        """The regions :meth:`decode` reads, in turn."""
        h, w = grey.shape[:2]
        return [(0, 0, w, h), *candidate_regions(grey, self.candidates)]

    def decode_in(self, frame: Frame, boxes: Sequence[Box]) -> Decoded | None:
        """The QR read in one of ``boxes``, corners in frame pixels, or None."""
        raise NotImplementedError

    def moved(self, found: Decoded, x: float, y: float) -> Decoded:
        """A read in a crop whose top left is at (``x``, ``y``), as a read of the frame by this
        stage (its corners in frame pixels)."""
        corners = tuple((x + cx, y + cy) for cx, cy in found.corners)
        return Decoded(found.text, found.raw, corners, self.name)
