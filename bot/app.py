"""The composition root: settings, engine, sessions, flows and dispatcher, built in one place."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.core.dispatcher import Dispatcher
from bot.core.intake import Intake
from bot.db import create_engine, session_factory
from bot.migrate import upgrade
from bot.services import accounts, conversations, inbox, search
from bot.services.region import Region, bind_region, load_region
from handlers import build_registry

logger = logging.getLogger(__name__)


@dataclass
class App:
    """Everything a channel or command needs, owned by whoever built it."""

    settings: Settings
    region: Region
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    dispatcher: Dispatcher
    intake: Intake

    async def close(self) -> None:
        """Release the database connections."""
        await self.engine.dispose()


async def build_app(settings: Settings, *, migrate: bool = True) -> App:
    """Build the app; by default bring the schema up to date and clear stale state first."""
    region = load_region(settings.bot.region_file)  # a bad REGION_FILE stops the start, not a later search
    engine = create_engine(
        settings.database.url,
        echo=settings.database.echo,
        hide_parameters=not settings.bot.log_personal_data,
        pool_size=settings.database.pool_size,
    )
    if migrate:
        await upgrade(engine)
    sessions = bind_region(session_factory(engine), region)
    async with sessions() as session, session.begin():
        stale = await conversations.purge_stale(session, timedelta(hours=settings.bot.conversation_ttl_hours))
        old = await accounts.purge_processed(session, timedelta(days=7))
        old += await inbox.purge_handled(session, timedelta(days=7))
        granted, revoked = await accounts.sync_admins(session, settings.bot.admin_identities())
    if stale or old:
        logger.info("purged %s stale conversations and %s old update ids", stale, old)
    if granted or revoked:
        logger.info("ADMIN_IDS: admin rights granted to %s and revoked from %s users", granted, revoked)
    async with sessions() as session, session.begin():  # a release that changed the word lists or the region
        reindexed = await search.reindex_if_stale(session)
    if reindexed:
        logger.info("search index rebuilt for new word lists or region: %s product texts changed", reindexed)
    async with sessions() as session:  # the first buyer's question should not wait for the word lists
        logger.info("search ready in %.0f ms", await search.warm_up(session))
    dispatcher = Dispatcher(sessions, settings, build_registry())
    intake = Intake(sessions, dispatcher)
    return App(settings=settings, region=region, engine=engine, sessions=sessions, dispatcher=dispatcher, intake=intake)
