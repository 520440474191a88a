"""The object codes (mã đối tượng) that start a 15-character BHYT card number (docs/domain.md §3).

A data table, not logic: the benefit level a patient gets is always read from the card's own
digit (or field 14, or the gateway), never from here. ``usual_level`` is the level the code
carried under the pre-2025 rules and is kept only for display and sanity reports.

Names are short descriptive Vietnamese labels of each group. The lists change by decree: when
a new code appears, add a row here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ObjectCode:
    """One group of insured people."""

    code: str
    name: str
    usual_level: int


def _rows(level: int, rows: dict[str, str]) -> dict[str, ObjectCode]:
    return {code: ObjectCode(code, name, level) for code, name in rows.items()}


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
            "DT": "Người dân tộc thiểu số sống ở vùng kinh tế - xã hội khó khăn",
            "DK": "Người sống ở vùng kinh tế - xã hội đặc biệt khó khăn",
            "XD": "Người sống ở xã đảo, huyện đảo",
            "BT": "Người hưởng trợ cấp bảo trợ xã hội hằng tháng",
            "TS": "Thân nhân liệt sĩ",
            "AK": "Đối tượng hưởng mức 2 (nhóm AK)",
            "CT": "Người từ đủ 80 tuổi hưởng trợ cấp tuất hằng tháng",
        },
    ),
    **_rows(
        3,
        {
            "HT": "Người hưởng lương hưu, trợ cấp mất sức lao động hằng tháng",
            "TC": "Thân nhân người có công với cách mạng",
            "CN": "Người thuộc hộ gia đình cận nghèo",
            "PV": "Người phục vụ người có công với cách mạng",
            "TG": "Đối tượng hưởng mức 3 (nhóm TG)",
            "DS": "Đối tượng hưởng mức 3 (nhóm DS)",
            "HK": "Đối tượng hưởng mức 3 (nhóm HK)",
        },
    ),
    **_rows(
        4,
        {
            "DN": "Người lao động trong doanh nghiệp",
            "HX": "Người lao động trong hợp tác xã",
            "CH": "Người lao động trong cơ quan nhà nước, đơn vị sự nghiệp",
            "NN": "Người lao động trong cơ quan, tổ chức nước ngoài tại Việt Nam",
            "TK": "Người lao động trong tổ chức khác",
            "HC": "Cán bộ, công chức, viên chức",
            "XK": "Người hoạt động không chuyên trách ở cấp xã",
            "TB": "Người hưởng trợ cấp tai nạn lao động, bệnh nghề nghiệp hằng tháng",
            "NO": "Người lao động nghỉ việc hưởng chế độ ốm đau dài ngày",
            "XB": "Cán bộ cấp xã nghỉ việc hưởng trợ cấp bảo hiểm xã hội hằng tháng",
            "TN": "Người hưởng trợ cấp thất nghiệp",
            "CS": "Công nhân cao su nghỉ việc hưởng trợ cấp hằng tháng",
            "XN": "Cán bộ cấp xã nghỉ việc hưởng trợ cấp từ ngân sách nhà nước",
            "MS": "Người thôi hưởng trợ cấp mất sức lao động hưởng trợ cấp hằng tháng",
            "HD": "Đại biểu Quốc hội, Hội đồng nhân dân đương nhiệm",
            "TQ": "Thân nhân quân nhân",
            "TA": "Thân nhân công an nhân dân",
            "TY": "Thân nhân người làm công tác cơ yếu",
            "HG": "Người đã hiến bộ phận cơ thể",
            "LS": "Lưu học sinh nước ngoài học tập tại Việt Nam",
            "HS": "Học sinh",
            "SV": "Sinh viên",
            "GB": "Hộ gia đình nông, lâm, ngư, diêm nghiệp có mức sống trung bình",
            "GD": "Người tham gia theo hộ gia đình",
            "BA": "Đối tượng hưởng mức 4 (nhóm BA)",
            "ND": "Đối tượng hưởng mức 4 (nhóm ND)",
            # Seen on cards in the field (TV4...); the group's official name was not found, and
            # the level printed on the card decides anyway (docs/domain.md).
            "TV": "Đối tượng nhóm TV",
        },
    ),
    **_rows(
        5,
        {
            "QN": "Quân nhân",
            "CA": "Công an nhân dân",
            "CY": "Người làm công tác cơ yếu",
        },
    ),
}


def object_code(code: str) -> ObjectCode | None:
    """The table row for a 2-letter object code, or None when the code is not known."""
    return OBJECT_CODES.get(code.upper())
