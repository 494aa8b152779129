"""Broadcasts (admins only): `siaran` writes an announcement, chooses who gets it, previews, confirms.

The form asks the message (text, then an optional photo) and the audience: everyone, vendors, OPD staff,
vendors of one category or one kecamatan, or the people who said they would attend an event. Simpan shows the
exact number of recipients (and how many turned announcements off) and asks once more; only *Kirim* queues
it, all recipients in one transaction, for the delivery worker. `laporan siaran` shows how the latest ones
went; the admin also gets a summary when one finishes. An event's "Umumkan" button opens the form filled in,
with the event's Hadir / Mungkin / Tidak hadir buttons under the message.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from bot.core import actions
from bot.core.actions import Action
from bot.core.context import Context
from bot.core.forms import Field, Form, Options
from bot.core.i18n import Translator
from bot.core.menus import MenuEntry
from bot.core.messages import Choice, Reply
from bot.core.registry import Flow
from bot.errors import ValidationError
from bot.services import broadcasts, catalog, conversations, events, words
from bot.services.broadcasts import Audience
from bot.services.conversations import State
from handlers.events import when
from handlers.products import category_label

NAME = "broadcast"
SEND = "broadcast_send"
REPORT = "broadcast_report"
SEGMENT_LABELS = {
    "all": "broadcast.segment_all",
    "vendors": "broadcast.segment_vendors",
    "opd": "broadcast.segment_opd",
    "category": "broadcast.segment_category",
    "kecamatan": "broadcast.segment_kecamatan",
    "event": "broadcast.segment_event",
}


def _parse_message(text: str) -> str:
    text = text.strip()
    if len(text) < 3 or len(text) > broadcasts.MAX_TEXT:
        raise ValidationError("broadcast.bad_text", limit=broadcasts.MAX_TEXT)
    return text


def _segment_options(ctx: Context) -> Options:
    return Options(tuple((k, ctx.t(v)) for k, v in SEGMENT_LABELS.items()))


def _category_options(ctx: Context) -> Options:
    return Options(tuple((slug, category_label(ctx.t, slug)) for slug in catalog.CATEGORIES))


def _kecamatan_options(ctx: Context) -> Options:
    region = ctx.region
    return Options(tuple((name, name) for name in region.kecamatan_names), read=region.parse_kecamatan)


# The events an audience can be "the attendees of", read once per update before the form runs (the form
# engine's option functions are synchronous). A ContextVar keeps it to this update's task.
_COMING: ContextVar[tuple[tuple[int, str], ...]] = ContextVar("coming_events", default=())


def _event_options(ctx: Context) -> Options:
    return Options(tuple((str(e_id), title) for e_id, title in _COMING.get()), invalid="broadcast.pick_event")


def _show_segment(t: Translator, value: Any) -> str:
    return t(SEGMENT_LABELS.get(str(value), "broadcast.segment_all"))


def _audience(values: dict[str, Any]) -> Audience:
    segment = values.get("segment") or "all"
    arg = {"category": values.get("category"), "kecamatan": values.get("kecamatan"), "event": values.get("event")}
    return Audience(segment, arg.get(segment))


FORM = Form(
    NAME,
    on_save=lambda ctx, values: _preview(ctx, values),
    fields=(
        Field("message", parse=_parse_message, free_questions=True),
        Field("photo", kind="photo", optional=True),
        Field("segment", options=_segment_options, display=_show_segment),
        Field(
            "category", options=_category_options, display=category_label, when=lambda v: v.get("segment") == "category"
        ),
        Field("kecamatan", options=_kecamatan_options, when=lambda v: v.get("segment") == "kecamatan"),
        Field("event", options=_event_options, when=lambda v: v.get("segment") == "event"),
    ),
)


async def _with_events(ctx: Context) -> None:
    """The events a broadcast can be about, for the event question (read before the form needs them)."""
    coming = await events.upcoming(ctx.session, ctx.user, limit=10)
    _COMING.set(tuple((e.id, e.title) for e in coming))


async def start(ctx: Context, _argument: str) -> list[Reply]:
    """`siaran`: admins only (the service refuses anyone else as well)."""
    broadcasts.require_admin(ctx.user)
    return await FORM.start(ctx, intro="broadcast.intro")


async def resume(ctx: Context, state: State) -> list[Reply] | None:
    """The form, with the list of events at hand."""
    await _with_events(ctx)
    return await FORM.resume(ctx, state)


async def on_action(ctx: Context, action: Action) -> list[Reply]:
    """`broadcast:event:<id>`: announce an event (the form filled in, at its summary)."""
    broadcasts.require_admin(ctx.user)
    if action.verb != "event":
        return [ctx.say("form.old_button")]
    event = await events.get(ctx.session, action.int_arg(0))
    text = ctx.t(
        "broadcast.event_text", title=event.title, when=when(ctx, event.starts_at), place=event.location or "-"
    )
    segment = {"all": "all", "vendors": "vendors", "opd": "opd"}.get(event.audience, "all")
    initial = {"message": text, "segment": segment, "invite_to": event.id}
    return await FORM.start(ctx, initial, at="summary", intro="broadcast.intro_event", title=event.title)


# ---- preview with the exact count, then send -----------------------------------------------------------


async def _preview(ctx: Context, values: dict[str, Any]) -> list[Reply]:
    """Simpan: count the recipients and ask once more before anything is queued."""
    audience = _audience(values)
    recipients, opted_out = await broadcasts.count(ctx.session, ctx.user, audience)
    data = {
        "message": values["message"],
        "photo": values.get("photo"),
        "segment": audience.segment,
        "arg": audience.arg,
        "invite_to": values.get("invite_to"),
        "recipients": recipients,
    }
    state = await conversations.begin(ctx.session, ctx.user.id, SEND, "confirm", data)
    return [_confirm(ctx, state, recipients, opted_out)]


def _confirm(ctx: Context, state: State, recipients: int, opted_out: int) -> Reply:
    t = ctx.t
    text = t.plural("broadcast.preview", "broadcast.preview_plural", recipients, opted_out=opted_out)
    choices = (
        Choice(t("broadcast.btn_send", n=recipients), actions.encode(SEND, "yes", state.id)),
        Choice(t("broadcast.btn_dont_send"), actions.encode(SEND, "no", state.id)),
    )
    return Reply(text, choices, photo_ref=state.data.get("photo"))


async def send_resume(ctx: Context, state: State) -> list[Reply] | None:
    """The answer to "send it to N people?": a button of this question, or a typed yes / no."""
    action = ctx.action
    if action is not None and action.prefix == SEND:
        if action.arg(0) != str(state.id):
            return [ctx.say("form.old_button"), _confirm(ctx, state, int(state.data.get("recipients", 0)), 0)]
        answer: bool | None = action.verb == "yes"
    elif ctx.inbound.action is None:
        answer = words.yes_no(ctx.text)
    else:
        answer = None
    await conversations.clear(ctx.session, ctx.user.id)
    if answer is None:
        return None
    if not answer:
        return [ctx.say("broadcast.not_sent")]
    data = state.data
    broadcast = await broadcasts.create(
        ctx.session,
        ctx.user,
        str(data["message"]),
        Audience(str(data["segment"]), data.get("arg")),
        photo_ref=data.get("photo"),
        invite_to=data.get("invite_to"),
    )
    return [ctx.say("broadcast.queued", id=broadcast.id, n=broadcast.total)]


async def send_action(ctx: Context, _action: Action) -> list[Reply]:
    """A send button of a question that is no longer open: nothing is sent."""
    return [ctx.say("form.old_button")]


# ---- the report ----------------------------------------------------------------------------------------------


async def report(ctx: Context, _argument: str) -> list[Reply]:
    """`laporan siaran`: the latest broadcasts and how their delivery went."""
    latest = await broadcasts.recent(ctx.session, ctx.user)
    if not latest:
        return [ctx.say("broadcast.report_none")]
    t = ctx.t
    lines = [t("broadcast.report_title")]
    for item in latest:
        minutes = round(item.seconds / 60, 1) if item.seconds is not None else None
        lines.append(
            t(
                "broadcast.report_line",
                id=item.id,
                when=when(ctx, item.created_at),
                audience=_show_segment(t, item.audience.segment),
                text=item.text[:60],
                total=item.total,
                sent=item.sent,
                failed=item.failed,
                blocked=item.blocked,
                pending=item.pending,
                opted_out=item.opted_out,
                needs_template=item.needs_template,
                waiting_cap=item.waiting_cap,
            )
        )
        lines.append(
            t("broadcast.report_done", minutes=minutes) if minutes is not None else t("broadcast.report_running")
        )
    return [Reply("\n".join(lines))]


FLOW = Flow(
    name=NAME,
    start=start,
    resume=resume,
    on_action=on_action,
    keywords=("siaran", "buat siaran", "broadcast", "umumkan", "pengumuman"),
    commands=("siaran", "broadcast"),
    menu=MenuEntry("menu.broadcast", frozenset({"admin"}), order=84),
)
SEND_FLOW = Flow(name=SEND, resume=send_resume, on_action=send_action)
REPORT_FLOW = Flow(
    name=REPORT,
    start=report,
    keywords=("laporan siaran", "broadcast report", "hasil siaran"),
    commands=("laporansiaran",),
    menu=MenuEntry("menu.broadcast_report", frozenset({"admin"}), order=86),
)
