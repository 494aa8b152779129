"""The form engine: back, cancel, skip, edit from the summary, validation, old buttons, resume after restart."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.context import Context
from bot.core.dispatcher import Dispatcher
from bot.core.forms import Field, Form, Options
from bot.core.messages import Reply
from bot.core.registry import Registry
from bot.db import session_factory
from bot.errors import ValidationError
from models import AuditLog, Conversation, User
from tests.support import Chat, make_settings, t

SAVED: list[dict[str, Any]] = []


def parse_name(text: str) -> str:
    if len(text) < 2:
        raise ValidationError("form.need_text")
    return text


def parse_amount(text: str) -> int:
    if not text.isdigit():
        raise ValidationError("parse.quantity.invalid")
    return int(text)


async def save(ctx: Context, values: dict[str, Any]) -> list[Reply]:
    SAVED.append(values)
    ctx.session.add(AuditLog(actor_user_id=ctx.user.id, action="test.saved", detail=str(values)))
    return [Reply("saved")]


def size_options(ctx: Context) -> Options:
    return Options((("s", ctx.t("language.name_id")), ("l", ctx.t("language.name_en"))))


# The test form borrows existing locale keys (overriding the derived `demo.ask_<field>` / `demo.label_<field>`).
FORM = Form(
    "demo",
    on_save=save,
    fields=(
        Field("name", parse=parse_name, prompt="form.help", label="form.btn_save"),
        Field("amount", parse=parse_amount, prompt="form.required", label="form.btn_edit"),
        Field("size", options=size_options, prompt="form.which_field", label="form.btn_skip"),
        Field("note", parse=str, optional=True, prompt="form.at_first", label="form.btn_back"),
        Field("photo", kind="photo", optional=True, prompt="form.need_photo", label="form.btn_cancel"),
    ),
)


def build_dispatcher(engine: AsyncEngine, url: str) -> Dispatcher:
    registry = Registry()
    registry.add(FORM.flow(keywords=("isi",)))
    return Dispatcher(session_factory(engine), make_settings(url), registry)


@pytest.fixture
def dispatcher(engine: AsyncEngine, database_url: str) -> Dispatcher:
    SAVED.clear()
    return build_dispatcher(engine, database_url)


async def onboarded_chat(dispatcher: Dispatcher, engine: AsyncEngine) -> Chat:
    chat = Chat(dispatcher, "sari")
    await chat.say("hai")  # no start flow registered: creates the user
    async with session_factory(engine)() as session, session.begin():
        user = await session.scalar(select(User))
        assert user is not None
        user.onboarded = True
    return chat


async def test_happy_path_with_validation_and_skip(dispatcher: Dispatcher, engine: AsyncEngine) -> None:
    chat = await onboarded_chat(dispatcher, engine)
    await chat.say("isi")
    assert t("form.btn_cancel") in chat.labels() and t("form.btn_back") not in chat.labels()
    await chat.say("x")  # too short
    assert chat.said("form.need_text") and chat.said("form.help")  # the question is asked again after the error
    assert len(chat.last) == 2
    await chat.say("Keripik Sari")
    await chat.say("lima")  # not a number
    assert len(chat.last) == 2
    await chat.say("15")
    await chat.say("2")  # second option of the size question, typed as a number
    await chat.say("lewati")  # optional note
    await chat.press(t("form.btn_skip"))  # optional photo, by button
    assert chat.said("form.summary_title")
    assert chat.labels() == [t("form.btn_save"), t("form.btn_edit"), t("form.btn_cancel")]
    await chat.press(t("form.btn_save"))
    assert chat.text == "saved"
    assert SAVED == [{"name": "Keripik Sari", "amount": 15, "size": "l", "note": None, "photo": None}]


async def test_back_keeps_earlier_answers_and_cancel_saves_nothing(dispatcher: Dispatcher, engine: AsyncEngine) -> None:
    chat = await onboarded_chat(dispatcher, engine)
    await chat.say("isi")
    await chat.say("kembali")
    assert chat.said("form.at_first")
    await chat.say("Toko A")
    await chat.say("kembali")
    await chat.say("Toko B")
    await chat.say("7")
    await chat.press(t("form.btn_back"))
    assert chat.said("form.required")  # the amount question again (its prompt in this test form)
    await chat.say("batal")
    assert chat.said("form.cancelled")
    assert SAVED == []
    async with session_factory(engine)() as session:
        assert await session.scalar(select(func.count()).select_from(Conversation)) == 0


async def test_required_field_cannot_be_skipped_and_photo_needs_photo(
    dispatcher: Dispatcher, engine: AsyncEngine
) -> None:
    chat = await onboarded_chat(dispatcher, engine)
    await chat.say("isi")
    await chat.say("lewati")
    assert chat.said("form.required")
    for answer in ("Toko A", "3", "1", "catatan"):
        await chat.say(answer)
    await chat.say("ini bukan foto")
    assert chat.said("form.need_photo")
    await chat.photo("tg-file-123")
    assert chat.last[0].photo_ref == "tg-file-123"
    await chat.press(t("form.btn_save"))
    assert SAVED[0]["photo"] == "tg-file-123"


async def test_edit_a_field_from_the_summary(dispatcher: Dispatcher, engine: AsyncEngine) -> None:
    chat = await onboarded_chat(dispatcher, engine)
    await chat.say("isi")
    for answer in ("Toko A", "3", "1", "lewati", "lewati"):
        await chat.say(answer)
    await chat.press(t("form.btn_edit"))
    assert chat.said("form.which_field")
    await chat.press(t("form.btn_edit"))  # the label of the "amount" field in this test form
    assert chat.said("form.current_value", prompt=t("form.required"), value="3")
    await chat.say("30")
    assert chat.said("form.summary_title")  # straight back to the summary
    await chat.say("simpan")
    assert SAVED[0]["amount"] == 30 and SAVED[0]["name"] == "Toko A"


async def test_old_and_forged_buttons_change_nothing(dispatcher: Dispatcher, engine: AsyncEngine) -> None:
    chat = await onboarded_chat(dispatcher, engine)
    await chat.say("isi")
    old_cancel = next(c.action for r in chat.last for c in r.choices)
    await chat.say("batal")
    await chat.say("isi")
    await chat.say("Toko Baru")
    await chat.press_payload(old_cancel)  # from the first, cancelled form
    assert chat.said("form.old_button")
    for forged in ("f:save:999999", "f:save:999999:s", "x" * 500, "f:", ":::", "menu:go:../../etc", "a\udcff:b"):
        await chat.press_payload(forged)
        assert chat.said("form.old_button")
    await chat.say("4")  # the amount question, still pending, takes the answer
    assert chat.labels()[:2] == [t("language.name_id"), t("language.name_en")]  # the next question (size) is asked
    async with session_factory(engine)() as session:
        row = await session.scalar(select(Conversation))
        assert row is not None and row.data["values"] == {"name": "Toko Baru", "amount": 4}


async def test_resume_after_restart_keeps_answers(engine: AsyncEngine, database_url: str) -> None:
    SAVED.clear()
    first = build_dispatcher(engine, database_url)
    chat = await onboarded_chat(first, engine)
    await chat.say("isi")
    await chat.say("Toko Sari")
    await chat.say("12")
    # The process restarts: a new engine and dispatcher on the same database file / server.
    from bot.db import create_engine

    engine2 = create_engine(database_url)
    try:
        second = build_dispatcher(engine2, database_url)
        chat2 = Chat(second, "sari")
        await chat2.say("1")  # answers the size question that was pending
        await chat2.say("lewati")
        await chat2.say("lewati")
        await chat2.press(t("form.btn_save"))
    finally:
        await engine2.dispose()
    assert SAVED == [{"name": "Toko Sari", "amount": 12, "size": "s", "note": None, "photo": None}]


async def test_stale_state_expires(engine: AsyncEngine, database_url: str) -> None:
    SAVED.clear()
    dispatcher = build_dispatcher(engine, database_url)
    chat = await onboarded_chat(dispatcher, engine)
    await chat.say("isi")
    async with session_factory(engine)() as session, session.begin():
        row = await session.scalar(select(Conversation))
        assert row is not None
        from datetime import timedelta

        row.updated_at = row.updated_at - timedelta(days=30)
    await chat.say("Toko Lama")
    assert chat.said("conversation.expired")


async def test_old_buttons_of_an_earlier_question_do_not_answer_the_open_one(
    dispatcher: Dispatcher, engine: AsyncEngine
) -> None:
    chat = await onboarded_chat(dispatcher, engine)
    await chat.say("isi")
    await chat.say("Toko A")
    await chat.say("3")
    size_buttons = {c.label: c.action for r in chat.last for c in r.choices}
    await chat.press(t("language.name_id"))  # size answered; the note question is open
    note_buttons = {c.label: c.action for r in chat.last for c in r.choices}
    await chat.say("catatan")  # note answered; the photo question is open
    for stale in (
        size_buttons[t("language.name_en")],
        size_buttons[t("form.btn_back")],
        note_buttons[t("form.btn_skip")],
    ):
        await chat.press_payload(stale)
        assert chat.said("form.old_button") and chat.said("form.need_photo")  # and the open question again
    await chat.press(t("form.btn_skip"))
    await chat.press(t("form.btn_save"))
    assert SAVED == [{"name": "Toko A", "amount": 3, "size": "s", "note": "catatan", "photo": None}]


def test_a_form_builds_its_flow_and_derives_its_keys() -> None:
    flow = FORM.flow(keywords=("isi",))
    assert (flow.name, flow.resume) == (FORM.name, FORM.resume)  # no name to pair by hand
    plain = Form("toko", on_save=save, fields=(Field("nama_pemilik", parse=parse_name),))
    field = plain.fields[0]
    assert (plain.prompt_key(field), plain.label_key(field)) == ("toko.ask_nama_pemilik", "toko.label_nama_pemilik")
    with pytest.raises(ValueError):
        Field("both", parse=parse_name, options=size_options)
    with pytest.raises(ValueError):
        Form("dup", on_save=save, fields=(Field("a", parse=str), Field("a", parse=str)))


@pytest.mark.parametrize("locale", ["id", "en"])
def test_every_form_field_has_its_question_and_label_in_every_catalog(locale: str) -> None:
    """Keys are derived from names, so no literal in the code names them: check them here."""
    from bot.core.i18n import load_catalog
    from handlers import products, register_vendor

    catalog = load_catalog(locale)
    for form in (register_vendor.FORM, products.FORM):
        for f in form.fields:
            for key in (form.prompt_key(f), form.label_key(f)):
                assert catalog.gettext(key) not in ("", key), (locale, key)
