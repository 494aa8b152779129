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
from bot.services.search.ranking import SearchHit, followed_by, names_all, rank, variant_end
from bot.services.search.retrieval import CANDIDATES, Attempt, Candidate, find
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
    # the kind in the whole kecamatan: its few sellers in one kelurahan would hide the others next door
    in_kecamatan = replace(parsed, concepts=kept, filters=replace(filters, kelurahan=None))
    found, attempt = await find(session, in_kecamatan, kept, vocab, relax=False)
    length = len(words(best))
    kind = [k.alternatives for k in kept]
    named = [c for c in found if len(words(c.product_name)) <= length and names_all(c.product_name, kind)]
    return (named, replace(attempt, relaxed=True)) if named and attempt is not None else ([], None)


async def widen_kelurahan(
    session: AsyncSession,
    parsed: ParsedQuery,
    concepts: tuple[Concept, ...],
    attempt: Attempt | None,
    hits: list[SearchHit],
    vocab: Vocabulary | None,
    until: int,
) -> list[SearchHit]:
    """After fewer than `until` answers in the kelurahan asked for, those elsewhere in its kecamatan whose names
    say what was asked, ranked after them: many sellers never gave their kelurahan, and the next kelurahan is
    as near ("katering di Yosomulyo": the one seller whose address says Yosomulyo, then Metro Pusat's others).
    Not a product only its seller's description answers: in the kecamatan those are many."""
    if attempt is None or attempt.relaxed or not attempt.filters.kelurahan or not hits or len(hits) >= until:
        return hits
    wider = replace(parsed, filters=replace(attempt.filters, kelurahan=None), concepts=attempt.concepts)
    candidates, found = await find(session, wider, attempt.concepts, vocab, relax=False)
    if found is None:
        return hits
    seen = {h.product_ref for h in hits}
    required = [c.alternatives for c in attempt.concepts]
    named = [c for c in candidates if c.product_ref not in seen and names_all(c.product_name, required)]
    return followed_by(hits, rank(named, [c.alternatives for c in concepts], parsed.asked), CANDIDATES)
