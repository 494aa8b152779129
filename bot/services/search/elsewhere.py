"""A place is where, not what: the same kind in the question's place when its variant is sold only elsewhere.

"sambal bawang di Rejomulyo": sambal bawang is sold, but not in Metro Selatan; the sambal sold there is the
answer (marked relaxed, so the question is still logged unmet and the chat says it is not all of it). Only
for a place: a flag or a price is a requirement whose near misses stay near misses (`service._kind_under_wishes`).
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.search.index import Vocabulary
from bot.services.search.query import SERVICE_WORDS, Concept, ParsedQuery
from bot.services.search.ranking import names_all, rank, variant_end
from bot.services.search.retrieval import Attempt, Candidate, find
from bot.services.search.text import words


async def kind_in_place(
    session: AsyncSession, parsed: ParsedQuery, concepts: tuple[Concept, ...], vocab: Vocabulary | None
) -> tuple[list[Candidate], Attempt | None]:
    """The products in the question's place whose names say its kind, when the thing asked for is sold under
    the question's other wishes but nowhere in the place.

    The kind is what the best answer elsewhere names before the variant word it ends with ("Dekorasi
    Pelaminan": dekorasi). Nothing when the thing is sold nowhere, when that name goes on past the asked words
    ("Seragam Sekolah SD": sekolah is part of the kind), or when only a service's verb would be left. A name
    longer than that answer's is a kind of its own with its variant ("Kue Kering Nastar" for "kue klepon",
    "Tas Seminar Furing" for "tas rajut"), not a sibling variant, and is left out.
    """
    filters = parsed.filters
    if not (filters.kecamatan or filters.kelurahan):
        return [], None
    required = tuple(c for c in concepts if not c.optional)
    if len(required) < 2:
        return [], None
    elsewhere = replace(parsed, filters=replace(filters, kecamatan=None, kelurahan=None, other_kecamatan=()))
    found, _ = await find(session, elsewhere, concepts, vocab, relax=False)
    if not found:
        return [], None
    alternatives = [c.alternatives for c in required]
    best = rank(found, alternatives, parsed.asked)[0].product_name
    dropped = variant_end(best, alternatives)
    if dropped is None:
        return [], None
    kept = required[:dropped] + required[dropped + 1 :]
    if all(c.word in SERVICE_WORDS for c in kept):
        return [], None
    found, attempt = await find(session, replace(parsed, concepts=kept), kept, vocab, relax=False)
    length = len(words(best))
    kind = [k.alternatives for k in kept]
    named = [c for c in found if len(words(c.product_name)) <= length and names_all(c.product_name, kind)]
    return (named, replace(attempt, relaxed=True)) if named and attempt is not None else ([], None)
