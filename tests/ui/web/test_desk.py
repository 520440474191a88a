"""The reception desk page, /desk, over HTTP on a real uvicorn: sign-in with the desk's lock-out,
a look-up of a Telex-mangled scan, an override with a preset reason printed on the desk's file
printer, reprint, cancel with a reason, CSRF, the idle session's end, an admin's unlock; and
/fleet for admins with the outbox's retry."""

from __future__ import annotations

from datetime import UTC, datetime

from httpx import Client, Response

from tests.fakes import FakeClock
from tests.ui.web.deskhelp import csrf_of, desk_client, scanned_payload
from tests.ui.web.webhelp import PIN, Site, served


def sign_in(client: Client, code: str = "201", pin: str = PIN) -> Response:
    page = client.get("/desk")
    return client.post(
        "/desk/signin",
        data={"csrf": csrf_of(page.text), "code": code, "pin": pin},
        follow_redirects=False,
    )


def test_an_override_from_a_mangled_scan_prints_on_the_desk_printer(site: Site) -> None:
    site.add_staff()
    other = site.config.clinics[1].code  # not the first: the page must remember it
    with desk_client(site) as (client, wiring, slips):
        if True:
            signed = sign_in(client)
            assert signed.status_code == 303
            cookie = signed.headers["set-cookie"].lower()
            assert "httponly" in cookie
            assert "samesite=strict" in cookie
            desk = client.get("/desk")
            found = client.post(
                "/desk/lookup", data={"csrf": csrf_of(desk.text), "q": scanned_payload()}
            )
            assert 'data-status="needs_reception"' in found.text
            assert "Thẻ chưa có trong dữ liệu" in found.text  # the reason in staff words
            assert 'data-sent="1"' in found.text  # the look-up itself was counted (kiosk id)
            assert "Lê Văn Tâm" not in found.text  # the screen faces a hall: masked
            done = client.post(
                "/desk/override",
                data={
                    "csrf": csrf_of(found.text),
                    "scan": scanned_payload(),
                    "clinic": other,
                    "reason": "2",
                    "referral": "1",
                },
            )
            assert 'data-printed="yes"' in done.text
            assert len(list(slips.glob("*.png"))) == 1
            checkin = wiring.store.list_checkins(site.today(), None)[0]
            assert checkin.patient.name == "Lê Văn Tâm"  # the Telex-mangled hex repaired
            # the referral paper, signed today as the form left it, goes with the reason
            signed_on = f"{site.today():%d/%m/%Y}"
            assert checkin.override_reason == (
                f"Chưa có trong dữ liệu – đã xem thẻ [Chuyển tuyến: giấy ký {signed_on}]"
            )
            assert checkin.staff_name == "Lan"
            # reprint, then cancel with a reason
            again = client.post(
                "/desk/reprint", data={"csrf": csrf_of(done.text), "id": checkin.id}
            )
            assert 'data-printed="yes"' in again.text
            assert len(list(slips.glob("*.png"))) == 2
            no_reason = client.post(
                "/desk/cancel", data={"csrf": csrf_of(again.text), "id": checkin.id, "why": ""}
            )
            assert no_reason.status_code == 400
            cancelled = client.post(
                "/desk/cancel",
                data={"csrf": csrf_of(again.text), "id": checkin.id, "why": "Nhầm phòng"},
            )
            assert "Đã hủy số" in cancelled.text
            # the clinic is remembered from the last override
            page = client.get("/desk")
            look = client.post("/desk/lookup", data={"csrf": csrf_of(page.text), "q": "x"})
            assert f'<option value="{other}" selected>' in look.text


def test_forms_without_the_csrf_token_are_refused(site: Site) -> None:
    site.add_staff()
    with desk_client(site) as (client, _, slips):
        if True:
            page = client.get("/desk")
            assert client.post("/desk/signin", data={"code": "201", "pin": PIN}).status_code == 403
            assert sign_in(client).status_code == 303
            wrong = {"csrf": "not-the-token", "scan": scanned_payload(), "reason": "1"}
            assert client.post("/desk/override", data=wrong).status_code == 403
            assert client.post("/desk/lookup", data={"q": "x"}).status_code == 403
            assert page.status_code == 200
        assert not slips.exists()


def test_the_session_ends_after_the_idle_minutes(site: Site) -> None:
    site.add_staff()
    clock = FakeClock(datetime.now(UTC))
    minutes = site.config.staff.desk_session_minutes
    with desk_client(site, clock) as (client, _, _):
        if True:
            assert sign_in(client).status_code == 303
            clock.advance(minutes=minutes - 1)
            assert 'id="lookup"' in client.get("/desk").text  # renewed: idle starts again
            clock.advance(minutes=minutes - 1)
            assert 'id="lookup"' in client.get("/desk").text
            clock.advance(minutes=minutes)
            assert 'id="signin"' in client.get("/desk").text  # idle too long: sign in again


def test_five_wrong_pins_at_the_desk_lock_and_an_admin_unlocks(site: Site) -> None:
    site.add_staff()
    site.add_staff("Minh", code="202", role="admin")
    clock = FakeClock(datetime.now(UTC))
    with served(site, clock=clock) as url, Client(base_url=url) as client:
        for n in range(5):
            clock.advance(minutes=1)  # past this PC's own wait
            last = sign_in(client, pin=f"00000{n}")
        assert last.status_code == 423
        clock.advance(minutes=1)
        assert sign_in(client, "202").status_code == 303
        page = client.get("/desk")
        assert 'data-unlock="Lan"' in page.text
        client.post("/desk/unlock", data={"csrf": csrf_of(page.text), "name": "Lan"})
        account = site.store.get_staff("Lan")
        assert account is not None
        assert account.locked_until is None
        assert ("desk:Minh", "staff_unlock") in [
            (r["actor"], r["action"]) for r in site.store.audit_entries()
        ]


def test_staff_cannot_unlock_nor_see_the_fleet(site: Site) -> None:
    site.add_staff()
    with served(site) as url, Client(base_url=url) as client:
        assert sign_in(client).status_code == 303
        page = client.get("/desk")
        refused = client.post("/desk/unlock", data={"csrf": csrf_of(page.text), "name": "Lan"})
        assert refused.status_code == 403
        assert client.get("/fleet").status_code == 403


def test_the_fleet_shows_kiosks_and_refuses_a_retry_without_its_token(site: Site) -> None:
    site.add_staff("Minh", code="202", role="admin")
    site.check_in(1)
    with served(site) as url, Client(base_url=url) as client:
        assert sign_in(client, "202").status_code == 303
        fleet = client.get("/fleet")
        assert fleet.status_code == 200
        assert "data-kiosk=" in fleet.text
        assert "not in the register" in fleet.text  # checked in today, never registered
        assert "Không có thư lỗi" in fleet.text
        token = csrf_of(client.get("/desk").text)  # the desk session's token
        retry = client.post("/fleet/retry", data={"id": "999"}, follow_redirects=False)
        assert retry.status_code == 403  # no CSRF token
        answered = client.post(
            "/fleet/retry", data={"csrf": token, "id": "999"}, follow_redirects=False
        )
        assert answered.headers["location"] == "/fleet?retried=no"  # no such dead letter
