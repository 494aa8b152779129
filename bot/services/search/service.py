"""`search()`: a buyer's question in, ranked products out, every question logged (unmet demand too).

The pipeline: `query.parse_query` (filters and concepts; English and brand words through
`data/everyday.txt`) -> `query.correct_concepts` (typos, against the catalog's vocabulary,
`index.get_vocabulary`) -> `retrieval.find` (strict, then relaxed full-text queries) -> `ranking.rank`
(a business the question names, relevance, then P3DN priority). A message listing several things
("kertas HVS, tinta printer dan stempel") that no product answers whole (or only through a seller's name)
is searched item by item before the relaxed query, and the items' answers are taken in turn. Two steps
beyond the retrieval's confidence rule, both only for a thing the catalog has: a first page with few full
answers is followed by the same kind without its most specific word (`_pad`: "kopi bubuk" halal, then the other
halal kopi), and a thing that exists but not under the question's place, flags or price gives its kind there
as near misses (`related`, `_kind_under_wishes`), never as answers: another kind may hide behind the word
left out ("seragam sekolah" in e-Katalog is no office uniform). A place is softer (`elsewhere.py`): a variant
sold only in another kecamatan gives the same kind in the place as relaxed answers ("sambal bawang di
Rejomulyo": Metro Selatan's sambal), and a kelurahan with few answers is followed by the rest of its
kecamatan. When nothing matches confidently the results are empty and the log row says unmet; answers found
with one word of a long question left out are marked `relaxed`, logged as unmet too, and the chat says they
are not all of it. The service knows nothing about chats and returns no text.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, replace
from itertools import zip_longest

from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import PermissionDenied
from bot.services.region import region_of
from bot.services.search.elsewhere import kind_in_place, widen_kelurahan
from bot.services.search.index import Vocabulary, get_vocabulary
from bot.services.search.query import (
    SERVICE_WORDS,
    Concept,
    ParsedQuery,
    SearchFilters,
    correct_concepts,
    parse_query,
)
from bot.services.search.ranking import (
    WORKER_WORDS,
    SearchHit,
    asks_for_care,
    asks_for_likeness,
    care_of_object,
    followed_by,
    likeness_of_object,
    modifier_order,
    names_all,
    names_as_head,
    names_as_modifier,
    names_no_thing,
    rank,
)
from bot.services.search.retrieval import CANDIDATES, RELATED, Attempt, Candidate, find, find_related
from bot.services.search.text import load_lexicon
from models import SearchLog

logger = logging.getLogger(__name__)

_LOGGED_QUERY_CHARS = 1000


@dataclass(frozen=True)
class SearchResult:
    """The page of hits asked for and how the question was understood.

    `total` counts the confident matches (up to `retrieval.CANDIDATES`); `normalized` is what was searched
    for after stop words, synonyms and typo correction; `corrections` lists (typed, used) word pairs;
    `relaxed` is True when one later word of a long question had to be left out to find anything.
    `related` holds up to three near misses when nothing was confident (products that answer only part of
    the question): never results, so the question stays unmet.
    """

    results: tuple[SearchHit, ...]
    total: int
    normalized: str
    filters: SearchFilters
    took_ms: float
    search_log_id: int | None = None
    corrections: tuple[tuple[str, str], ...] = ()
    relaxed: bool = False
    related: tuple[SearchHit, ...] = ()


def _loggable(query: str) -> str:
    # PostgreSQL text cannot hold NUL, and neither database takes lone surrogates (they are not UTF-8).
    return query[:_LOGGED_QUERY_CHARS].encode("utf-8", "replace").decode("utf-8").replace("\x00", "")


def asks_for_something(session: AsyncSession, query: str) -> bool:
    """Whether a message names anything to search for: a product word or a filter (place, TKDN, price).

    "halo kak mau tanya", "yang itu" or a stray "5" do not; the chat says it did not understand instead of
    "no seller for *yang itu*", and nothing is logged as a search.
    """
    parsed = parse_query(query, region_of(session))
    return bool(parsed.concepts) or parsed.filters.any()


async def search(
    session: AsyncSession,
    query: str,
    *,
    limit: int = 5,
    offset: int = 0,
    user_id: int | None = None,
    log: bool = True,
    related_wanted: bool = True,
) -> SearchResult:
    """Find products for a buyer's question and log it (`SearchLog`, unmet when nothing or not all of it matched).

    Places are those of the region the session carries (`REGION_FILE`, see `bot.services.region.bind_region`).

    Transactions: inside a caller's transaction (the dispatcher's one per update) the log row is only
    flushed and commits with it; called outside any transaction, search commits what it began itself,
    so no read transaction (on SQLite: the write lock) is left open.
    """
    started = time.perf_counter()
    owns_transaction = not session.in_transaction()
    parsed = parse_query(query, region_of(session))
    vocab = await get_vocabulary(session) if parsed.concepts else None
    corrected, corrections = correct_concepts(parsed.concepts, vocab) if vocab else (parsed.concepts, ())
    candidates, attempt = await find(session, parsed, corrected, vocab, relax=not parsed.items)
    hits = rank(candidates, [c.alternatives for c in corrected] if attempt and attempt.concepts else (), parsed.asked)
    used = attempt.concepts if attempt else corrected
    whole = [c.alternatives for c in used if not c.optional]
    if parsed.items and (not hits or not names_all(hits[0].product_name, whole)):
        # A list ("kertas HVS, tinta printer dan stempel"): each thing found on its own, the answers in turn;
        # also when the whole list matched only through a seller's name ("sound system dan tenda": the sound
        # systems of "Sewa Karya Tenda").
        listed, listed_used = await _search_items(session, parsed, vocab)
        if listed:
            hits, used, attempt = listed, listed_used, None
        if not hits:
            candidates, attempt = await find(session, parsed, corrected, vocab)
            hits = rank(candidates, [c.alternatives for c in corrected] if attempt else (), parsed.asked)
            used = attempt.concepts if attempt else corrected
    if not hits and parsed.flags_preferred:
        # "diutamakan yang TKDN" and none is: the others, P3DN-ranked as always
        loose = replace(parsed, filters=replace(parsed.filters, tkdn=False, ekatalog=False, halal=False), items=())
        candidates, attempt = await find(session, loose, corrected, vocab)
        hits = rank(
            candidates, [c.alternatives for c in corrected] if attempt and attempt.concepts else (), parsed.asked
        )
        used = attempt.concepts if attempt else corrected
    if not hits and corrected:
        # "sambal bawang di Rejomulyo", sold only in another kecamatan: the sambal of Rejomulyo's kecamatan
        placed, placed_attempt = await kind_in_place(session, parsed, corrected, vocab)
        if placed and placed_attempt is not None:
            attempt, used = placed_attempt, placed_attempt.concepts
            hits = rank(placed, [c.alternatives for c in corrected], parsed.asked)
    hits = await widen_kelurahan(session, parsed, corrected, attempt, hits, vocab, PAD_UNTIL)
    if hits and attempt is not None and not attempt.relaxed and len(hits) < PAD_UNTIL:
        hits = await _pad(session, parsed, attempt, hits, vocab)
    if hits and attempt is not None and attempt.relaxed:
        # A word left out: the product must still name one of the things asked, not only the service.
        things = [c.alternatives for c in attempt.concepts if c.word not in SERVICE_WORDS]
        hits = [h for h in hits if not names_no_thing(h.product_name, things)]
        # ... and be one of them, not only name one as its modifier ("kayu jati gelondongan": no "Meja Kayu Jati").
        hits = [h for h in hits if names_as_head(h.product_name, things)]
    if hits and WORKER_WORDS.intersection(c.word for c in parsed.concepts):
        # "tukang kunci": a locksmith, whose work no keychain ("Gantungan Kunci Siger") is
        things = [c.alternatives for c in used if not c.optional and c.word not in SERVICE_WORDS]
        hits = [h for h in hits if not names_as_modifier(h.product_name, things)]
    said = [*parsed.asked, *(w for c in corrected for w in c.label.split())]
    said += [t for c in corrected for alt in c.alternatives for t in alt]  # "ac repair": servis, a need's cuci
    wanted = [c.alternatives for c in used if not c.optional]
    if hits and not asks_for_care(said):
        # "laptop", "karpet masjid": the thing itself; "Servis Laptop" is at most a near miss
        hits = [h for h in hits if not care_of_object(h.product_name, wanted, h.business_name)]
    if hits and not asks_for_likeness(said):
        # "kulkas", "printer": the thing itself; "Magnet Kulkas", "Tinta Printer" are not
        hits = [h for h in hits if not likeness_of_object(h.product_name, wanted)]
    related: tuple[SearchHit, ...] = ()
    if not hits and corrected and related_wanted:
        # Nothing answers all of it: near misses, kept apart from the answers. First the same kind under the
        # question's place, flags or price ("plakat akrilik" in e-Katalog: other plakat in e-Katalog), else
        # products that share some of its words.
        near: list[Candidate] = []
        if replace(parsed.filters, category=None).any():
            near, _ = await _kind_under_wishes(session, parsed, corrected, vocab)
        if not near:
            near = await find_related(session, corrected, parsed.filters, vocab)
        related = tuple(rank(near, [c.alternatives for c in corrected])[:RELATED])
    result = SearchResult(
        results=tuple(hits[max(offset, 0) : max(offset, 0) + max(limit, 0)]),
        total=len(hits),
        normalized=" ".join(c.label for c in used),
        filters=attempt.filters if attempt else parsed.filters,
        took_ms=(time.perf_counter() - started) * 1000,
        corrections=corrections,
        relaxed=bool(hits and attempt and attempt.relaxed),
        related=related,
    )
    if log:
        asked = bool(parsed.concepts) or parsed.filters.any()
        entry = SearchLog(
            user_id=user_id,
            query=_loggable(query),
            normalized=result.normalized,
            hit_count=result.total,
            unmet=asked and (not hits or result.relaxed),  # not all of it found: still demand to see
        )
        session.add(entry)
        await session.flush()
        result = replace(result, search_log_id=entry.id)
    if owns_transaction:
        await session.commit()
    logger.debug("search %r -> %s hits in %.1f ms", result.normalized, result.total, result.took_ms)
    return result


PAD_TRIES = 2
PAD_UNTIL = 5  # a first page with fewer full answers than this is followed by the same kind's other variants


async def _pad(
    session: AsyncSession, parsed: ParsedQuery, attempt: Attempt, hits: list[SearchHit], vocab: Vocabulary | None
) -> list[SearchHit]:
    """After the few products that answer every word ("kopi bubuk" with halal: two), those of the same kind
    without its most specific word (other halal kopi), ranked after them.

    The word left out is first the one the best hit's name says last ("Kopi Bubuk Premium": bubuk), then the
    one before, until one adds products (at most `PAD_TRIES` queries); a service's verb alone ("cuci" of
    "cuci AC") is no kind and is never all that is kept. One concept of several words that is no fixed phrase
    ("dish soap": sabun cuci piring) counts word by word. Only after a strict answer, so a question nobody
    answers stays unanswered."""
    concepts = attempt.concepts
    if len(concepts) == 1 and len(alt := concepts[0].alternatives[0]) > 1 and alt not in load_lexicon().phrases:
        concepts = tuple(Concept(t, ((t,),), word=t) for t in alt)
    if len(concepts) < 2:
        return hits
    seen = {h.product_ref for h in hits}
    for drop in modifier_order(hits[0].product_name, [c.alternatives for c in concepts])[:PAD_TRIES]:
        kept = concepts[:drop] + concepts[drop + 1 :]
        if all(c.word in SERVICE_WORDS for c in kept):
            continue
        candidates, _ = await find(session, replace(parsed, concepts=kept), kept, vocab, relax=False)
        ranked = rank(candidates, [c.alternatives for c in attempt.concepts], parsed.asked)
        more = [h for h in ranked if h.product_ref not in seen]
        if more:
            return followed_by(hits, more, CANDIDATES)
    return hits


async def _kind_under_wishes(
    session: AsyncSession, parsed: ParsedQuery, concepts: tuple[Concept, ...], vocab: Vocabulary | None
) -> tuple[list[Candidate], Attempt | None]:
    """When the thing asked for exists but none under the question's place, flags or price ("seragam PDH" with
    TKDN, "plakat akrilik" in e-Katalog), the products under them whose *names* say all of it but its most
    specific word (the one the best unfiltered answer's name says last: PDH, akrilik); a service's verb alone is
    no kind. A thing nobody sells at all ("kursi roda" with TKDN) stays unanswered."""
    required = tuple(c for c in concepts if not c.optional)
    if len(required) < 2:
        return [], None
    anywhere = replace(parsed, filters=SearchFilters(category=parsed.filters.category))
    found, _ = await find(session, anywhere, concepts, vocab, relax=False)
    if not found:
        return [], None
    alternatives = [c.alternatives for c in required]
    drop = modifier_order(rank(found, alternatives, parsed.asked)[0].product_name, alternatives)[0]
    kept = required[:drop] + required[drop + 1 :]
    if all(c.word in SERVICE_WORDS for c in kept):
        return [], None
    found, attempt = await find(session, replace(parsed, concepts=kept), kept, vocab, relax=False)
    named = [c for c in found if names_all(c.product_name, [k.alternatives for k in kept])]
    return (named, replace(attempt, relaxed=True)) if named and attempt is not None else ([], None)


async def _search_items(
    session: AsyncSession, parsed: ParsedQuery, vocab: Vocabulary | None
) -> tuple[list[SearchHit], tuple[Concept, ...]]:
    """The hits of every item of a list, taken in turn (the best of each first), and the concepts found."""
    found: list[list[SearchHit]] = []
    used: list[Concept] = []
    for item in parsed.items:
        concepts = correct_concepts(item.concepts, vocab)[0] if vocab else item.concepts
        candidates, attempt = await find(session, item, concepts, vocab)
        if attempt is not None and candidates:
            found.append(rank(candidates, [c.alternatives for c in concepts], parsed.asked))
            used.extend(attempt.concepts)
    merged: dict[str, SearchHit] = {}
    for row in zip_longest(*found):
        for hit in row:
            if hit is not None and hit.product_ref not in merged:
                merged[hit.product_ref] = hit
    hits = list(merged.values())[:CANDIDATES]
    # Scores decrease along the order, as for a single question.
    return [h._replace(score=round(1.0 - i / (len(hits) + 1), 4)) for i, h in enumerate(hits)], tuple(used)


async def record_need(session: AsyncSession, search_log_id: int, user_id: int | None) -> bool:
    """Mark a logged search as a need the buyer wants recorded (unmet demand). False if there is no such log.

    Only the buyer who searched may (a button payload is a request, not a permission). Commits only a
    transaction it began itself, like `search`.
    """
    owns_transaction = not session.in_transaction()
    entry = await session.get(SearchLog, search_log_id)
    if entry is None:
        return False
    if entry.user_id is None or entry.user_id != user_id:
        raise PermissionDenied()
    entry.need_recorded = True
    if owns_transaction:
        await session.commit()
    else:
        await session.flush()
    return True


_WARM_UP_QUESTION = "siapa yang jual keripik pisang di Metro Pusat?"


async def warm_up(session: AsyncSession) -> float:
    """Ask one question, unlogged, so the first buyer does not wait for what a process loads once (the word
    lists, Sastrawi's dictionary, the region's place tables, this database's vocabulary, the ORM's mapper
    configuration and compiled statements); returns the milliseconds it took. Called at start-up."""
    started = time.perf_counter()
    await search(session, _WARM_UP_QUESTION, log=False)
    return (time.perf_counter() - started) * 1000
