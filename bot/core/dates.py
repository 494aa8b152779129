"""Dates and times as people in the region read them: local time zone (WIB by default), words from Babel."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

from bot.core.i18n import Translator


def local_datetime(moment: datetime, t: Translator, zone: str, zone_label: str) -> str:
    """`moment` in the region's zone, in the user's language, e.g. "Selasa, 1 Desember 2026 pukul 17.52 WIB"."""
    local = moment.astimezone(ZoneInfo(zone))
    return t(
        "format.datetime", when=format_datetime(local, t("format.datetime_pattern"), locale=t.locale), zone=zone_label
    )
