"""The audit log (UU PDP accountability): who did what to which record, by reference only.

Every audit row is written here. A row names an actor (a user id), an action code (`opd.verify`) and, at
most, a subject reference (`user:12`, `vendor:V-0003`, a button payload) and a detail code (a locale key such
as `error.not_allowed`). Personal text (names, phone numbers, addresses, anything typed) never goes in: a
subject or detail that is not a plain reference is stored as `redacted`, so a "hapus data saya" leaves no
copy of the deleted text in the audit log.
"""

from __future__ import annotations

import re

from sqlalchemy.ext.asyncio import AsyncSession

from models import AuditLog

REDACTED = "redacted"
_ACTION = re.compile(r"[a-z][a-z0-9_]*(\.[a-z0-9_]+)+")
# Letters, digits and . _ : - only (refs, ids, locale keys, payloads); no spaces, so no names or addresses;
# and no run of 8+ digits, so no phone number (ids stay far below that).
_REFERENCE = re.compile(r"[A-Za-z0-9._:-]{1,128}")
_LONG_NUMBER = re.compile(r"\d{8,}")


def reference(value: str | None) -> str | None:
    """The value if it is a plain reference, `redacted` if it could hold personal text, None if empty."""
    if not value:
        return None
    if _REFERENCE.fullmatch(value) and not _LONG_NUMBER.search(value):
        return value
    return REDACTED


def record(
    session: AsyncSession,
    actor_user_id: int | None,
    action: str,
    subject: str | None = None,
    detail: str | None = None,
) -> AuditLog:
    """Add an audit row to the session's transaction (it commits or rolls back with the change it reports).

    `action` is a dotted code chosen by the caller (`admin.revoke`); a malformed code is a programming error.
    """
    if not _ACTION.fullmatch(action) or len(action) > 64:
        raise ValueError(f"audit action must be a dotted code, got {action!r}")
    row = AuditLog(actor_user_id=actor_user_id, action=action, subject=reference(subject), detail=reference(detail))
    session.add(row)
    return row
