"""A registration over WhatsApp whose steps offer 2, 3, 4 and 12 choices: the fake Graph API receives reply
buttons for 2 and 3, a list for 4 (yes / no / back / cancel), numbered text for 12 (the kecamatan question in a
region of ten kecamatan, with back and cancel)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import App, build_app
from bot.services.region import DEFAULT_REGION_PATH
from tests.fakes.graph_api import FakeGraphAPI
from tests.support import PROFILE_ANSWERS, WhatsAppUser, make_settings, message_shapes, running_whatsapp, t


@pytest.fixture
async def ten_kecamatan(engine: AsyncEngine, database_url: str, tmp_path: Path) -> AsyncIterator[App]:
    """The whole bot in a region of ten kecamatan (Kota Metro's five and five of Lampung Timur)."""
    region = json.loads(DEFAULT_REGION_PATH.read_text(encoding="utf-8"))
    others = ("Sukadana", "Pekalongan", "Batanghari", "Sekampung", "Way Jepara")
    region["kecamatan"] += [{"name": name, "kelurahan": [f"{name} Induk"]} for name in others]
    path = tmp_path / "region_ten.json"
    path.write_text(json.dumps(region), encoding="utf-8")
    application = await build_app(make_settings(database_url, region_file=path), migrate=False)
    yield application
    await application.close()


async def test_a_registration_with_2_3_4_and_12_choices(ten_kecamatan: App, graph: FakeGraphAPI) -> None:
    async with running_whatsapp(ten_kecamatan, graph) as server:
        user = WhatsAppUser(server, graph)
        shapes = [message_shapes(await user.say("halo"))]
        shapes.append(message_shapes(await user.press("Bahasa Indonesia")))
        shapes.append(message_shapes(await user.press("Pelaku usaha")))
        await user.press(t("start.btn_agree"))
        await user.say("daftar usaha")
        for answer in PROFILE_ANSWERS:
            shapes.append(message_shapes(await user.say(answer)))
        shapes.append(message_shapes(await user.press(t("vendor.visibility_all"))))
        shapes.append(message_shapes(await user.press(t("form.btn_edit"))))
    assert graph.refused == []  # every body within the Cloud API's limits
    assert shapes == EXPECTED, shapes


EXPECTED = [
    [("text", 0), ("button", 2)],  # welcome; the language: 2 reply buttons
    [("list", 3)],  # the role: 3 choices whose labels pass 20 characters, so a list
    [("button", 2)],  # consent: agree / do not agree
    [("button", 2)],  # business name given; the owner's name question (back / cancel)
    [("button", 2)],  # the phone question
    [("text", 12)],  # the kecamatan: 10 + back + cancel = 12 choices, numbered text
    [("button", 2)],  # the address
    [("button", 3)],  # NIB (skip / back / cancel)
    [("list", 4)],  # e-Katalog: yes / no / back / cancel = 4 choices, a list
    [("button", 3)],  # the e-Katalog link
    [("list", 4)],  # TKDN certificate: yes / no / back / cancel
    [("button", 3)],  # halal
    [("button", 3)],  # P-IRT
    [("button", 2)],  # description
    [("list", 4)],  # who sees the phone number: everyone / OPD only / back / cancel
    [("button", 3)],  # the summary: save / edit / cancel
    [("text", 14)],  # which field to change: 14 choices, numbered text
]
