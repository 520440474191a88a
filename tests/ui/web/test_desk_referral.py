"""The desk's referral paper over HTTP: the signing date typed on the form goes with the
override, and a date that is not a date, or after today, is refused in both languages."""

from __future__ import annotations

from datetime import date, timedelta

from tests.ui.web.deskhelp import csrf_of, desk_client, scanned_payload
from tests.ui.web.test_desk import sign_in
from tests.ui.web.webhelp import Site


def test_the_referral_papers_date_is_checked_and_kept(site: Site) -> None:
    site.add_staff()
    with desk_client(site) as (client, wiring, _):
        assert sign_in(client).status_code == 303
        today = site.today()
        assert isinstance(today, date)
        form = {
            "scan": scanned_payload(),
            "reason": "3",
            "clinic": site.config.clinics[0].code,
            "referral": "1",
        }
        for bad in ("31/02/2026", (today + timedelta(days=1)).isoformat()):
            page = client.get("/desk")
            refused = client.post(
                "/desk/override", data={**form, "csrf": csrf_of(page.text), "referral_signed": bad}
            )
            assert refused.status_code == 400
            assert "Ngày ký giấy chuyển tuyến không hợp lệ" in refused.text
            assert "signing date is not valid" in refused.text
        assert wiring.store.list_checkins(today, None) == []
        signed = today - timedelta(days=1)
        page = client.get("/desk")
        done = client.post(
            "/desk/override",
            data={**form, "csrf": csrf_of(page.text), "referral_signed": signed.isoformat()},
        )
        assert done.status_code == 200
        checkin = wiring.store.list_checkins(today, None)[0]
        assert checkin.override_reason == (
            f"Chuyển tuyến [Chuyển tuyến: giấy ký {signed:%d/%m/%Y}]"
        )
