"""An event's RSVP list as an XLSX file (the Dinas prints it for the attendance sheet)."""

from __future__ import annotations

from collections.abc import Sequence
from io import BytesIO
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.services.events import Guest

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell


def guests_xlsx(
    guests: Sequence[Guest], headers: Sequence[str], answers: dict[str, str], title: str, zone: str
) -> bytes:
    """One sheet: a header row (translated by the caller), then one row per guest; times in `zone`."""
    from openpyxl import Workbook  # loaded on first use (see table_export)

    book = Workbook()
    sheet = book.active
    sheet.title = title[:31] or "RSVP"
    sheet.append(list(headers))
    for guest in guests:
        row = [
            guest.name,
            guest.business or guest.agency or "",
            guest.role or "",
            guest.phone or "",
            answers.get(guest.status, guest.status),
            guest.answered_at.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M"),
        ]
        sheet.append(row)
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            _as_text(cell)
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _as_text(cell: Cell) -> None:
    if isinstance(cell.value, str) and cell.value.startswith("="):
        cell.data_type = "s"
