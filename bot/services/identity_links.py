"""One person, two channels: a Telegram and a WhatsApp identity with the same *verified* phone become one user,
after a yes on both sides.

* Verified means the platform vouches for the number: WhatsApp's sender number (`wa_id`), or a Telegram
  contact the user shared of themself (`contact.user_id` is the sender). The channels pass only such numbers
  as `Inbound.phone`; `accounts.resolve` hands them to `note_verified_phone`. A typed number, someone else's
  contact card or a WhatsApp message without a number never gets here, so it can never link anything.
* When an identity's verified number is new and another channel's identity of another user has the same one,
  a pending `IdentityLink` is stored and both identities are asked (an outbox notice with Ya / Tidak buttons,
  `link:yes:<id>` / `link:no:<id>`). Pending confirmations live in the database: a restart loses nothing.
* `answer` re-checks everything a button names: the link exists, the person answering writes from one of its
  two identities (else PermissionDenied), it is still pending, not older than `EXPIRY`, and both identities
  still carry the number. A "no" closes it; a "yes" is recorded; the second "yes" merges.
* Conflicts: when both users hold data that belongs to one person only (each its own business, each an OPD
  profile, or a business and an OPD profile), nothing is merged: the link is `refused` and both sides are told
  why and what to do (delete the data of the account no longer used, then share the number again). Otherwise
  the user holding such data is kept (else the older one) and the other is folded into it.
* The merge moves every row that names the folded user (identities, business, leads, searches, needs, RSVPs,
  events, audit...) to the kept user, found from the table metadata so a new table cannot be forgotten; the
  folded user's conversation and RSVPs the kept user already has are dropped (one each); roles add up (admin,
  verified OPD); an `account.merge` audit row records it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import NotFound, PermissionDenied
from bot.services import audit
from bot.services.formatting import format_phone_local
from bot.services.outbox import PENDING, notice
from models import Base, Conversation, Identity, IdentityLink, OutboxMessage, Rsvp, User, Vendor, utcnow

LINKABLE = ("telegram", "whatsapp")
CHANNEL_NAMES = {"telegram": "Telegram", "whatsapp": "WhatsApp"}
EXPIRY = timedelta(days=7)
PREFIX = "link"

# Link statuses and the outcomes of `answer`.
LINK_PENDING, MERGED, DECLINED, REFUSED, EXPIRED = "pending", "merged", "declined", "refused", "expired"
WAITING, STALE = "waiting", "stale"


@dataclass(frozen=True, slots=True)
class Outcome:
    """What an answer did: `waiting` (the other side still has to say yes), `merged`, `declined`, `refused`
    (a conflict) or `stale`; `other` is the other side's channel."""

    result: str
    other: str


def _name(channel: str) -> str:
    return CHANNEL_NAMES.get(channel, channel)


def choices(link_id: int) -> list[tuple[str, str]]:
    """The answer buttons of a link question."""
    return [("link.btn_yes", f"{PREFIX}:yes:{link_id}"), ("link.btn_no", f"{PREFIX}:no:{link_id}")]


def ask_params(link: IdentityLink, mine: Identity, other: Identity) -> dict[str, object]:
    """The parameters of the `link.ask` text for one side."""
    return {"phone": format_phone_local(link.phone), "this": _name(mine.channel), "other": _name(other.channel)}


def _tell(
    session: AsyncSession,
    identity_id: int,
    key: str,
    params: dict[str, object],
    buttons: Sequence[tuple[str, str]] = (),
) -> None:
    """Queue a notice for one identity (not the user's latest one: each side hears on its own channel)."""
    session.add(
        OutboxMessage(
            identity_id=identity_id,
            kind="notice",
            payload=notice(key=key, params=params, choices=buttons),
            status=PENDING,
            due_at=utcnow(),
        )
    )


async def note_verified_phone(session: AsyncSession, identity: Identity, phone: str | None) -> None:
    """A platform vouched for this identity's number: remember it, and offer a link when it is new to it."""
    if not phone or identity.channel not in LINKABLE or identity.verified_phone == phone:
        return
    identity.verified_phone = phone
    await offer(session, identity)


async def offer(session: AsyncSession, identity: Identity) -> list[IdentityLink]:
    """Ask both sides about every other-channel identity of another user with the same verified number.

    A pair already pending, or declined before, is not asked again."""
    if not identity.verified_phone:
        return []
    others = await session.scalars(
        select(Identity).where(
            Identity.verified_phone == identity.verified_phone,
            Identity.channel.in_(LINKABLE),
            Identity.channel != identity.channel,
            Identity.user_id != identity.user_id,
        )
    )
    made = []
    for other in others:
        pair = {identity.id, other.id}
        known = await session.scalar(
            select(IdentityLink.id).where(
                IdentityLink.first_identity_id.in_(pair),
                IdentityLink.second_identity_id.in_(pair),
                IdentityLink.status.in_((LINK_PENDING, DECLINED)),
            )
        )
        if known is not None:
            continue
        link = IdentityLink(
            phone=identity.verified_phone,
            first_identity_id=identity.id,
            second_identity_id=other.id,
            status=LINK_PENDING,
        )
        session.add(link)
        await session.flush()
        for mine, theirs in ((identity, other), (other, identity)):
            _tell(session, mine.id, "link.ask", ask_params(link, mine, theirs), choices(link.id))
        audit.record(session, identity.user_id, "account.link_offer", f"link:{link.id}")
        made.append(link)
    return made


async def pending_for(session: AsyncSession, identity: Identity) -> list[tuple[IdentityLink, Identity]]:
    """The pending links of one identity, each with the identity on the other side (`gabungkan akun`)."""
    links = await session.scalars(
        select(IdentityLink)
        .where(
            IdentityLink.status == LINK_PENDING,
            or_(IdentityLink.first_identity_id == identity.id, IdentityLink.second_identity_id == identity.id),
        )
        .order_by(IdentityLink.id)
    )
    found = []
    for link in links:
        other_id = link.second_identity_id if link.first_identity_id == identity.id else link.first_identity_id
        other = await session.get(Identity, other_id)
        if other is not None:
            found.append((link, other))
    return found


async def _lock(session: AsyncSession, link_id: int) -> IdentityLink | None:
    query = select(IdentityLink).where(IdentityLink.id == link_id)
    if session.bind.dialect.name == "postgresql":
        query = query.with_for_update()
    return await session.scalar(query)


async def answer(session: AsyncSession, identity: Identity, link_id: int | None, yes: bool) -> Outcome:
    """A side's yes or no to a link, from the identity it was pressed on. A payload is a request: every fact it
    names is checked here."""
    link = await _lock(session, link_id) if link_id is not None else None
    if link is None:
        raise NotFound("link.stale")
    if identity.id not in (link.first_identity_id, link.second_identity_id):
        raise PermissionDenied()
    first = identity.id == link.first_identity_id
    other = await session.get_one(Identity, link.second_identity_id if first else link.first_identity_id)
    if link.status != LINK_PENDING:
        return Outcome(STALE, other.channel)
    now = utcnow()
    still_true = (
        identity.verified_phone == link.phone
        and other.verified_phone == link.phone
        and identity.user_id != other.user_id
    )
    if not still_true or now - link.created_at > EXPIRY:
        link.status, link.decided_at = EXPIRED, now
        return Outcome(STALE, other.channel)
    if not yes:
        link.status, link.decided_at = DECLINED, now
        _tell(session, other.id, "link.declined_other", {"other": _name(identity.channel)})
        audit.record(session, identity.user_id, "account.link_decline", f"link:{link.id}")
        return Outcome(DECLINED, other.channel)
    if first:
        link.first_confirmed_at = link.first_confirmed_at or now
    else:
        link.second_confirmed_at = link.second_confirmed_at or now
    if link.first_confirmed_at is None or link.second_confirmed_at is None:
        return Outcome(WAITING, other.channel)
    mine = await session.get_one(User, identity.user_id)
    theirs = await session.get_one(User, other.user_id)
    kinds = (await _data_kind(session, mine), await _data_kind(session, theirs))
    if kinds[0] and kinds[1]:
        link.status, link.decided_at, link.reason = REFUSED, now, f"{kinds[0]}+{kinds[1]}"
        _tell(session, other.id, "link.conflict", {"other": _name(identity.channel)})
        audit.record(session, identity.user_id, "account.link_refused", f"link:{link.id}", link.reason)
        return Outcome(REFUSED, other.channel)
    keep, fold = _keeper(mine, theirs, kinds)
    await merge(session, keep, fold)
    link.status, link.decided_at = MERGED, now
    _tell(session, other.id, "link.merged", {"other": _name(identity.channel)})
    return Outcome(MERGED, other.channel)


async def _data_kind(session: AsyncSession, user: User) -> str | None:
    """What a user holds that belongs to one person only: a business, an OPD profile, or nothing."""
    if await session.scalar(select(Vendor.id).where(Vendor.user_id == user.id)) is not None:
        return "vendor"
    if user.opd_status or user.full_name or user.opd_verified:
        return "opd"
    return None


def _keeper(a: User, b: User, kinds: tuple[str | None, str | None]) -> tuple[User, User]:
    """(kept, folded): the user with a business or OPD profile, else the older account."""
    if kinds[1] and not kinds[0]:
        return b, a
    if kinds[0] and not kinds[1]:
        return a, b
    return (a, b) if a.id < b.id else (b, a)


def _user_columns() -> list[tuple[str, str]]:
    """(table, column) of every foreign key to users.id."""
    found = []
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if any(fk.column.table.name == "users" and fk.column.name == "id" for fk in column.foreign_keys):
                found.append((table.name, column.name))
    return found


async def merge(session: AsyncSession, keep: User, fold: User) -> None:
    """Fold user `fold` into `keep`: every row that names it moves, its account fields fill the gaps, and it
    goes. Callers check the conflict rules first (see the module notes)."""
    await session.execute(delete(Conversation).where(Conversation.user_id == fold.id))
    kept_events = select(Rsvp.event_id).where(Rsvp.user_id == keep.id).scalar_subquery()
    await session.execute(delete(Rsvp).where(Rsvp.user_id == fold.id, Rsvp.event_id.in_(kept_events)))
    tables = Base.metadata.tables
    for table_name, column_name in _user_columns():
        table = tables[table_name]
        column = table.c[column_name]
        await session.execute(
            update(table).where(column == fold.id).values({column_name: keep.id}),
            execution_options={"synchronize_session": False},
        )
    keep.is_admin = keep.is_admin or fold.is_admin
    keep.admin_promoted = keep.admin_promoted or fold.admin_promoted
    keep.onboarded = keep.onboarded or fold.onboarded
    keep.announcements = keep.announcements and fold.announcements  # an opt-out on either side stands
    if keep.role in (None, "buyer") and fold.role not in (None, "buyer"):
        keep.role = fold.role
    for name in ("display_name", "phone", "language", "consent_version", "consented_at"):
        if getattr(keep, name) is None:
            setattr(keep, name, getattr(fold, name))
    fold_id = fold.id
    for identity in list(session.identity_map.values()):
        if isinstance(identity, Identity) and identity.user_id == fold_id:
            identity.user_id = keep.id
    session.expunge(fold)
    await session.execute(delete(User).where(User.id == fold_id))
    audit.record(session, keep.id, "account.merge", f"user:{keep.id}", f"user:{fold_id}")
    await session.flush()
