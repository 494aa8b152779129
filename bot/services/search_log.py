"""A buyer's logged searches, read back: the "Lainnya" button names a search log id, and only its owner pages it.

The button payload is a request, not a permission: the log row must exist and belong to the user who
presses. Writing the log is the search service's job (`bot.services.search.search`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.search import SearchResult, search
from models import SearchLog


@dataclass(frozen=True)
class Page:
    """One page of an earlier search: the question as the user asked it and the results at the offset."""

    query: str
    result: SearchResult


async def own_search(session: AsyncSession, search_log_id: int | None, user_id: int) -> SearchLog | None:
    """The logged search with this id if `user_id` made it; None when missing or someone else's."""
    entry = await session.get(SearchLog, search_log_id) if search_log_id else None
    if entry is None or entry.user_id is None or entry.user_id != user_id:
        return None
    return entry


async def page(
    session: AsyncSession, search_log_id: int | None, user_id: int, *, offset: int, limit: int
) -> Page | None:
    """Run the user's logged search again at `offset` (not logged a second time); None if not theirs."""
    entry = await own_search(session, search_log_id, user_id)
    if entry is None:
        return None
    result = await search(session, entry.query, limit=limit, offset=max(offset, 0), user_id=user_id, log=False)
    return Page(entry.query, replace(result, search_log_id=entry.id))
