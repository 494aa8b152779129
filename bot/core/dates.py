"""Dates and times as people in the region read them: local time zone (WIB by default), words from Babel."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

from bot.core.i18n import Translator

_INDONESIAN_ZONES = {7: "WIB", 8: "WITA", 9: "WIT"}


def local_datetime(moment: datetime, t: Translator, zone: str | None, label: str) -> str:
    """`moment` in the region's zone, in the user's language, e.g. "Selasa, 1 Desember 2026 pukul 17.52 WIB".

    With no zone name the time is shown at its own offset (a value stored together with it)."""
    local = moment.astimezone(ZoneInfo(zone)) if zone else moment
    return t("format.datetime", when=format_datetime(local, t("format.datetime_pattern"), locale=t.locale), zone=label)


def zone_label(moment: datetime) -> str:
    """The short name of a time's offset: WIB, WITA, WIT, else UTC+h."""
    offset = moment.utcoffset()
    hours = int(offset.total_seconds() // 3600) if offset is not None else 0
    return _INDONESIAN_ZONES.get(hours, f"UTC{hours:+d}")
