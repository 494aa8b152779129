"""The form engine: back, cancel, skip, edit from the summary, validation, old buttons, resume after restart."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.context import Context
from bot.core.dispatcher import Dispatcher
from bot.core.forms import Field, Form
from bot.core.messages import Reply
from bot.core.registry import Flow, Registry
from bot.db import session_factory
from bot.errors import ValidationError
from models import AuditLog, Conversation, User
from tests.support import Chat, make_settings

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


FORM = Form(
    name="demo",
    on_save=save,
    fields=(
        Field("name", "form.help", "form.btn_save", parse_name),
        Field("amount", "form.required", "form.btn_edit", parse_amount),
        Field(
            "size",
            "form.which_field",
            "form.btn_skip",
            str,
            options=lambda ctx: [("s", ctx.t("language.name_id")), ("l", ctx.t("language.name_en"))],
        ),
        Field("note", "form.at_first", "form.btn_back", str, optional=True),
        Field("photo", "form.need_photo", "form.btn_cancel", str, optional=True, kind="photo"),
    ),
)


async def start_demo(ctx: Context, _argument: str) -> list[Reply]:
    return await FORM.start(ctx)


def build_dispatcher(engine: AsyncEngine, url: str) -> Dispatcher:
    registry = Registry()
    registry.add(Flow("demo", start=start_demo, resume=FORM.resume, keywords=("isi",)))
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
    assert "Batal" in chat.labels() and "Kembali" not in chat.labels()
    await chat.say("x")  # too short
    assert "Jawab pertanyaan" in chat.text  # the question is asked again after the error
    assert len(chat.last) == 2
    await chat.say("Keripik Sari")
    await chat.say("lima")  # not a number
    assert len(chat.last) == 2
    await chat.say("15")
    await chat.say("2")  # second option of the size question, typed as a number
    await chat.say("lewati")  # optional note
    await chat.press("Lewati")  # optional photo, by button
    assert "Mohon periksa data berikut" in chat.text
    assert chat.labels() == ["Simpan", "Ubah", "Batal"]
    await chat.press("Simpan")
    assert chat.text == "saved"
    assert SAVED == [{"name": "Keripik Sari", "amount": 15, "size": "l", "note": None, "photo": None}]


async def test_back_keeps_earlier_answers_and_cancel_saves_nothing(dispatcher: Dispatcher, engine: AsyncEngine) -> None:
    chat = await onboarded_chat(dispatcher, engine)
    await chat.say("isi")
    await chat.say("kembali")
    assert "pertanyaan pertama" in chat.text
    await chat.say("Toko A")
    await chat.say("kembali")
    await chat.say("Toko B")
    await chat.say("7")
    await chat.press("Kembali")
    assert "Wajib" in chat.text or "wajib" in chat.text
    await chat.say("batal")
    assert "dibatalkan" in chat.text
    assert SAVED == []
    async with session_factory(engine)() as session:
        assert await session.scalar(select(func.count()).select_from(Conversation)) == 0


async def test_required_field_cannot_be_skipped_and_photo_needs_photo(
    dispatcher: Dispatcher, engine: AsyncEngine
) -> None:
    chat = await onboarded_chat(dispatcher, engine)
    await chat.say("isi")
    await chat.say("lewati")
    assert "wajib diisi" in chat.text
    for answer in ("Toko A", "3", "1", "catatan"):
        await chat.say(answer)
    await chat.say("ini bukan foto")
    assert "kirim foto" in chat.text
    await chat.photo("tg-file-123")
    assert chat.last[0].photo_ref == "tg-file-123"
    await chat.press("Simpan")
    assert SAVED[0]["photo"] == "tg-file-123"


async def test_edit_a_field_from_the_summary(dispatcher: Dispatcher, engine: AsyncEngine) -> None:
    chat = await onboarded_chat(dispatcher, engine)
    await chat.say("isi")
    for answer in ("Toko A", "3", "1", "lewati", "lewati"):
        await chat.say(answer)
    await chat.press("Ubah")
    assert "Bagian mana" in chat.text
    await chat.press("Ubah")  # the label of the "amount" field in this test form
    assert "Isian sekarang: 3" in chat.text
    await chat.say("30")
    assert "Mohon periksa" in chat.text  # straight back to the summary
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
    assert "pesan lama" in chat.text
    for forged in ("f:save:999999", "x" * 500, "f:", ":::", "menu:go:../../etc"):
        await chat.press_payload(forged)
        assert "pesan lama" in chat.text
    await chat.say("4")  # the amount question, still pending, takes the answer
    assert chat.labels()[:2] == ["Bahasa Indonesia", "English"]  # the next question (size) is asked
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
        await chat2.press("Simpan")
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
    assert "terlalu lama" in chat.text
