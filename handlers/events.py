"""Events: `acara` lists the forums to come; each opens with its details and Hadir / Mungkin / Tidak hadir.

Everyone sees the events meant for their role. An answer queues the two reminders (the day before and on
the morning), or withdraws them for *Tidak hadir*. Admins also get, per event: the RSVP list, its XLSX export,
moving it (reminders follow, attendees are told) and cancelling it (asked once more first; reminders are
withdrawn and attendees told). `buat acara` opens the event form: title, date and time (WIB), place,
description, audience, capacity and whether to take RSVPs, with the form controls and a summary.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.core import actions
from bot.core.actions import Action
from bot.core.context import Context
from bot.core.dates import local_datetime, zone_label
from bot.core.forms import Field, Form, Options, yes_no
from bot.core.i18n import Translator
from bot.core.menus import MenuEntry
from bot.core.messages import Attachment, Choice, Reply
from bot.core.registry import Flow
from bot.errors import ValidationError
from bot.services import conversations, event_export, events, parsers, words
from bot.services.conversations import State
from bot.services.events import EventDraft
from bot.services.when import parse_local_datetime
from handlers.common import joined
from models import Event

NAME = "event"
CANCEL = "event_cancel"
AUDIENCE_LABELS = {"all": "event.audience_all", "vendors": "event.audience_vendors", "opd": "event.audience_opd"}
ANSWER_LABELS = {"yes": "event.btn_yes", "maybe": "event.btn_maybe", "no": "event.btn_no"}


def when(ctx: Context, moment: datetime) -> str:
    """A time as the user reads it: local zone, their language."""
    bot = ctx.settings.bot
    return local_datetime(moment, ctx.t, bot.timezone, bot.timezone_label)


# ---- the list and one event --------------------------------------------------------------------------------


async def start(ctx: Context, _argument: str) -> list[Reply]:
    """Lists the events to come that are meant for this user."""
    coming = await events.upcoming(ctx.session, ctx.user)
    choices = [
        Choice(ctx.t("event.btn_item", n=n, title=e.title), actions.encode(NAME, "open", e.id))
        for n, e in enumerate(coming, start=1)
    ]
    if ctx.user.is_admin:
        choices.append(Choice(ctx.t("event.btn_new"), actions.encode(NAME, "new")))
    if not coming:
        return [Reply(ctx.t("event.none"), tuple(choices))]
    lines = [ctx.t("event.list_title")]
    lines += [
        ctx.t("event.list_line", n=n, title=e.title, when=when(ctx, e.starts_at), place=e.location or "-")
        for n, e in enumerate(coming, start=1)
    ]
    return [Reply("\n".join(lines), tuple(choices))]


async def _detail(ctx: Context, event: Event) -> Reply:
    t = ctx.t
    seats = await events.attendance(ctx.session, event.id)
    mine = await events.my_answer(ctx.session, ctx.user, event.id)
    lines = [
        t("event.detail_title", title=event.title),
        t("event.detail_when", when=when(ctx, event.starts_at)),
        t("event.detail_place", place=event.location or "-"),
    ]
    if event.description:
        lines.append(event.description)
    lines.append(t("event.detail_audience", audience=t(AUDIENCE_LABELS.get(event.audience, "event.audience_all"))))
    if event.rsvp:
        lines.append(t("event.detail_counts", yes=seats.yes, maybe=seats.maybe))
        if event.capacity is not None:
            lines.append(t("event.detail_seats", left=max(event.capacity - seats.yes, 0), capacity=event.capacity))
        if mine is not None:
            lines.append(t("event.detail_mine", answer=t(ANSWER_LABELS[mine])))
    choices: list[Choice] = []
    if event.rsvp:
        choices += [Choice(t(label), actions.encode(NAME, "rsvp", event.id, a)) for a, label in ANSWER_LABELS.items()]
    if ctx.user.is_admin:
        choices += [
            Choice(t("event.btn_guests"), actions.encode(NAME, "guests", event.id)),
            Choice(t("event.btn_export"), actions.encode(NAME, "export", event.id)),
            Choice(t("event.btn_move"), actions.encode(NAME, "move", event.id)),
            Choice(t("event.btn_cancel"), actions.encode(NAME, "cancel", event.id)),
        ]
    choices.append(Choice(t("event.btn_all"), actions.encode(NAME, "list")))
    return Reply("\n".join(lines), tuple(choices))


async def on_action(ctx: Context, action: Action) -> list[Reply]:
    """Buttons of the list and of an event; every one names the event, re-checked by the service."""
    verb, event_id = action.verb, action.int_arg(0)
    if verb == "list":
        return await start(ctx, "")
    if verb == "new":
        events.require_admin(ctx.user)
        return await NEW_FORM.start(ctx, intro="event_new.intro")
    event = await events.get(ctx.session, event_id)
    if verb == "open":
        return [await _detail(ctx, event)]
    if verb == "rsvp" and action.arg(1) in ANSWER_LABELS:
        answer = action.arg(1)
        await events.answer(ctx.session, ctx.user, event.id, answer, ctx.settings.bot.timezone)
        return [ctx.say(f"event.answered_{answer}", title=event.title), await _detail(ctx, event)]
    if verb == "guests":
        return [await _guest_list(ctx, event)]
    if verb == "export":
        return [await _export(ctx, event)]
    if verb == "move":
        events.require_admin(ctx.user)
        return await MOVE_FORM.start(ctx, {"event_id": event.id}, intro="event_move.intro", title=event.title)
    if verb == "cancel":
        events.require_admin(ctx.user)
        state = await conversations.begin(ctx.session, ctx.user.id, CANCEL, "confirm", {"event_id": event.id})
        return [_cancel_question(ctx, state, event)]
    return [ctx.say("form.old_button")]


async def _guest_list(ctx: Context, event: Event) -> Reply:
    t = ctx.t
    guests = await events.guests(ctx.session, ctx.user, event.id)
    if not guests:
        return Reply(t("event.no_guests", title=event.title))
    lines = [t("event.guests_title", title=event.title, n=len(guests))]
    for n, guest in enumerate(guests, start=1):
        who = joined(t, (guest.name, guest.business or guest.agency))
        lines.append(t("event.guest_line", n=n, who=who, answer=t(ANSWER_LABELS.get(guest.status, "event.btn_no"))))
    return Reply("\n".join(lines), (Choice(t("event.btn_export"), actions.encode(NAME, "export", event.id)),))


async def _export(ctx: Context, event: Event) -> Reply:
    t = ctx.t
    guests = await events.guests(ctx.session, ctx.user, event.id)
    headers = [t(f"event.column_{name}") for name in ("name", "organisation", "role", "phone", "answer", "answered")]
    answers = {answer: t(label) for answer, label in ANSWER_LABELS.items()}
    data = event_export.guests_xlsx(guests, headers, answers, event.title, ctx.settings.bot.timezone)
    file = Attachment(f"rsvp-acara-{event.id}.xlsx", data)
    return Reply(t("event.exported", title=event.title, n=len(guests)), attachment=file)


# ---- cancelling, asked once more ---------------------------------------------------------------------------


def _cancel_question(ctx: Context, state: State, event: Event) -> Reply:
    choices = (
        Choice(ctx.t("event.btn_cancel_yes"), actions.encode(CANCEL, "yes", state.id)),
        Choice(ctx.t("event.btn_cancel_no"), actions.encode(CANCEL, "no", state.id)),
    )
    return Reply(ctx.t("event.confirm_cancel", title=event.title, when=when(ctx, event.starts_at)), choices)


async def cancel_resume(ctx: Context, state: State) -> list[Reply] | None:
    """Takes the answer to "cancel this event?": a button of this question, or a typed yes / no."""
    action = ctx.action
    if action is not None and action.prefix == CANCEL:
        if action.arg(0) != str(state.id):
            event = await events.get(ctx.session, state.data.get("event_id"))
            return [ctx.say("form.old_button"), _cancel_question(ctx, state, event)]
        answer: bool | None = action.verb == "yes"
    elif ctx.inbound.action is None:
        answer = words.yes_no(ctx.text)
    else:
        answer = None
    if answer is None:
        await conversations.clear(ctx.session, ctx.user.id)
        return None
    await conversations.clear(ctx.session, ctx.user.id)
    if not answer:
        return [ctx.say("event.cancel_kept")]
    event = await events.cancel(ctx.session, ctx.user, state.data.get("event_id"))
    return [ctx.say("event.cancelled_done", title=event.title)]


async def cancel_action(ctx: Context, _action: Action) -> list[Reply]:
    """A cancel button of a question that is no longer open."""
    return [ctx.say("form.old_button")]


# ---- the forms ---------------------------------------------------------------------------------------------


def _datetime_options(ctx: Context) -> Options:
    zone = ctx.settings.bot.timezone
    return Options((), read=lambda text: parse_local_datetime(text, zone).isoformat())


def _show_datetime(t: Translator, value: Any) -> str:
    """A stored local time (ISO, with its offset) as the user reads it."""
    moment = datetime.fromisoformat(str(value))
    return local_datetime(moment, t, None, zone_label(moment))


def _audience_options(ctx: Context) -> Options:
    return Options(tuple((k, ctx.t(v)) for k, v in AUDIENCE_LABELS.items()))


def _parse_capacity(text: str) -> int:
    number = parsers.parse_quantity(text)
    if number < 1:
        raise ValidationError("event.bad_capacity")
    return number


def _parse_title(text: str) -> str:
    return parsers.parse_name(text)


def _draft(values: dict[str, Any]) -> EventDraft:
    return EventDraft(
        title=values["title"],
        starts_at=datetime.fromisoformat(values["starts_at"]),
        location=values.get("location"),
        description=values.get("description"),
        audience=values.get("audience") or "all",
        capacity=values.get("capacity"),
        rsvp=bool(values.get("rsvp", True)),
    )


async def _save_new(ctx: Context, values: dict[str, Any]) -> list[Reply]:
    """Creates the event and offers to announce it."""
    event = await events.create(ctx.session, ctx.user, _draft(values))
    announce = Choice(ctx.t("event.btn_announce"), actions.encode("broadcast", "event", event.id))
    return [
        Reply(ctx.t("event.created", title=event.title, when=when(ctx, event.starts_at)), (announce,)),
        await _detail(ctx, event),
    ]


async def _save_move(ctx: Context, values: dict[str, Any]) -> list[Reply]:
    """Moves the event; reminders follow and attendees are told."""
    event = await events.move(
        ctx.session,
        ctx.user,
        values.get("event_id"),
        datetime.fromisoformat(values["starts_at"]),
        ctx.settings.bot.timezone,
        location=values.get("location"),
    )
    return [ctx.say("event.moved_done", title=event.title, when=when(ctx, event.starts_at)), await _detail(ctx, event)]


NEW_FORM = Form(
    "event_new",
    on_save=_save_new,
    fields=(
        Field("title", parse=_parse_title),
        Field("starts_at", options=_datetime_options, display=_show_datetime),
        Field("location", parse=_parse_title),
        Field("description", parse=parsers.parse_description, optional=True, free_questions=True),
        Field(
            "audience",
            options=_audience_options,
            display=lambda t, v: t(AUDIENCE_LABELS.get(str(v), "event.audience_all")),
        ),
        Field("capacity", parse=_parse_capacity, optional=True),
        yes_no("rsvp"),
    ),
)
MOVE_FORM = Form(
    "event_move",
    on_save=_save_move,
    fields=(
        Field("starts_at", options=_datetime_options, display=_show_datetime),
        Field("location", parse=_parse_title, optional=True),
    ),
)


async def new_start(ctx: Context, _argument: str) -> list[Reply]:
    """`buat acara`: admins only (the service refuses anyone else too)."""
    events.require_admin(ctx.user)
    return await NEW_FORM.start(ctx, intro="event_new.intro")


FLOW = Flow(
    name=NAME,
    start=start,
    on_action=on_action,
    keywords=("acara", "jadwal acara", "agenda", "event", "events", "forum"),
    commands=("acara", "events"),
    menu=MenuEntry("menu.events", frozenset({"all"}), order=60),
)
NEW_FLOW = NEW_FORM.flow(
    new_start,
    keywords=("buat acara", "acara baru", "new event", "create event"),
    commands=("buatacara",),
    menu=MenuEntry("menu.event_new", frozenset({"admin"}), order=82),
)
MOVE_FLOW = MOVE_FORM.flow()
CANCEL_FLOW = Flow(name=CANCEL, resume=cancel_resume, on_action=cancel_action)
