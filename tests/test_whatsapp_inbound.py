"""Webhook JSON -> Inbound and receipts, on the real-shaped fixtures (tests/fixtures/whatsapp/)."""

from __future__ import annotations

from bot.channels.whatsapp.inbound import parse
from bot.core.messages import Channel
from tests.fakes.graph_api import PHONE_NUMBER_ID, fixture, message, receipt


def _one(document: dict) -> tuple:
    parsed = parse(document, PHONE_NUMBER_ID)
    assert len(parsed.messages) == 1 and parsed.receipts == []
    return parsed.messages[0]


def test_text_keys_on_the_business_scoped_id_and_keeps_the_phone_in_e164() -> None:
    inbound, meta = _one(fixture("text"))
    assert inbound.channel is Channel.WHATSAPP
    assert inbound.external_id == "ID.1234567890123456"
    assert inbound.update_id.startswith("wamid.")
    assert inbound.text == "halo" and inbound.phone == "+6281234567890"
    assert inbound.display_name == "Sari Wulandari"
    assert meta == {"wa_id": "6281234567890"}


def test_button_and_list_replies_carry_the_core_payload_as_action() -> None:
    assert _one(fixture("button_reply"))[0].action == "PAYLOAD"
    assert _one(fixture("list_reply"))[0].action == "PAYLOAD"
    assert _one(message("button_reply", payload="start:lang:id"))[0].action == "start:lang:id"


def test_image_location_contacts_and_unsupported() -> None:
    image = _one(fixture("image"))[0]
    assert image.photo_ref == "whatsapp:1234567890123456" and image.text == "keripik cokelat"
    location = _one(fixture("location"))[0]
    assert location.text == "Toko Bu Sari, Jl. Ahmad Yani No. 12, Purwosari, Metro Utara"
    assert _one(fixture("contacts"))[0].contact_phone == "+62 812-3456-7890"
    sticker = _one(fixture("sticker"))[0]
    assert sticker.has_unsupported_media and not sticker.text and sticker.action is None


def test_a_payload_without_wa_id_has_no_phone() -> None:
    inbound, meta = _one(fixture("no_wa_id"))
    assert inbound.external_id == "ID.9876543210987654" and inbound.phone is None and meta == {}


def test_an_invalid_wa_id_is_not_stored_as_a_phone() -> None:
    inbound, meta = _one(message("text", wa_id="12"))
    assert inbound.phone is None and meta == {} and inbound.external_id == "ID.1234567890123456"


def test_receipts_and_other_numbers() -> None:
    parsed = parse(receipt("wamid.X", "failed", 131026), PHONE_NUMBER_ID)
    assert parsed.messages == [] and [(r.message_id, r.status, r.error_code) for r in parsed.receipts] == [
        ("wamid.X", "failed", "131026")
    ]
    delivered = parse(fixture("status_delivered"), PHONE_NUMBER_ID).receipts[0]
    assert delivered.status == "delivered" and delivered.error_code is None
    assert parse(fixture("text"), "another").messages == []
    assert parse({"object": "whatsapp_business_account", "entry": [{"changes": [{"value": "x"}]}]}, None).messages == []
