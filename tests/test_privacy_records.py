"""What the bot keeps about people outside their own rows: audit references, logs, logged searches."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.app import App, build_app
from bot.config import Settings
from bot.core import actions
from bot.core.i18n import Translator
from bot.logs import PERSONAL_DATA_LOGGERS, configure_logging
from bot.services import audit, catalog, search_log
from bot.services.search import search
from models import AuditLog, Identity, SearchLog, User
from tests.support import Chat, make_settings, onboard


async def test_a_refused_forged_payload_leaves_no_personal_text_in_the_audit_log(app: App) -> None:
    chat = await onboard(app.dispatcher, "rina", "Staf OPD")
    await chat.press_payload(actions.encode("admin", "ok", 1, "Siti Rahma 081234567890"))
    assert chat.text == Translator("id")("error.not_allowed")
    async with app.sessions() as session:
        row = await session.scalar(select(AuditLog).where(AuditLog.action == "permission.denied"))
    assert row is not None
    assert (row.subject, row.detail) == (audit.REDACTED, "error.not_allowed")


def test_audit_references_are_plain_codes_never_text() -> None:
    for kept in ("user:12", "vendor:V-0003", "prod:open:42", "error.not_allowed", "product:P-ab.c_1"):
        assert audit.reference(kept) == kept
    personal_texts = ("Siti Rahma", "admin:ok:1:Siti Rahma", "tel:081234567890", "+6281234567890", "Jl. Kenanga")
    for personal in (*personal_texts, "x" * 129):
        assert audit.reference(personal) == audit.REDACTED
    assert audit.reference(None) is None and audit.reference("") is None


async def test_an_audit_action_must_be_a_code(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session:
        with pytest.raises(ValueError, match="dotted code"):
            audit.record(session, None, "Siti deleted her data")


@pytest.fixture
def logger_levels() -> Iterator[None]:
    """Put back what configure_logging and SQL echo change, so other tests see the loggers as they were."""
    names = [*PERSONAL_DATA_LOGGERS, "sqlalchemy.engine.Engine"]
    saved = {name: (logging.getLogger(name).level, list(logging.getLogger(name).handlers)) for name in names}
    yield
    for name, (level, handlers) in saved.items():
        logger = logging.getLogger(name)
        logger.setLevel(level)
        logger.handlers[:] = handlers


async def test_debug_logs_and_sql_echo_keep_names_phones_and_addresses_out(
    engine: AsyncEngine, database_url: str, caplog: pytest.LogCaptureFixture, logger_levels: None
) -> None:
    caplog.set_level(logging.DEBUG)
    configure_logging("DEBUG")  # as `banggabeli run` with LOG_LEVEL=DEBUG, LOG_PERSONAL_DATA unset
    settings = make_settings(database_url, log_level="DEBUG")
    settings.database.echo = True
    app = await build_app(settings, migrate=False)
    try:
        chat = Chat(app.dispatcher, "siti")
        await chat.say("halo", display_name="Siti Rahmawati", phone="0812-9876-5432")
        await chat.press("Bahasa Indonesia")
        await chat.press("Pelaku usaha")
        await chat.press("Setuju")
        async with app.sessions() as session, session.begin():
            user = await session.scalar(select(User).join(Identity).where(Identity.external_id == "siti"))
            assert user is not None and user.phone == "+6281298765432"
            values = {
                "business_name": "Warung Bu Siti",
                "owner_name": "Siti Rahmawati",
                "phone": "+6281298765432",
                "kecamatan": "Metro Utara",
                "address": "Jalan Kenanga Nomor 17",
            }
            await catalog.save_vendor(session, user, values)
        await chat.say("data saya")
        assert "Jalan Kenanga" in chat.text  # the data is there, shown to its owner...
    finally:
        await app.close()
    logged = caplog.text
    assert "INSERT INTO" in logged or "executing" in logged  # ...and the database work was logged
    for personal in ("Rahmawati", "9876", "98765432", "Kenanga", "Bu Siti"):
        assert personal not in logged, personal


def test_personal_data_reaches_logs_only_when_the_setting_says_so(
    caplog: pytest.LogCaptureFixture, logger_levels: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert Settings(env_file=None).bot.log_personal_data is False
    monkeypatch.setenv("LOG_PERSONAL_DATA", "true")
    assert Settings(env_file=None).bot.log_personal_data is True
    caplog.set_level(logging.DEBUG)
    configure_logging("DEBUG", personal_data=True)
    assert logging.getLogger("aiosqlite").isEnabledFor(logging.DEBUG)
    configure_logging("DEBUG")
    assert not logging.getLogger("aiosqlite").isEnabledFor(logging.DEBUG)
    assert not logging.getLogger("sqlalchemy.engine.Engine").isEnabledFor(logging.DEBUG)  # result rows


async def test_my_data_lists_what_stays_after_deletion(app: App) -> None:
    chat = await onboard(app.dispatcher, "sari")
    await chat.say("data saya")
    assert Translator("id")("data.footer") in chat.text
    kept = {"id": ("akun", "pencarian", "audit"), "en": ("account", "search", "audit")}
    for locale, words in kept.items():
        footer = Translator(locale)("data.footer").casefold()
        assert all(word in footer for word in words), (locale, footer)


async def test_only_the_user_who_searched_can_page_that_search(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session, session.begin():
        asker, other = User(), User()
        session.add_all([asker, other])
        await session.flush()
        first = await search(session, "keripik pisang", user_id=asker.id)
        assert first.search_log_id is not None
        assert await search_log.page(session, first.search_log_id, other.id, offset=0, limit=5) is None
        assert await search_log.page(session, None, asker.id, offset=0, limit=5) is None
        assert await search_log.page(session, first.search_log_id + 1, asker.id, offset=0, limit=5) is None
        page = await search_log.page(session, first.search_log_id, asker.id, offset=5, limit=5)
        assert page is not None and page.query == "keripik pisang"
        assert page.result.search_log_id == first.search_log_id
        assert await session.scalar(select(func.count()).select_from(SearchLog)) == 1  # paging logs nothing
