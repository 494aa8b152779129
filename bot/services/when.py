"""Reading a date and time as people type it ("20-12-2026 09.00", "20 Des jam 9", "besok 14:30").

Times are local to the region (WIB by default): the parser returns an aware datetime in that zone, and the
caller stores it in UTC. A date without a year is the next such date; a time is required (events have one).
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.errors import ValidationError

DATETIME_EXAMPLE = "20-12-2026 09.00"
DATE_EXAMPLE = "20-12-2026"

MONTHS = {
    "januari": 1, "jan": 1, "january": 1,
    "februari": 2, "feb": 2, "pebruari": 2, "february": 2,
    "maret": 3, "mar": 3, "march": 3,
    "april": 4, "apr": 4,
    "mei": 5, "may": 5,
    "juni": 6, "jun": 6, "june": 6,
    "juli": 7, "jul": 7, "july": 7,
    "agustus": 8, "agu": 8, "agt": 8, "ags": 8, "aug": 8, "august": 8,
    "september": 9, "sep": 9, "sept": 9,
    "oktober": 10, "okt": 10, "oct": 10, "october": 10,
    "november": 11, "nov": 11, "nopember": 11,
    "desember": 12, "des": 12, "dec": 12, "december": 12,
}  # fmt: skip
RELATIVE = {"hari ini": 0, "today": 0, "besok": 1, "tomorrow": 1, "lusa": 2}

_TIME_RE = re.compile(
    r"(?:\b(?:jam|pukul|pkl|at)\.?\s*)?\b(?P<h>[01]?\d|2[0-3])(?:[.:](?P<m>[0-5]\d))?\s*(?P<ampm>am|pm)?\s*"
    r"(?:wib|wita|wit)?\s*$"
)
_NUMERIC_DATE_RE = re.compile(r"^(?P<d>\d{1,2})[-/.](?P<mo>\d{1,2})(?:[-/.](?P<y>\d{2}|\d{4}))?\b")
_WORD_DATE_RE = re.compile(r"^(?P<d>\d{1,2})\s+(?P<mo>[a-z]+)\.?(?:\s+(?P<y>\d{4}))?\b")
_DAY_NAMES = re.compile(
    r"^(?:hari\s+)?(?:senin|selasa|rabu|kamis|jumat|jum'at|sabtu|minggu|monday|tuesday|wednesday|thursday|"
    r"friday|saturday|sunday),?\s*"
)


def parse_local_datetime(text: str, zone: str, now: datetime | None = None) -> datetime:
    """A date and time in `zone`, in the future; raises ValidationError with a key saying what is wrong."""
    tz = ZoneInfo(zone)
    today = (now or datetime.now(tz)).astimezone(tz)
    typed = " ".join(text.casefold().replace(",", " ").split())
    if not typed:
        raise ValidationError("parse.datetime.empty", example=DATETIME_EXAMPLE)
    typed = _DAY_NAMES.sub("", typed)
    day, rest = _read_date(typed, today.date())
    rest = rest.replace("tanggal", "").strip()
    match = _TIME_RE.search(rest)
    if match is None or rest[: match.start()].strip():
        raise ValidationError("parse.datetime.no_time", example=DATETIME_EXAMPLE)
    hour, minute = int(match["h"]), int(match["m"] or 0)
    if match["ampm"] == "pm" and hour < 12:
        hour += 12
    if match["ampm"] == "am" and hour == 12:
        hour = 0
    moment = datetime.combine(day, time(hour, minute), tzinfo=tz)
    if moment <= today:
        raise ValidationError("parse.datetime.past", example=DATETIME_EXAMPLE)
    return moment


def _read_date(typed: str, today: date) -> tuple[date, str]:
    for word, days in RELATIVE.items():
        if typed.startswith(word):
            return today + timedelta(days=days), typed[len(word) :]
    typed = typed.removeprefix("tanggal ").removeprefix("tgl ").removeprefix("tgl. ")
    numeric = _NUMERIC_DATE_RE.match(typed)
    worded = _WORD_DATE_RE.match(typed)
    if numeric is not None:
        day, month, year = int(numeric["d"]), int(numeric["mo"]), numeric["y"]
        rest = typed[numeric.end() :]
    elif worded is not None and worded["mo"] in MONTHS:
        day, month, year = int(worded["d"]), MONTHS[worded["mo"]], worded["y"]
        rest = typed[worded.end() :]
    else:
        raise ValidationError("parse.datetime.no_date", example=DATETIME_EXAMPLE)
    full_year = int(year) + (2000 if year and len(year) == 2 else 0) if year else today.year
    try:
        found = date(full_year, month, day)
    except ValueError as err:
        raise ValidationError("parse.datetime.bad_date", example=DATETIME_EXAMPLE) from err
    if year is None and found < today:
        found = found.replace(year=today.year + 1)
    return found, rest


def parse_local_date(text: str, zone: str, now: datetime | None = None) -> date:
    """A day, today or later, in `zone` ("25-12", "besok", "20 Des 2026"); no time needed (a needed-by date)."""
    today = (now or datetime.now(ZoneInfo(zone))).astimezone(ZoneInfo(zone)).date()
    typed = _DAY_NAMES.sub("", " ".join(text.casefold().replace(",", " ").split()))
    if not typed:
        raise ValidationError("parse.date.empty", example=DATE_EXAMPLE)
    try:
        day, rest = _read_date(typed, today)
    except ValidationError as err:
        raise ValidationError("parse.date.invalid", example=DATE_EXAMPLE) from err
    if rest.strip() or day < today:
        raise ValidationError("parse.date.invalid" if rest.strip() else "parse.date.past", example=DATE_EXAMPLE)
    return day
