"""Every fake in tests/fakes.py satisfies the port it stands in for.

Statically: the assignments below are checked by ``mypy --strict`` (a fake that drifts from its
port fails the type check). At run time: each port member is on the fake, and each method takes
the same parameters (names, kinds, defaults), so a renamed or added parameter shows here too.
"""

from __future__ import annotations

import inspect
from typing import Any, Generic, Protocol

import pytest

from db.cards.sync import CardFeed
from kiosk.clock import Clock
from kiosk.ports import (
    CallQueue,
    CardCache,
    CheckInStore,
    OnlineCardCheck,
    SlipPrinter,
    StaffDirectory,
)
from kiosk.retention import RetentionStore
from kiosk.voice import AudioOutput, Speaker
from scanner.cameras.webcam import Capture
from scanner.ports import Camera, Decoder, RegionReader
from tests import fakes
from ui.ports import AdminTools, ScanSource, ScanStepView

_threads = fakes.ThreadLog()
_clock: Clock = fakes.FakeClock()
_cards: CardCache = fakes.FakeCardCache()
_store: CheckInStore = fakes.FakeCheckInStore()
_online: OnlineCardCheck = fakes.FakeOnlineCheck()
_printer: SlipPrinter = fakes.FakePrinter()
_audio: AudioOutput = fakes.FakeAudioOutput()
_watched_cards: CardCache = fakes.WatchedCards(fakes.FakeCardCache(), _threads)
_watched_store: CheckInStore = fakes.WatchedStore(fakes.FakeCheckInStore(), _threads)
_watched_printer: SlipPrinter = fakes.WatchedPrinter(fakes.FakePrinter(), _threads)
_slow: OnlineCardCheck = fakes.SlowOnlineCheck(0.0, ())
_gated: OnlineCardCheck = fakes.GatedOnlineCheck(())
_speaker: Speaker = fakes.FakeSpeaker()
_step: ScanStepView = fakes.FakeStep(None, None, None)
_scan: ScanSource = fakes.FakeScanLoop()
_admin: AdminTools = fakes.FakeAdmin()
_camera: Camera = fakes.FakeCamera(())
_stub_camera: Camera = fakes.StubCamera()
_noon: Clock = fakes.NoonClock()
_list_feed: CardFeed = fakes.ListFeed([])
_cursor_feed: CardFeed = fakes.CursorFeed([])
_capture: Capture = fakes.FakeDevice().factory(0)
_counting: Decoder = fakes.CountingDecoder(fakes.ReadsNothing())
_nothing: Decoder = fakes.ReadsNothing()
_recording: Decoder = fakes.RecordingDecoder()
_regions: RegionReader = fakes.RecordingRegions(fakes.ReadsNothing())
_zxing_spy: Decoder = fakes.CountingZxing()
_deblur_spy: Decoder = fakes.CountingDeblur()
_chain_spy: Decoder = fakes.CountingChain()
_region_stage: RegionReader = fakes.RecordingStage()
_call_queue: CallQueue = fakes.FakeCallQueue()
_raising: SlipPrinter = fakes.RaisingPrinter(raises=True)
_retention: RetentionStore = fakes.FakeRetentionStore()
# (a spy on the product's MemoryStaffDirectory: the type check only, its parameters are the
# product's, which gives unlock_staff's actor a default the port does not have)
_down_staff: StaffDirectory = fakes.DownStaffDirectory([])

# (the fake's class, the port) for every fake with a port
PAIRS: list[tuple[type[Any], type[Any]]] = [
    (fakes.FakeClock, Clock),
    (fakes.FakeCardCache, CardCache),
    (fakes.FakeCheckInStore, CheckInStore),
    (fakes.FakeOnlineCheck, OnlineCardCheck),
    (fakes.SlowOnlineCheck, OnlineCardCheck),
    (fakes.GatedOnlineCheck, OnlineCardCheck),
    (fakes.FakePrinter, SlipPrinter),
    (fakes.FakeAudioOutput, AudioOutput),
    (fakes.WatchedCards, CardCache),
    (fakes.WatchedStore, CheckInStore),
    (fakes.WatchedPrinter, SlipPrinter),
    (fakes.FakeSpeaker, Speaker),
    (fakes.FakeStep, ScanStepView),
    (fakes.FakeScanLoop, ScanSource),
    (fakes.FakeAdmin, AdminTools),
    (fakes.FakeCamera, Camera),
    (fakes.StubCamera, Camera),
    (fakes.NoonClock, Clock),
    (fakes.ListFeed, CardFeed),
    (fakes.CursorFeed, CardFeed),
    (fakes.FakeCapture, Capture),
    (fakes.CountingDecoder, Decoder),
    (fakes.ReadsNothing, Decoder),
    (fakes.RecordingDecoder, Decoder),
    (fakes.RecordingRegions, RegionReader),
    (fakes.CountingZxing, Decoder),
    (fakes.CountingDeblur, Decoder),
    (fakes.CountingChain, Decoder),
    (fakes.RecordingStage, RegionReader),
    (fakes.FakeCallQueue, CallQueue),
    (fakes.RaisingPrinter, SlipPrinter),
    (fakes.FakeRetentionStore, RetentionStore),
]


def port_members(port: type[Any]) -> dict[str, Any]:
    """The port's own members (methods and properties), not those of Protocol or object."""
    found: dict[str, Any] = {}
    for cls in reversed(port.__mro__):
        if cls in (object, Protocol, Generic):
            continue
        for name, value in vars(cls).items():
            if not name.startswith("_"):
                found[name] = value
    return found


def shape(function: Any) -> list[tuple[str, Any, bool]]:
    """A method's parameters as (name, kind, has a default), without ``self``."""
    parameters = list(inspect.signature(function).parameters.values())[1:]
    return [(p.name, p.kind, p.default is not inspect.Parameter.empty) for p in parameters]


@pytest.mark.parametrize(("fake", "port"), PAIRS, ids=lambda c: c.__name__)
def test_each_fake_has_its_ports_members_with_the_same_parameters(
    fake: type[Any], port: type[Any]
) -> None:
    members = port_members(port)
    assert members, f"{port.__name__} has no members"
    for name, member in members.items():
        assert hasattr(fake, name) or name in getattr(fake, "__dataclass_fields__", {}), (
            f"{fake.__name__} lacks {port.__name__}.{name}"
        )
        if inspect.isfunction(member):
            assert shape(getattr(fake, name)) == shape(member), f"{fake.__name__}.{name}"


def test_the_check_sees_a_fake_that_drifted() -> None:
    class Drifted(fakes.FakePrinter):
        def print_image(self, image: Any, job: str) -> Any:  # the parameter renamed
            return super().print_image(image, job)

    assert shape(Drifted.print_image) != shape(SlipPrinter.print_image)
