"""`statistik` for Dinas admins: a short summary, PNG charts in the chat, and the same tables as XLSX.

The numbers come from bot/services/stats.py (which refuses anyone but an admin); the charts are drawn in a
worker thread (bot/services/stats_charts.py) so the bot keeps answering others meanwhile.
"""

from __future__ import annotations

import asyncio

from bot.core import actions
from bot.core.actions import Action
from bot.core.context import Context
from bot.core.i18n import Translator
from bot.core.menus import MenuEntry
from bot.core.messages import Attachment, Choice, Reply
from bot.core.registry import Flow
from bot.services import categories, leads, stats, stats_charts
from bot.services.stats import Stats
from bot.services.table_export import Table, tables_xlsx
from handlers.needs import needs_table

NAME = "stat"
CAPTIONS = {
    "statistik-kategori.png": "stats.chart_category",
    "statistik-kecamatan.png": "stats.chart_kecamatan",
    "statistik-klaim.png": "stats.chart_claims",
    "statistik-pencarian.png": "stats.chart_searches",
    "statistik-permintaan.png": "stats.chart_leads",
}


def _percent(value: float) -> str:
    return f"{round(100 * value)}%"


def _category(t: Translator, slug: str | None) -> str:
    return categories.CATEGORIES.get(slug, slug) if slug else t("form.empty_value")


def _place(t: Translator, name: str | None) -> str:
    return name or t("form.empty_value")


def _summary(t: Translator, data: Stats) -> str:
    checked = sum(c.checked for c in data.claims)
    claimed = checked + sum(c.unchecked for c in data.claims)
    lines = [
        t("stats.title"),
        t("stats.catalog", vendors=data.vendors, products=data.products, categories=len(data.by_category)),
        t("stats.claims", checked=checked, total=claimed),
        t("stats.searches", weeks=len(data.weeks), searches=data.searches, rate=_percent(data.hit_rate)),
        t(
            "stats.leads",
            total=sum(data.leads.values()),
            answered=data.leads[leads.ANSWERED],
            done=data.leads[leads.DONE],
            declined=data.leads[leads.DECLINED],
            expired=data.leads[leads.EXPIRED],
            waiting=data.leads[leads.NEW],
        ),
    ]
    if data.needs:
        top = ", ".join(t("stats.need_item", need=n.label, count=n.requests) for n in data.needs[:3])
        lines.append(t("stats.needs", needs=top))
    else:
        lines.append(t("stats.no_needs"))
    return "\n".join(lines)


def _charts(t: Translator, data: Stats) -> list[tuple[str, bytes]]:
    """(file name, PNG) for each chart; CPU work, run in a thread."""
    vendors, products = t("stats.series_vendors"), t("stats.series_products")
    out = [
        (
            "statistik-kategori.png",
            stats_charts.bars(
                t("stats.chart_category"),
                [_category(t, g.group) for g in data.by_category],
                [(vendors, [g.vendors for g in data.by_category]), (products, [g.products for g in data.by_category])],
            ),
        ),
        (
            "statistik-kecamatan.png",
            stats_charts.bars(
                t("stats.chart_kecamatan"),
                [_place(t, g.group) for g in data.by_kecamatan],
                [
                    (vendors, [g.vendors for g in data.by_kecamatan]),
                    (products, [g.products for g in data.by_kecamatan]),
                ],
            ),
        ),
        (
            "statistik-klaim.png",
            stats_charts.stacked(
                t("stats.chart_claims"),
                [t(f"stats.claim_{c.claim}") for c in data.claims],
                [
                    (t("stats.series_checked"), [c.checked for c in data.claims]),
                    (t("stats.series_unchecked"), [c.unchecked for c in data.claims]),
                ],
            ),
        ),
        (
            "statistik-pencarian.png",
            stats_charts.bars_and_rate(
                t("stats.chart_searches"),
                [w.week.strftime("%d-%m") for w in data.weeks],
                (t("stats.series_searches"), [w.searches for w in data.weeks]),
                (t("stats.series_hit_rate"), [w.hit_rate for w in data.weeks]),
            ),
        ),
        (
            "statistik-permintaan.png",
            stats_charts.bars(
                t("stats.chart_leads"),
                [t(f"leads.status_{s}") for s in leads.STATUSES],
                [(t("stats.series_leads"), [data.leads[s] for s in leads.STATUSES])],
            ),
        ),
    ]
    return out


def _tables(t: Translator, data: Stats) -> list[Table]:
    def groups(title: str, first: str, rows: list[tuple[str, int, int]]) -> Table:
        return Table(title, [first, t("stats.series_vendors"), t("stats.series_products")], rows)

    return [
        groups(
            t("stats.sheet_category"),
            t("stats.column_category"),
            [(_category(t, g.group), g.vendors, g.products) for g in data.by_category],
        ),
        groups(
            t("stats.sheet_kecamatan"),
            t("stats.column_kecamatan"),
            [(_place(t, g.group), g.vendors, g.products) for g in data.by_kecamatan],
        ),
        Table(
            t("stats.sheet_claims"),
            [t("stats.column_claim"), t("stats.series_checked"), t("stats.series_unchecked")],
            [(t(f"stats.claim_{c.claim}"), c.checked, c.unchecked) for c in data.claims],
        ),
        Table(
            t("stats.sheet_searches"),
            [t("stats.column_week"), t("stats.series_searches"), t("stats.column_hits"), t("stats.series_hit_rate")],
            [(w.week.isoformat(), w.searches, w.hits, round(w.hit_rate, 3)) for w in data.weeks],
        ),
        Table(
            t("stats.sheet_leads"),
            [t("stats.column_status"), t("stats.series_leads")],
            [(t(f"leads.status_{s}"), data.leads[s]) for s in leads.STATUSES],
        ),
        needs_table(t, data.needs),
    ]


async def _collect(ctx: Context) -> Stats:
    zone = ctx.settings.bot.timezone
    return await stats.collect(ctx.session, ctx.user, leads.local_today(zone), zone)


async def start(ctx: Context, _argument: str = "") -> list[Reply]:
    """The summary, then one photo per chart, then the export button."""
    data = await _collect(ctx)
    charts = await asyncio.to_thread(_charts, ctx.t, data)
    export = Choice(ctx.t("stats.btn_export"), actions.encode(NAME, "export"))
    replies = [Reply(_summary(ctx.t, data))]
    replies += [Reply(ctx.t(CAPTIONS[name]), attachment=Attachment(name, png, photo=True)) for name, png in charts]
    replies.append(Reply(ctx.t("stats.export_offer"), (export,)))
    return replies


async def on_action(ctx: Context, action: Action) -> list[Reply]:
    """The XLSX export (the service checks the admin again)."""
    if action.verb != "export":
        return [ctx.say("form.old_button")]
    data = await _collect(ctx)
    file = Attachment("statistik-bangga-beli.xlsx", tables_xlsx(_tables(ctx.t, data)))
    return [Reply(ctx.t("stats.exported"), attachment=file)]


FLOW = Flow(
    name=NAME,
    start=start,
    on_action=on_action,
    keywords=("statistik", "laporan statistik", "statistics", "stats"),
    commands=("statistik", "stats"),
    menu=MenuEntry("menu.stats", frozenset({"admin"}), order=81),
)
