"""The `banggabeli` command: chat in a terminal, run the bot, manage the database and the catalog."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Annotated

import typer

from bot.cli_catalog import DEMO_DATABASE_URL, export_command, import_command, search_command
from bot.config import Settings
from bot.logs import configure_logging

app = typer.Typer(
    no_args_is_help=True, add_completion=False, help="Bangga Beli Bot — business matching for Kota Metro."
)
db_app = typer.Typer(no_args_is_help=True, help="Database schema.")
app.add_typer(db_app, name="db")

if TYPE_CHECKING:
    from bot.app import App


def _settings(database_url: str | None = None) -> Settings:
    settings = Settings()
    if database_url:
        settings.database.url = database_url
    configure_logging(settings.bot.log_level, personal_data=settings.bot.log_personal_data)
    return settings


@app.command()
def chat(
    user: Annotated[str, typer.Option("--user", "-u", help="Who you are in this chat (a console identity).")] = "tamu",
    demo: Annotated[bool, typer.Option("--demo", help="Use a demo database filled with Metro vendors.")] = False,
    database_url: Annotated[str | None, typer.Option("--database-url", help="Overrides DATABASE_URL.")] = None,
) -> None:
    """Chat with the bot in this terminal (or through a pipe: one message per line)."""
    from bot.channels.console import run_console

    settings = _settings(database_url or (DEMO_DATABASE_URL if demo else None))
    logging.getLogger().setLevel(logging.WARNING)  # the terminal is the chat; only problems go to stderr

    async def main() -> int:
        from bot.app import build_app

        application = await build_app(settings)
        try:
            if demo:
                await _load_demo(application)
            return await run_console(application.dispatcher, user)
        finally:
            await application.close()

    raise typer.Exit(asyncio.run(main()))


async def _load_demo(application: App) -> None:
    from bot.services.catalog_io import load_demo_catalog

    await load_demo_catalog(application.sessions)


@app.command()
def run() -> None:
    """Run the bot on the channels configured in the environment (Telegram), with a delivery worker."""
    settings = _settings()
    if settings.telegram.bot_token is None and not settings.whatsapp.enabled:
        typer.echo(
            "Belum ada kanal yang dikonfigurasi / no channel is configured.\n"
            "Set TELEGRAM_BOT_TOKEN (from @BotFather) or WHATSAPP_TOKEN and WHATSAPP_PHONE_NUMBER_ID in the\n"
            "environment or in .env, see .env.example.\n"
            "To try the bot without a token: banggabeli chat --demo",
            err=True,
        )
        raise typer.Exit(2)
    from bot.channels.runner import run_channels

    asyncio.run(run_channels(settings))


@app.command()
def worker() -> None:
    """Run only the delivery worker (broadcasts, notices, reminders); on PostgreSQL run as many as you like."""
    settings = _settings()
    if settings.telegram.bot_token is None and not settings.whatsapp.enabled:
        typer.echo("No channel to deliver to: set TELEGRAM_BOT_TOKEN or WHATSAPP_* (see .env.example).", err=True)
        raise typer.Exit(2)
    from bot.channels.runner import run_worker

    asyncio.run(run_worker(settings))


app.command("search")(search_command)
app.command("import")(import_command)
app.command("export")(export_command)


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument(help="Target revision.")] = "head") -> None:
    """Apply the database migrations (the bot also does this at start-up)."""
    settings = _settings()

    async def main() -> None:
        from bot.db import create_engine
        from bot.migrate import upgrade

        engine = create_engine(settings.database.url)
        try:
            await upgrade(engine, revision)
        finally:
            await engine.dispose()

    asyncio.run(main())
    typer.echo(f"Database is at {revision}: {settings.database.url}")


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
