"""Events (FGD, business-matching days, TKDN clinics): created by admins, answered by RSVP, reminded by outbox.

A reminder is an outbox row with a due time, one per person who answered *hadir* or *mungkin*: the day before
(at 09:00 local time) and on the morning (07:00, or two hours before an early start). Its dedupe key names the
event, the reminder and the start time, so an RSVP given twice queues it once, and a moved event gets reminders
for its new time. Moving an event re-queues the pending reminders and tells the people who answered; cancelling
withdraws them and tells the same people. Reminders already due when someone answers are not queued.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import NotFound, PermissionDenied, ValidationError
from bot.services import notify
from bot.services.outbox import PENDING, notice
from models import Event, Identity, OutboxMessage, Rsvp, User, Vendor, utcnow

AUDIENCES = ("all", "vendors", "opd")
ANSWERS = ("yes", "maybe", "no")
REMINDER = "reminder"
EVENT_NOTICE = "event"
_DAY_BEFORE_AT = time(9, 0)
_MORNING_AT = time(7, 0)


@dataclass(frozen=True, slots=True)
class EventDraft:
    """What an admin fills in for an event."""

    title: str
    starts_at: datetime
    location: str | None = None
    description: str | None = None
    audience: str = "all"
    capacity: int | None = None
    rsvp: bool = True


@dataclass(frozen=True, slots=True)
class Attendance:
    """How many answered what, and whether there is room."""

    yes: int
    maybe: int
    no: int
    capacity: int | None

    @property
    def full(self) -> bool:
        """No seat left for another *hadir*."""
        return self.capacity is not None and self.yes >= self.capacity


def require_admin(actor: User) -> None:
    """Refuse anyone but an admin (the check every admin action starts with)."""
    if not actor.is_admin:
        raise PermissionDenied("event.not_allowed")


def _check(draft: EventDraft, now: datetime) -> None:
    if not draft.title.strip():
        raise ValidationError("event.bad_title")
    if draft.starts_at.tzinfo is None or draft.starts_at <= now:
        raise ValidationError("event.in_the_past")
    if draft.audience not in AUDIENCES:
        raise ValidationError("event.bad_audience")
    if draft.capacity is not None and draft.capacity < 1:
        raise ValidationError("event.bad_capacity")


def reminder_times(starts_at: datetime, zone: str) -> dict[str, datetime]:
    """When the two reminders of an event are due (aware, UTC)."""
    local = starts_at.astimezone(ZoneInfo(zone))
    day_before = datetime.combine(local.date() - timedelta(days=1), _DAY_BEFORE_AT, tzinfo=local.tzinfo)
    morning = datetime.combine(local.date(), _MORNING_AT, tzinfo=local.tzinfo)
    if morning > local - timedelta(hours=2):
        morning = local - timedelta(hours=2)
    return {"day": day_before.astimezone(starts_at.tzinfo), "morning": morning.astimezone(starts_at.tzinfo)}


async def create(session: AsyncSession, actor: User, draft: EventDraft, now: datetime | None = None) -> Event:
    """A new event (admins only)."""
    require_admin(actor)
    _check(draft, now or utcnow())
    event = Event(
        title=draft.title.strip(),
        starts_at=draft.starts_at,
        location=draft.location,
        description=draft.description,
        audience=draft.audience,
        capacity=draft.capacity,
        rsvp=draft.rsvp,
        created_by=actor.id,
    )
    session.add(event)
    await session.flush()
    return event


async def get(session: AsyncSession, event_id: int | None) -> Event:
    """An event that exists and is not cancelled."""
    event = await session.get(Event, event_id) if event_id is not None else None
    if event is None or event.cancelled_at is not None:
        raise NotFound("event.not_found")
    return event


def _visible_to(user: User) -> list[str]:
    audiences = ["all"]
    if user.role == "opd":
        audiences.append("opd")
    if user.role == "vendor":
        audiences.append("vendors")
    return AUDIENCES if user.is_admin else audiences  # type: ignore[return-value]


async def upcoming(session: AsyncSession, user: User, now: datetime | None = None, limit: int = 10) -> list[Event]:
    """Events still to come that are meant for this user, soonest first."""
    rows = await session.scalars(
        select(Event)
        .where(
            Event.starts_at > (now or utcnow()),
            Event.cancelled_at.is_(None),
            Event.audience.in_(_visible_to(user)),
        )
        .order_by(Event.starts_at, Event.id)
        .limit(limit)
    )
    return list(rows)


async def attendance(session: AsyncSession, event_id: int) -> Attendance:
    """Counts of the answers to an event."""
    event = await get(session, event_id)
    rows = await session.execute(
        select(Rsvp.status, func.count()).where(Rsvp.event_id == event_id).group_by(Rsvp.status)
    )
    counts = {status: int(n) for status, n in rows}
    return Attendance(counts.get("yes", 0), counts.get("maybe", 0), counts.get("no", 0), event.capacity)


async def my_answer(session: AsyncSession, user: User, event_id: int) -> str | None:
    """The user's answer to an event, if any."""
    return await session.scalar(select(Rsvp.status).where(Rsvp.event_id == event_id, Rsvp.user_id == user.id))


async def answer(
    session: AsyncSession, user: User, event_id: int | None, status: str, zone: str, now: datetime | None = None
) -> Event:
    """Record a user's RSVP and queue (or withdraw) their reminders."""
    if status not in ANSWERS:
        raise ValidationError("event.bad_answer")
    event = await get(session, event_id)
    now = now or utcnow()
    if not event.rsvp or event.starts_at <= now or event.audience not in _visible_to(user):
        raise PermissionDenied("event.rsvp_closed")
    current = await session.scalar(select(Rsvp).where(Rsvp.event_id == event.id, Rsvp.user_id == user.id))
    if status == "yes" and (current is None or current.status != "yes"):
        seats = await attendance(session, event.id)
        if seats.full:
            raise ValidationError("event.full")
    if current is None:
        session.add(Rsvp(event_id=event.id, user_id=user.id, status=status))
    else:
        current.status = status
    await _withdraw_reminders(session, event.id, user.id)
    if status in ("yes", "maybe"):
        await _queue_reminders(session, event, [user.id], zone, now)
    return event


def _reminder_payload(event: Event, which: str) -> str:
    return notice(
        key=f"event.reminder_{which}",
        params={
            "title": event.title,
            "when": {"datetime": event.starts_at.isoformat()},
            "place": event.location or "-",
        },
        choices=[("event.btn_open", f"event:open:{event.id}")],
    )


async def _queue_reminders(session: AsyncSession, event: Event, user_ids: list[int], zone: str, now: datetime) -> None:
    identities = await notify.latest_identities(session, user_ids)
    stamp = event.starts_at.strftime("%Y%m%d%H%M")
    for which, due in reminder_times(event.starts_at, zone).items():
        if due <= now:
            continue
        payload = _reminder_payload(event, which)
        for user_id, identity_id in identities.items():
            key = f"event:{event.id}:{which}:{stamp}:user:{user_id}"
            exists_already = await session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == key))
            if exists_already is None:
                session.add(
                    OutboxMessage(
                        identity_id=identity_id,
                        event_id=event.id,
                        kind=REMINDER,
                        payload=payload,
                        status=PENDING,
                        due_at=due,
                        dedupe_key=key,
                    )
                )
    await session.flush()


async def _withdraw_reminders(session: AsyncSession, event_id: int, user_id: int | None = None) -> int:
    query = delete(OutboxMessage).where(
        OutboxMessage.event_id == event_id, OutboxMessage.kind == REMINDER, OutboxMessage.status == PENDING
    )
    if user_id is not None:
        query = query.where(OutboxMessage.identity_id.in_(select(Identity.id).where(Identity.user_id == user_id)))
    result = await session.execute(query)
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def _answered(session: AsyncSession, event_id: int) -> list[int]:
    rows = await session.scalars(
        select(Rsvp.user_id).where(Rsvp.event_id == event_id, Rsvp.status.in_(("yes", "maybe")))
    )
    return list(rows)


async def _tell(session: AsyncSession, event: Event, user_ids: list[int], payload: str, now: datetime) -> None:
    for identity_id in (await notify.latest_identities(session, user_ids)).values():
        session.add(
            OutboxMessage(identity_id=identity_id, event_id=event.id, kind=EVENT_NOTICE, payload=payload, due_at=now)
        )
    await session.flush()


async def move(
    session: AsyncSession,
    actor: User,
    event_id: int | None,
    starts_at: datetime,
    zone: str,
    location: str | None = None,
    now: datetime | None = None,
) -> Event:
    """Change an event's time (and place): pending reminders follow, and those who answered are told."""
    require_admin(actor)
    event = await get(session, event_id)
    now = now or utcnow()
    if starts_at.tzinfo is None or starts_at <= now:
        raise ValidationError("event.in_the_past")
    event.starts_at = starts_at
    if location is not None:
        event.location = location
    await _withdraw_reminders(session, event.id)
    people = await _answered(session, event.id)
    await _queue_reminders(session, event, people, zone, now)
    changed = notice(
        key="event.moved",
        params={"title": event.title, "when": {"datetime": starts_at.isoformat()}, "place": event.location or "-"},
        choices=[("event.btn_open", f"event:open:{event.id}")],
    )
    await _tell(session, event, people, changed, now)
    return event


async def cancel(session: AsyncSession, actor: User, event_id: int | None, now: datetime | None = None) -> Event:
    """Cancel an event: reminders are withdrawn and those who answered are told (admins only)."""
    require_admin(actor)
    event = await get(session, event_id)
    now = now or utcnow()
    event.cancelled_at = now
    await _withdraw_reminders(session, event.id)
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.event_id == event.id, OutboxMessage.kind == EVENT_NOTICE, OutboxMessage.status == PENDING)
        .values(status="withdrawn")
    )
    people = await _answered(session, event.id)
    cancelled = notice(
        key="event.cancelled", params={"title": event.title, "when": {"datetime": event.starts_at.isoformat()}}
    )
    await _tell(session, event, people, cancelled, now)
    return event


@dataclass(frozen=True, slots=True)
class Guest:
    """One line of an event's RSVP list."""

    name: str
    role: str | None
    agency: str | None
    business: str | None
    phone: str | None
    status: str
    answered_at: datetime


async def guests(session: AsyncSession, actor: User, event_id: int | None) -> list[Guest]:
    """Everyone who answered, hadir first (admins only)."""
    require_admin(actor)
    event = await get(session, event_id)
    order = {"yes": 0, "maybe": 1, "no": 2}
    rows = await session.execute(
        select(
            User.display_name, User.role, User.opd_name, Vendor.business_name, User.phone, Rsvp.status, Rsvp.updated_at
        )
        .join(User, User.id == Rsvp.user_id)
        .outerjoin(Vendor, Vendor.user_id == User.id)
        .where(Rsvp.event_id == event.id)
    )
    listed = [
        Guest(name or "-", role, agency, business, phone, status, at)
        for name, role, agency, business, phone, status, at in rows
    ]
    return sorted(listed, key=lambda g: (order.get(g.status, 3), g.name.casefold()))
