"""Conversations, one module per user goal. `build_registry` lists them in priority order."""

from __future__ import annotations

from bot.core.registry import Registry
from handlers import (
    admin,
    announcements,
    broadcast,
    claims,
    events,
    find,
    help,
    invites,
    language,
    leads,
    link_accounts,
    menu,
    my_data,
    needs,
    opd,
    products,
    register_vendor,
    roles,
    start,
    stats,
)


def build_registry() -> Registry:
    """Every flow, in the order typed keywords are tried; the catch-all last."""
    registry = Registry()
    for flow in (
        start.FLOW,
        start.ROLE_FLOW,
        start.CONSENT_FLOW,
        menu.FLOW,
        help.FLOW,
        language.FLOW,
        link_accounts.FLOW,
        my_data.DELETE_FLOW,
        my_data.SHOW_FLOW,
        register_vendor.FLOW,
        products.ADD_FLOW,
        products.LIST_FLOW,
        admin.FLOW,
        admin.APPROVED_FLOW,
        claims.FLOW,
        opd.FLOW,
        opd.CODE_FLOW,
        invites.FLOW,
        invites.CREATE_FLOW,
        roles.FLOW,
        roles.PROMOTE_FLOW,
        roles.DEMOTE_FLOW,
        announcements.FLOW,
        announcements.ON_FLOW,
        events.FLOW,
        events.NEW_FLOW,
        events.MOVE_FLOW,
        events.CANCEL_FLOW,
        broadcast.FLOW,
        broadcast.SEND_FLOW,
        broadcast.REPORT_FLOW,
        leads.FLOW,
        leads.INBOX_FLOW,
        leads.NEW_FLOW,
        leads.ASK_FLOW,
        needs.FLOW,
        needs.FORM_FLOW,
        stats.FLOW,
        find.FLOW,
    ):
        registry.add(flow)
    registry.fallback = find.fallback
    return registry
