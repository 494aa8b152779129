"""Dates and times as people type them, in WIB."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.errors import ValidationError
from bot.services.when import parse_local_datetime

WIB = ZoneInfo("Asia/Jakarta")
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=WIB)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("20-12-2026 09.00", datetime(2026, 12, 20, 9, 0)),
        ("20/12/2026 9:30", datetime(2026, 12, 20, 9, 30)),
        ("20.12.26 14.00", datetime(2026, 12, 20, 14, 0)),
        ("20 Desember 2026 jam 9", datetime(2026, 12, 20, 9, 0)),
        ("20 des pukul 13.30 WIB", datetime(2026, 12, 20, 13, 30)),
        ("Senin, 21 Desember 2026 pukul 08.00", datetime(2026, 12, 21, 8, 0)),
        ("tanggal 5 januari jam 10", datetime(2027, 1, 5, 10, 0)),  # no year: the next 5 January
        ("5/1 10:00", datetime(2027, 1, 5, 10, 0)),
        ("besok 14:30", datetime(2026, 12, 2, 14, 30)),
        ("hari ini jam 15", datetime(2026, 12, 1, 15, 0)),
        ("lusa pkl. 8", datetime(2026, 12, 3, 8, 0)),
        ("20 December 2026 9am", datetime(2026, 12, 20, 9, 0)),
        ("20 dec 2pm", datetime(2026, 12, 20, 14, 0)),
    ],
)
def test_dates_people_type(typed: str, expected: datetime) -> None:
    assert parse_local_datetime(typed, "Asia/Jakarta", NOW) == expected.replace(tzinfo=WIB)


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("", "parse.datetime.empty"),
        ("minggu depan", "parse.datetime.no_date"),
        ("20-12-2026", "parse.datetime.no_time"),
        ("20-12-2026 25.00", "parse.datetime.no_time"),
        ("31-02-2027 10.00", "parse.datetime.bad_date"),
        ("1-12-2026 09.00", "parse.datetime.past"),
        ("hari ini jam 9", "parse.datetime.past"),
        ("20 bulan 10.00", "parse.datetime.no_date"),
        ("'; DROP TABLE events; --", "parse.datetime.no_date"),
        ("20-12-2026 09.00 lalu makan siang", "parse.datetime.no_time"),
    ],
)
def test_what_is_wrong_is_said(typed: str, key: str) -> None:
    with pytest.raises(ValidationError) as refused:
        parse_local_datetime(typed, "Asia/Jakarta", NOW)
    assert refused.value.key == key
