"""The search index: what a product's index text holds, keeping it in step with the catalog, and the
catalog's vocabulary read back from it.

*Index text.* `products.search_text` is the product's name (twice: a cheap way to weigh the name over the
rest in bm25 and ts_rank alike), the words of its category label that name the category, its description,
its vendor's name, description, kecamatan, kelurahan and address, all through `text.index_text`, plus
*marker tokens* for its place, category and P3DN flags (`tkdn`/`tkdn25`/`tkdn40`, `ekatalog`, `halal`).
`vendors.search_text` holds the vendor's share. The FTS5 triggers / the generated tsvector follow
`search_text` by themselves.

Markers let the full-text index narrow a search by its filters before any row is joined (a filtered
question costs what its rarest word costs), and let "browse" questions without product words ("ATK yang
TKDN di Metro Utara") run on the index too. Each marker is a letters-only token that no typed word folds
to (`kecmetroutara`, `catatk`, `kelyosodadi`); the flag words are plain. The SQL filters still apply, so a
marker can only narrow, never wrongly include.

*Maintenance.* Every service that writes a product or a vendor calls `reindex_product` / `reindex_vendor`
before its commit; none of these functions commits. `purge_deleted_text` follows a data deletion.

*Region.* Place markers and the vendor's kelurahan come from the region the session carries
(`bot.services.region.region_of`), the one `REGION_FILE` names.

*Vocabulary.* Index terms with document frequencies, for typo correction: kept by the database itself,
whoever writes the products, and read as `search_vocabulary` (migration 0009; SQLite: a view over
`products_fts_vocab`, fts5vocab over the FTS5 index its triggers keep; PostgreSQL: a table its triggers keep,
instead of `ts_stat`, which reads every tsvector: 0.7 s at 100,000 products), and cached per database and
region in this process.
Writes through this module add their terms at once; a full re-read happens after `invalidate_vocabulary`
(bulk import, rebuild, deletion) or when the copy is older than `TTL_SECONDS`, which bounds how long
another process's deletions stay visible here. A stale entry costs nothing but a correction towards a word that no
longer matches; the service always tries the words as typed first.
"""

from __future__ import annotations

import bisect
import hashlib
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from importlib.metadata import version
from typing import Protocol

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA
from sqlalchemy import Update, bindparam, func, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.categories import CATEGORIES, CATEGORY_PHRASES
from bot.services.region import Region, name_key, region_of
from bot.services.search.text import DATA_DIR, index_text, is_dictionary_word, raw_words
from models import AppState, Product, Vendor, utcnow

logger = logging.getLogger(__name__)

# ------------------------------------------------------------------------------------- marker tokens

TKDN = "tkdn"
TKDN25 = "tkdn25"
TKDN40 = "tkdn40"
EKATALOG = "ekatalog"
HALAL = "halal"


def kecamatan_token(kecamatan: str) -> str:
    """`Metro Utara` -> `kecmetroutara`."""
    return "kec" + name_key(kecamatan)


def kelurahan_token(kelurahan: str) -> str:
    """`Yosodadi` -> `kelyosodadi`."""
    return "kel" + name_key(kelurahan)


def category_token(slug: str) -> str:
    """`makanan-minuman` -> `catmakananminuman`."""
    return "cat" + name_key(slug)


def tkdn_tokens(percent: Decimal | None, vendor_certified: bool) -> list[str]:
    """`tkdn` for any TKDN (the product's % or the vendor's certificate), plus `tkdn25` / `tkdn40` tiers."""
    has_percent = percent is not None and percent > 0
    out = [TKDN] if has_percent or vendor_certified else []
    if has_percent and percent is not None:
        out += [TKDN25] if percent >= 25 else []
        out += [TKDN40] if percent >= 40 else []
    return out


def marker_tokens(region: Region) -> frozenset[str]:
    """Every place and category marker of the region (never a typo-correction target)."""
    places = [kecamatan_token(k) for k in region.kecamatan_names] + [kelurahan_token(k) for k in region.kelurahan_names]
    return frozenset([*places, *(category_token(slug) for slug in CATEGORIES), TKDN25, TKDN40])


# -------------------------------------------------------------------- index text and its maintenance


def vendor_kelurahan(kelurahan: str | None, address: str | None, region: Region) -> str | None:
    """A vendor's kelurahan: the stored one if it is known to the region, else the first one its address names."""
    if kelurahan:
        match = region.match_kelurahan(kelurahan, fuzzy=False)
        if match is not None:
            return match[0]
    if address:
        for kind, name in region.find_places(address):
            if kind == "kelurahan":
                return name
    return None


_BATCH = 5000


class ProductFields(Protocol):
    """What the index needs of a product (an ORM object or a row)."""

    @property
    def name(self) -> str: ...
    @property
    def category(self) -> str: ...
    @property
    def description(self) -> str | None: ...
    @property
    def tkdn_percent(self) -> Decimal | None: ...


class VendorFields(Protocol):
    """What the index needs of a vendor (an ORM object or a row)."""

    @property
    def business_name(self) -> str: ...
    @property
    def description(self) -> str | None: ...
    @property
    def kecamatan(self) -> str | None: ...
    @property
    def kelurahan(self) -> str | None: ...
    @property
    def address(self) -> str | None: ...
    @property
    def ekatalog(self) -> bool: ...
    @property
    def tkdn_certified(self) -> bool: ...
    @property
    def halal(self) -> bool: ...


def vendor_search_text(vendor: VendorFields, region: Region) -> str:
    """The vendor's share of every product's index text (also stored in `vendors.search_text`).

    Holds the vendor's words and its place and e-Katalog/halal markers; the TKDN markers depend on the
    product too and are added per product.
    """
    parts = [index_text(p) for p in (vendor.business_name, vendor.description, vendor.kecamatan, vendor.address)]
    kecamatan = region.match_kecamatan(vendor.kecamatan, fuzzy=False) if vendor.kecamatan else None
    if kecamatan:
        parts.append(kecamatan_token(kecamatan))
    kelurahan = vendor_kelurahan(vendor.kelurahan, vendor.address, region)
    if kelurahan:
        parts += [index_text(kelurahan), kelurahan_token(kelurahan)]
    flags = [flag for flag, on in ((EKATALOG, vendor.ekatalog), (HALAL, vendor.halal)) if on]
    return " ".join(p for p in (*parts, *flags) if p)


@lru_cache(maxsize=64)
def _category_text(slug: str) -> str:
    """A category's label words that name the category (those of `CATEGORY_PHRASES`) and its marker. The label's
    other words name one kind in it ("Batik" of "Pakaian, Batik & Konveksi", "Suvenir" of "Kerajinan &
    Suvenir"): indexed in every product of the category, they made every mukena answer "batik"."""
    if slug not in CATEGORIES:
        return ""
    naming = {w for phrase in CATEGORY_PHRASES.get(slug, ()) for w in raw_words(phrase)}
    label = " ".join(w for w in raw_words(CATEGORIES[slug]) if w in naming)
    return " ".join(p for p in (index_text(label), category_token(slug)) if p)


def product_search_text(product: ProductFields, vendor: VendorFields, vendor_text: str) -> str:
    """The normalised index text of a product (see the module notes for what goes in).

    `vendor_text` is the vendor's share, `vendor_search_text(vendor, region)`, computed once per vendor.
    """
    name = index_text(product.name)
    parts = [
        name,
        name,
        _category_text(product.category),
        index_text(product.description or ""),
        *tkdn_tokens(product.tkdn_percent, vendor.tkdn_certified),
        vendor_text,
    ]
    return " ".join(p for p in parts if p)


async def reindex_product(session: AsyncSession, product: Product) -> None:
    """Recompute one product's `search_text` (call after writing the product; flushes, never commits)."""
    if product.vendor_id is None:
        await session.flush()
    vendor = await session.get_one(Vendor, product.vendor_id)
    new_text = product_search_text(product, vendor, vendor_search_text(vendor, region_of(session)))
    if product.search_text != new_text:
        product.search_text = new_text
    await session.flush()
    note_indexed(session, new_text)


async def reindex_products(session: AsyncSession, products: Iterable[Product]) -> int:
    """Recompute several products' `search_text`; returns how many changed (flushes, never commits)."""
    changed = 0
    region = region_of(session)
    vendors: dict[int, Vendor] = {}
    for product in products:
        vendor = vendors.get(product.vendor_id)
        if vendor is None:
            vendor = vendors[product.vendor_id] = await session.get_one(Vendor, product.vendor_id)
            vendor.search_text = vendor_search_text(vendor, region)
        new_text = product_search_text(product, vendor, vendor.search_text)
        if product.search_text != new_text:
            product.search_text = new_text
            note_indexed(session, new_text)
            changed += 1
    await session.flush()
    return changed


async def reindex_vendor(session: AsyncSession, vendor_id: int) -> int:
    """Recompute a vendor's and all its products' index texts after a vendor edit; returns products changed."""
    vendor = await session.get(Vendor, vendor_id)
    if vendor is None:
        return 0
    vendor.search_text = vendor_search_text(vendor, region_of(session))
    products = (await session.scalars(select(Product).where(Product.vendor_id == vendor_id))).all()
    changed = await reindex_products(session, products)
    await session.flush()
    return changed


_VENDOR_COLUMNS = (
    Vendor.id,
    Vendor.business_name,
    Vendor.description,
    Vendor.kecamatan,
    Vendor.kelurahan,
    Vendor.address,
    Vendor.ekatalog,
    Vendor.tkdn_certified,
    Vendor.halal,
    Vendor.search_text,
)


def _keep_updated_at(model: type[Product] | type[Vendor]) -> Update:
    # Core UPDATE by id that sets search_text and leaves updated_at alone (re-indexing is not an edit).
    table = model.__table__
    return (
        update(table)
        .where(table.c.id == bindparam("pid"))
        .values(search_text=bindparam("text"), updated_at=table.c.updated_at)
    )


async def rebuild_index(session: AsyncSession, *, fts: bool = True) -> int:
    """Recompute every index text in bulk (keeps `updated_at`), then rebuild the FTS5 table; never commits.

    Returns the number of products whose text changed, and records the fingerprint the texts now match
    (`reindex_if_stale`). Use after bulk inserts, a change of the word lists, or a migration that dropped the
    FTS5 triggers. `fts=False` leaves the FTS5 table to its triggers, which follow every text rewritten here
    (a rebuild and `optimize` read the whole index: ~16 s at 100,000 products).
    """
    await defer_vocabulary(session)
    vendors = {v.id: v for v in (await session.execute(select(*_VENDOR_COLUMNS))).all()}
    region = region_of(session)
    vendor_texts = {vid: vendor_search_text(v, region) for vid, v in vendors.items()}
    vendor_params = [{"pid": vid, "text": t} for vid, t in vendor_texts.items() if t != vendors[vid].search_text]
    if vendor_params:
        await session.execute(_keep_updated_at(Vendor), vendor_params)
    stmt = _keep_updated_at(Product)
    changed, last_id = 0, 0
    columns = (Product.id, Product.vendor_id, Product.name, Product.category, Product.description)
    while True:
        query = select(*columns, Product.tkdn_percent, Product.search_text).where(Product.id > last_id)
        rows = (await session.execute(query.order_by(Product.id).limit(_BATCH))).all()
        if not rows:
            break
        last_id = rows[-1].id
        params = []
        for row in rows:
            new_text = product_search_text(row, vendors[row.vendor_id], vendor_texts[row.vendor_id])
            if new_text != row.search_text:
                params.append({"pid": row.id, "text": new_text})
        if params:
            await session.execute(stmt, params)
            changed += len(params)
    if fts and session.get_bind().dialect.name == "sqlite":
        await session.execute(text("INSERT INTO products_fts(products_fts) VALUES ('rebuild')"))
        await session.execute(text("INSERT INTO products_fts(products_fts) VALUES ('optimize')"))
    await resync_vocabulary(session)
    await _record_fingerprint(session, index_fingerprint(region))
    logger.info("search index rebuilt: %s of the product texts changed", changed)
    return changed


INDEX_FORMAT = 2  # raise when the code that builds the index texts changes what it writes
FINGERPRINT_KEY = "search.index"
_REINDEX_LOCK_KEY = 7_310_413  # PostgreSQL advisory lock: one process rebuilds, the others then find it current


def index_fingerprint(region: Region) -> str:
    """What the stored index texts depend on besides the catalog: the word lists, the region, the stemmer and
    `INDEX_FORMAT`. Texts built under another fingerprint no longer match what questions are turned into."""
    digest = hashlib.sha256(f"format {INDEX_FORMAT}; sastrawi {version('pysastrawi')}\n".encode())
    for path in sorted(DATA_DIR.glob("*.txt")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    digest.update(repr(region).encode())
    return digest.hexdigest()[:32]


async def reindex_if_stale(session: AsyncSession) -> int | None:
    """Rebuild the index texts when the fingerprint they were built with is not the current one; never commits.

    Called at start-up, so a release that changes a word list (a new synonym, an English name) or a new region
    file reaches the products already stored, not only those written afterwards. Returns how many product texts
    changed, or None when the index was current. Processes starting together rebuild once: PostgreSQL under
    an advisory lock; SQLite's writers are serialised by the database and the fingerprint is an upsert.
    """
    current = index_fingerprint(region_of(session))
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        await session.execute(select(func.pg_advisory_xact_lock(_REINDEX_LOCK_KEY)))
    stored = await session.scalar(select(AppState.value).where(AppState.key == FINGERPRINT_KEY))
    if stored == current:
        return None
    return await rebuild_index(session, fts=False)


async def _record_fingerprint(session: AsyncSession, fingerprint: str) -> None:
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    now = utcnow()
    stmt = insert(AppState).values(key=FINGERPRINT_KEY, value=fingerprint, updated_at=now)
    await session.execute(
        stmt.on_conflict_do_update(index_elements=[AppState.key], set_={"value": fingerprint, "updated_at": now})
    )


async def purge_deleted_text(session: AsyncSession) -> None:
    """Make text just deleted from the catalog unrecoverable from the search index (flushes, never commits).

    Call after deleting products or vendors for a data-deletion request. SQLite: FTS5 (before 3.42's
    `secure-delete`) only records a deletion as a tombstone next to the old entry, so the deleted words stay
    in the `products_fts_data` segments until a merge; `optimize` merges every segment into one, which drops
    the deleted entries and their tombstones (costs one pass over the index: ~0.4 s at 100,000 products).
    PostgreSQL: the tsvector is a column of the deleted row, which no query sees any more, and the triggers of
    `search_vocabulary` deleted each term no other product has; (auto)vacuum reclaims the dead row versions.
    Both: this process's cached vocabulary, which typo correction reads, forgets the deleted terms.
    """
    await session.flush()
    if session.get_bind().dialect.name == "sqlite":
        await session.execute(text("INSERT INTO products_fts(products_fts) VALUES ('optimize')"))
    invalidate_vocabulary(session)


# ---------------------------------------------------------------------------------------- vocabulary

TTL_SECONDS = 600.0
_PREFIX_MIN_CHARS = 4
_PREFIX_SCAN = 200

# SQLite: a view over `products_fts_vocab`; PostgreSQL: a table (migration 0009 for both).
_VOCAB = "SELECT term, ndoc FROM search_vocabulary"
# PostgreSQL: the same as one row of two arrays, which the driver decodes in C: 20,000 terms in ~4 ms of client CPU
# instead of ~15-50 ms for as many rows (the re-read every TTL_SECONDS is paid by the question that meets it).
_PG_VOCAB = "SELECT array_agg(term), array_agg(ndoc) FROM search_vocabulary"
_PG_DEFER = "SELECT set_config('banggabeli.vocabulary', :value, true)"  # SET LOCAL: ends with the transaction
# Recount from the tsvectors. The lock makes other writers' triggers wait for this transaction's commit (readers
# never wait), so the recount sees every committed write and none lands between its two statements.
_PG_VOCAB_RESYNC = (
    "LOCK TABLE search_vocabulary IN SHARE ROW EXCLUSIVE MODE",
    "DELETE FROM search_vocabulary",
    "INSERT INTO search_vocabulary (term, ndoc) SELECT word, ndoc FROM ts_stat('SELECT search_tsv FROM products')",
)


async def defer_vocabulary(session: AsyncSession) -> None:
    """For a bulk writer: this transaction's product writes leave PostgreSQL's `search_vocabulary` alone
    until `resync_vocabulary`, which the writer must call before it commits (SQLite: nothing to do)."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text(_PG_DEFER), {"value": "deferred"})


async def resync_vocabulary(session: AsyncSession) -> None:
    """Recount PostgreSQL's `search_vocabulary` from the index (after `defer_vocabulary`; ~1 s at 100,000
    products) and end the deferral; forget this process's cached copy. SQLite: only the latter."""
    if session.get_bind().dialect.name == "postgresql":
        for statement in _PG_VOCAB_RESYNC:
            await session.execute(text(statement))
        await session.execute(text(_PG_DEFER), {"value": ""})
    invalidate_vocabulary(session)


def max_edits(word: str) -> int:
    """Edits forgiven in a word: none up to 3 letters, 1 up to 7, 2 beyond (short words have many neighbours)."""
    n = len(word)
    return 0 if n <= 3 else 1 if n <= 7 else 2


@dataclass
class Vocabulary:
    """Index terms and in how many products each appears; `markers` are never correction targets."""

    df: dict[str, int]
    markers: frozenset[str] = frozenset()
    built_at: float = field(default_factory=time.monotonic)
    _terms: list[str] | None = field(default=None, repr=False)
    _documents: int | None = field(default=None, repr=False)
    _skeletons: dict[str, dict[str, list[str]]] | None = field(default=None, repr=False)
    _by_length: dict[int, list[str]] | None = field(default=None, repr=False)
    _corrected: dict[str, str | None] = field(default_factory=dict, repr=False)

    def __contains__(self, term: object) -> bool:
        return term in self.df

    def frequency(self, term: str) -> int:
        """Number of products whose index text has the term (0 when unknown)."""
        return self.df.get(term, 0)

    def documents(self) -> int:
        """A lower bound of the number of indexed products: the frequency of the most frequent term."""
        if self._documents is None:
            self._documents = max(self.df.values(), default=0)
        return self._documents

    def add(self, terms: Iterable[str]) -> None:
        """Count one more product for each distinct term (used on every indexed write)."""
        self._skeletons = None  # a term's frequency decides whether it is a vowel target
        self._corrected.clear()  # and which correction wins
        for term in set(terms):
            if term not in self.df:
                self._terms = self._by_length = None
            self.df[term] = self.df.get(term, 0) + 1
            if self._documents is not None:
                self._documents = max(self._documents, self.df[term])

    def _sorted_terms(self) -> list[str]:
        if self._terms is None:
            self._terms = sorted(t for t in self.df if not t.isdigit() and t not in self.markers)
        return self._terms

    def _of_length(self, low: int, high: int) -> list[str]:
        """The correction targets of `low` to `high` letters: a term more letters away than the edits forgiven
        is never within them, so the fuzzy scan reads only these (a third of the terms for a 6-letter word in the
        100k benchmark catalog)."""
        if self._by_length is None:
            self._by_length = {}
            for term in self._sorted_terms():
                self._by_length.setdefault(len(term), []).append(term)
        return [t for n in range(low, high + 1) for t in self._by_length.get(n, ())]

    def correct(self, word: str) -> str | None:
        """The closest known term (fewest edits, then most frequent), or a completion of a cut-off word.

        A real Indonesian word the catalog lacks (`mobil`, `bekas`) is not a typo and is left alone, so
        "mobil bekas" stays unmet instead of turning into "mebel beras". Answers are kept until a product is
        indexed (people make the same typos: the fuzzy scan costs milliseconds at 100,000 products).
        """
        if word in self._corrected:
            return self._corrected[word]
        if len(self._corrected) >= _MAX_CORRECTIONS_KEPT:
            self._corrected.clear()
        found = self._corrected[word] = self._correct(word)
        return found

    def _correct(self, word: str) -> str | None:
        if is_dictionary_word(word):
            return None
        terms = self._sorted_terms()
        edits = max_edits(word)
        if edits:
            near = self._of_length(len(word) - edits, len(word) + edits)
            found = process.extract(word, near, scorer=OSA.distance, score_cutoff=edits, limit=None)
            if len(word) <= _SHORT_WORD:
                found = [hit for hit in found if _same_start(word, hit[0])]
            if found:
                # Fewest edits, then the closest spelling (`bsah` -> basah, not buah), then the most frequent.
                return min(found, key=lambda hit: (hit[1], -fuzz.ratio(word, hit[0]), -self.df[hit[0]], hit[0]))[0]
        if len(word) >= _PREFIX_MIN_CHARS:
            start = bisect.bisect_left(terms, word)
            completions = [t for t in terms[start : start + _PREFIX_SCAN] if t.startswith(word)]
            if completions:
                return max(completions, key=lambda t: (self.df[t], -len(t)))
        return None

    def unvowelled(self, word: str) -> list[str]:
        """The terms that are the word with its vowels written back, most frequent first (`ktk` -> kotak,
        `sklh` -> sekolah, `krpk` -> keripik, kerupuk): chat drops vowels, not consonants. Only for a word of
        consonants alone, and terms of more than one product."""
        if len(word) < _MIN_SKELETON or not word.isalpha() or any(ch in _VOWELS for ch in word):
            return []
        terms = self._sorted_terms()
        if self._skeletons is None:
            self._skeletons = {}
        by_skeleton = self._skeletons.get(word[0])
        if by_skeleton is None:  # built once per first letter and vocabulary, then a lookup
            by_skeleton = self._skeletons[word[0]] = {}
            for term in terms[bisect.bisect_left(terms, word[0]) :]:
                if not term.startswith(word[0]):
                    break
                if self.df[term] > 1:
                    by_skeleton.setdefault(_skeleton(term), []).append(term)
        found = [t for t in by_skeleton.get(word, ()) if len(t) <= 2 * len(word) + 1]
        return sorted(found, key=lambda t: (-self.df[t], t))[:_MAX_VOWELED]


_MAX_CORRECTIONS_KEPT = 10_000
_SHORT_WORD = 5  # up to this length a correction keeps the first letter ("asus" is no typo of "usus")
_MIN_SKELETON = 3
_MAX_VOWELED = 3
_VOWELS = frozenset("aiueo")


def _same_start(word: str, term: str) -> bool:
    """People mistype inside a word, rarely its first letter: same first letter, or the first two swapped."""
    return term[:1] == word[:1] or (len(word) > 1 and term[:2] == word[1::-1])


_NO_VOWELS = str.maketrans("", "", "aiueo")


def _skeleton(term: str) -> str:
    return term.translate(_NO_VOWELS)


_CACHE: dict[str, Vocabulary] = {}


def _key(session: AsyncSession) -> str:
    # Per database and region: the region decides which terms are markers.
    return session.get_bind().engine.url.render_as_string(hide_password=True) + "#" + region_of(session).name


async def _load(session: AsyncSession) -> Vocabulary:
    started = time.perf_counter()
    if session.get_bind().dialect.name == "postgresql":
        terms, counts = (await session.execute(text(_PG_VOCAB))).one()
        df = dict(zip(terms or (), counts or (), strict=True))
    else:
        df = {str(term): int(n) for term, n in (await session.execute(text(_VOCAB))).all()}
    vocab = Vocabulary(df=df, markers=marker_tokens(region_of(session)))
    logger.info("search vocabulary loaded: %s terms in %.1f ms", len(vocab.df), (time.perf_counter() - started) * 1000)
    return vocab


async def get_vocabulary(session: AsyncSession) -> Vocabulary:
    """This database's vocabulary, read from the index when missing or older than `TTL_SECONDS`."""
    key = _key(session)
    vocab = _CACHE.get(key)
    if vocab is None or time.monotonic() - vocab.built_at > TTL_SECONDS:
        vocab = _CACHE[key] = await _load(session)
    return vocab


def note_indexed(session: AsyncSession, search_text: str) -> None:
    """Tell the cached vocabulary (if any) about a product text just written."""
    vocab = _CACHE.get(_key(session))
    if vocab is not None:
        vocab.add(search_text.split())


def invalidate_vocabulary(session: AsyncSession | None = None) -> None:
    """Forget the cached vocabulary of one database (or of all), after bulk writes."""
    if session is None:
        _CACHE.clear()
    else:
        _CACHE.pop(_key(session), None)
