"""The object codes (mã đối tượng) that start a 15-character BHYT card number (docs/domain.md §3).

A data table, not logic: the benefit level a patient gets is read from the card's own digit (or
field 14, or the gateway), or from a dated group override of ``kiosk/benefit_rules.toml`` (CN
and LH are 100 % since 1/1/2026 whatever the printed digit), never from here. ``usual_level``
is the level the code carried under the pre-2025 rules and is kept only for display and sanity
reports.

Names are written the way the groups are named in the law's list of participants (Law on
Health Insurance Art. 12, as Decree 188/2025 and its annex name them); each row says where its
name was read (``source``) and how sure that is, in the marks of docs/domain.md. The lists
change by decree: when a new code appears, add a row here.
"""

from __future__ import annotations

from dataclasses import dataclass

# Where a name comes from, in the marks of docs/domain.md (two sources / one source / unverified).
_LAW_TERMS = (
    "unverified: the group's wording in Law on Health Insurance Art. 12; the annex of Decree "
    "188/2025 itself was not found in a public source"
)
_CV38 = (
    "one source: public HIS code quoting CV 38/BYT-BH (06/01/2026) and Resolution "
    "261/2025/QH15 Art. 2 cl. 1 a"
)
_UNNAMED = "unverified: seen on cards; no public text naming the group was found"


@dataclass(frozen=True)
class ObjectCode:
    """One group of insured people."""

    code: str
    name: str
    usual_level: int
    source: str = _LAW_TERMS  # where the name was read, with its mark


def _rows(level: int, rows: dict[str, str], source: str = _LAW_TERMS) -> dict[str, ObjectCode]:
    return {code: ObjectCode(code, name, level, source) for code, name in rows.items()}


OBJECT_CODES: dict[str, ObjectCode] = {
    **_rows(
        1,
        {
            "CC": "Người có công với cách mạng",
            "TE": "Trẻ em dưới 6 tuổi",
        },
    ),
    **_rows(
        2,
        {
            "CK": "Người có công với cách mạng (nhóm khác)",
            "CB": "Cựu chiến binh",
            "KC": "Người tham gia kháng chiến",
            "HN": "Người thuộc hộ gia đình nghèo",
            "DT": "Người dân tộc thiểu số đang sinh sống tại vùng có điều kiện kinh tế - xã hội "
            "khó khăn",
            "DK": "Người đang sinh sống tại vùng có điều kiện kinh tế - xã hội đặc biệt khó khăn",
            "XD": "Người đang sinh sống tại xã đảo, huyện đảo",
            "BT": "Người thuộc diện hưởng trợ cấp xã hội hằng tháng",
            "TS": "Thân nhân của liệt sĩ",
            "CT": "Người từ đủ 80 tuổi trở lên đang hưởng trợ cấp tuất hằng tháng",
        },
    ),
    **_rows(2, {"AK": "Nhóm đối tượng mã AK (tên chưa xác minh)"}, _UNNAMED),
    **_rows(
        3,
        {
            "HT": "Người hưởng lương hưu, trợ cấp mất sức lao động hằng tháng",
            "TC": "Thân nhân của người có công với cách mạng",
            "PV": "Người phục vụ người có công với cách mạng",
        },
    ),
    **_rows(3, {"CN": "Người thuộc hộ gia đình cận nghèo"}, _CV38),
    **_rows(
        3,
        {
            "TG": "Nhóm đối tượng mã TG (tên chưa xác minh)",
            "DS": "Nhóm đối tượng mã DS (tên chưa xác minh)",
            "HK": "Nhóm đối tượng mã HK (tên chưa xác minh)",
        },
        _UNNAMED,
    ),
    **_rows(
        4,
        {
            "DN": "Người lao động làm việc trong doanh nghiệp",
            "HX": "Người lao động làm việc trong hợp tác xã",
            "CH": "Người lao động làm việc trong cơ quan nhà nước, đơn vị sự nghiệp công lập",
            "NN": "Người lao động làm việc trong cơ quan, tổ chức nước ngoài tại Việt Nam",
            "TK": "Người lao động làm việc trong tổ chức khác",
            "HC": "Cán bộ, công chức, viên chức",
            "XK": "Người hoạt động không chuyên trách ở cấp xã",
            "TB": "Người hưởng trợ cấp tai nạn lao động, bệnh nghề nghiệp hằng tháng",
            "NO": "Người lao động nghỉ việc hưởng chế độ ốm đau do mắc bệnh cần chữa trị dài ngày",
            "XB": "Cán bộ cấp xã đã nghỉ việc hưởng trợ cấp bảo hiểm xã hội hằng tháng",
            "TN": "Người đang hưởng trợ cấp thất nghiệp",
            "CS": "Công nhân cao su nghỉ việc đang hưởng trợ cấp hằng tháng",
            "XN": "Cán bộ cấp xã đã nghỉ việc hưởng trợ cấp hằng tháng từ ngân sách nhà nước",
            "MS": "Người đã thôi hưởng trợ cấp mất sức lao động đang hưởng trợ cấp hằng tháng",
            "HD": "Đại biểu Quốc hội, đại biểu Hội đồng nhân dân các cấp đương nhiệm",
            "TQ": "Thân nhân của quân nhân",
            "TA": "Thân nhân của công an nhân dân",
            "TY": "Thân nhân của người làm công tác cơ yếu",
            "HG": "Người đã hiến bộ phận cơ thể người",
            "LS": "Người nước ngoài đang học tập tại Việt Nam được cấp học bổng",
            "HS": "Học sinh",
            "SV": "Sinh viên",
            "GB": "Người thuộc hộ gia đình làm nông nghiệp, lâm nghiệp, ngư nghiệp và diêm "
            "nghiệp có mức sống trung bình",
            "GD": "Người tham gia bảo hiểm y tế theo hộ gia đình",
        },
    ),
    **_rows(
        4,
        {
            "BA": "Nhóm đối tượng mã BA (tên chưa xác minh)",
            "ND": "Nhóm đối tượng mã ND (tên chưa xác minh)",
            # Seen on cards in the field (TV4...); the level printed on the card decides anyway.
            "TV": "Nhóm đối tượng mã TV (tên chưa xác minh)",
        },
        _UNNAMED,
    ),
    **_rows(
        5,
        {
            "QN": "Quân nhân",
            "CA": "Công an nhân dân",
            "CY": "Người làm công tác cơ yếu",
        },
    ),
    # Printed with level 4 until 2025; 100 % since 1/1/2026 (the override in benefit_rules.toml).
    **_rows(4, {"LH": "Người từ đủ 75 tuổi trở lên đang hưởng trợ cấp hưu trí xã hội"}, _CV38),
}


def object_code(code: str) -> ObjectCode | None:
    """The table row for a 2-letter object code, or None when the code is not known."""
    return OBJECT_CODES.get(code.upper())


def group_name(code: str | None) -> str | None:
    """The group's name for a 2-letter object code, or None when unknown or absent."""
    row = object_code(code) if code else None
    return row.name if row is not None else None
