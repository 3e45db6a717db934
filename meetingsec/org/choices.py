"""Who inspects for a host unit: the police, or the functional bodies of the Ministry of
Defence or Ban Cơ yếu Chính phủ for their own units (ND 26/2020 Điều 6 khoản 1 and
khoản 2 điểm a)."""

from enum import StrEnum

from flask_babel import lazy_gettext as _l


class FunctionalBody(StrEnum):
    POLICE = "police"
    DEFENCE = "defence"
    BAN_CO_YEU = "ban_co_yeu"

    @property
    def title(self):
        return {
            "police": _l("The police (Ministry of Public Security, provincial police)"),
            "defence": _l("The functional body of the Ministry of Defence"),
            "ban_co_yeu": _l("The functional body of Ban Cơ yếu Chính phủ"),
        }[self]

    @property
    def official_name(self) -> str:
        """As an official record names it (Vietnamese, whatever the reader's language)."""
        return {
            "police": "Cơ quan Công an",
            "defence": "Cơ quan chức năng của Bộ Quốc phòng",
            "ban_co_yeu": "Cơ quan chức năng của Ban Cơ yếu Chính phủ",
        }[self]
