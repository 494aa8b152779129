"""Logging for the commands: one format on stderr, the level from LOG_LEVEL, personal data kept out.

Personal data (names, phone numbers, addresses) reaches logs through the database layer: SQL parameters
(hidden by the engine's `hide_parameters`, see bot/db.py), result rows that SQLAlchemy logs at DEBUG, and the
aiosqlite driver, which repeats every statement with its values at DEBUG. Unless LOG_PERSONAL_DATA=true,
those loggers never go below the level where they stay clean, whatever LOG_LEVEL says.
"""

from __future__ import annotations

import logging
import sys

# Logger -> the most verbose level at which it writes no SQL values or rows.
PERSONAL_DATA_LOGGERS = {
    "aiosqlite": logging.INFO,
    "sqlalchemy.engine": logging.INFO,
}


def configure_logging(level: str, *, personal_data: bool = False) -> None:
    """Set up the root logger for a command; `personal_data=True` only for a debugging session."""
    logging.basicConfig(
        level=getattr(logging, level.upper(), logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    if not personal_data:
        keep_personal_data_out()


def keep_personal_data_out() -> None:
    """Raise the loggers that would write SQL values or rows to the level where they do not."""
    for name, floor in PERSONAL_DATA_LOGGERS.items():
        logger = logging.getLogger(name)
        if logger.getEffectiveLevel() < floor:
            logger.setLevel(floor)
