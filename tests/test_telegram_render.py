"""Rendering replies for Telegram, and reading Telegram updates, without a network."""

from __future__ import annotations

from typing import Any

import pytest
from aiogram.types import InlineKeyboardMarkup, ReplyKeyboardMarkup, Update

from bot.channels.telegram.guards import FloodGuard, RecentUpdates, Verdict
from bot.channels.telegram.inbound import callback_to_inbound, message_to_inbound
from bot.channels.telegram.render import (
    CAPTION_LIMIT,
    LABEL_LIMIT,
    TEXT_LIMIT,
    fit_label,
    inline_keyboard,
    render_reply,
    split_text,
    to_html,
    typed_labels,
    utf16_len,
)
from bot.core.i18n import LOCALES, Translator
from bot.core.messages import Channel, Choice, Reply
from tests.fakes.telegram_api import _parse_html

SHARE = "📱 Kirim nomor saya"


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("Produk *Keripik* tersimpan", "Produk <b>Keripik</b> tersimpan"),
        ("<b>jahat</b> & *tebal*", "&lt;b&gt;jahat&lt;/b&gt; &amp; <b>tebal</b>"),
        ("5 * 3 * 2 = 30", "5 * 3 * 2 = 30"),
        ("a*b*c and *x*", "a*b*c and <b>x</b>"),
        ("*tidak\nditutup*", "*tidak\nditutup*"),
        ("**", "**"),
    ],
)
def test_html_escapes_everything_and_keeps_bold(text: str, html: str) -> None:
    assert to_html(text) == html


@pytest.mark.parametrize(
    "typed",
    ["<script>", "*a *b* c*", "</b>", "&amp;", "*<i>*", "a < b > c", "*\u202e*", "***", "*x* *y*"],
)
def test_user_text_never_breaks_html(typed: str) -> None:
    text, _entities = _parse_html(to_html(f"Nama: *{typed}* — {typed}"))  # the fake parses like Telegram
    assert typed.replace("*", "") in text.replace("*", "")


def test_long_text_is_split_on_lines_with_the_keyboard_on_the_last_part() -> None:
    line = "Keripik pisang renyah khas Metro 🍌 " * 3
    text = "\n".join(f"{i}. {line}" for i in range(120))
    assert utf16_len(text) > TEXT_LIMIT
    parts = split_text(text)
    assert all(utf16_len(p) <= TEXT_LIMIT for p in parts)
    assert "\n".join(parts) == text
    out = render_reply(Reply(text, (Choice("Lainnya »", "find:more:1:5"),)), SHARE)
    assert len(out) == len(parts) >= 2
    assert [o.markup is not None for o in out] == [False] * (len(out) - 1) + [True]
    assert split_text("x" * (TEXT_LIMIT + 5)) == ["x" * TEXT_LIMIT, "xxxxx"]


def test_text_is_split_exactly_at_telegrams_limit() -> None:
    assert split_text("x" * TEXT_LIMIT) == ["x" * TEXT_LIMIT]
    assert split_text("x" * (TEXT_LIMIT + 1)) == ["x" * TEXT_LIMIT, "x"]
    assert split_text("🍌" * (TEXT_LIMIT // 2)) == ["🍌" * (TEXT_LIMIT // 2)]  # 2 UTF-16 units each
    parts = split_text("a" + "🍌" * (TEXT_LIMIT // 2))  # the last unit left would split a surrogate pair
    assert parts == ["a" + "🍌" * (TEXT_LIMIT // 2 - 1), "🍌"]


def test_a_long_line_is_cut_between_words() -> None:
    words = [f"kata{i}" for i in range(1500)]
    parts = split_text(" ".join(words))
    assert len(parts) >= 2
    assert all(utf16_len(p) <= TEXT_LIMIT and p == p.strip() for p in parts)
    assert [w for p in parts for w in p.split(" ")] == words  # no word cut in two, none lost


@pytest.mark.parametrize(
    ("label", "shown"),
    [
        ("a" * LABEL_LIMIT, "a" * LABEL_LIMIT),  # at the limit: unchanged
        ("a" * (LABEL_LIMIT - 1) + " b", "a" * (LABEL_LIMIT - 1) + "…"),  # one over: cut at the space
        ("a" * (LABEL_LIMIT + 1), "a" * (LABEL_LIMIT - 1) + "…"),  # one long word: cut inside it
        ("🍌" * 40, "🍌" * 31 + "…"),  # counted in UTF-16 units, as Telegram does
        ("  Toko\n Maju   Jaya ", "Toko Maju Jaya"),  # one line, single spaces
        (
            "1. Toko Sembako Berkah Jaya Abadi Sentosa, Kelurahan Hadimulyo Barat, Metro Pusat",
            "1. Toko Sembako Berkah Jaya Abadi Sentosa, Kelurahan Hadimulyo…",
        ),
    ],
)
def test_long_labels_are_cut_by_the_renderer_on_a_word_boundary(label: str, shown: str) -> None:
    assert fit_label(label) == shown
    assert utf16_len(fit_label(label)) <= LABEL_LIMIT


def test_every_keyboard_shows_fitted_labels_and_a_cut_reply_label_maps_back() -> None:
    long_name = "Keripik Pisang Cokelat Lumer Khas Metro dari Usaha Ibu Sari Wulandari Hadimulyo"
    choices = (
        Choice(f"1. {long_name}", "prod:open:1"),
        Choice(long_name, "find:wa", url="https://wa.me/6281234567890"),
    )
    markup = inline_keyboard(choices)
    assert markup is not None
    texts = [b.text for row in markup.inline_keyboard for b in row]
    assert texts == [fit_label(f"1. {long_name}"), fit_label(long_name)]
    assert all(t.endswith("…") and utf16_len(t) <= LABEL_LIMIT for t in texts)

    skip = Choice(f"Lewati: {long_name}", "f:skip:7")
    [out] = render_reply(Reply("Nomor?", (skip, Choice("Batal", "f:cancel:7")), request_contact=True), SHARE)
    assert isinstance(out.markup, ReplyKeyboardMarkup)
    shown = out.markup.keyboard[1][0].text
    assert shown == fit_label(skip.label) != skip.label
    assert typed_labels((skip, Choice("Batal", "f:cancel:7"))) == {shown: skip.label}
    twin = Choice(f"Lewati: {long_name} (lain)", "f:skip:8")  # two labels that look the same once cut
    assert typed_labels((skip, twin)) == {}


@pytest.mark.parametrize("locale", LOCALES)
def test_the_adapters_own_labels_fit_a_button_uncut(locale: str) -> None:
    t = Translator(locale)
    for key in ("telegram.btn_menu", "telegram.btn_help", "telegram.btn_share_contact"):
        assert fit_label(t(key)) == t(key)  # the menu keyboard types them as words the bot knows


def test_choices_become_compact_inline_rows_and_url_buttons() -> None:
    choices = [
        Choice("Bahasa Indonesia", "start:set:id"),
        Choice("English", "start:set:en"),
        Choice("Staf OPD (pembeli pemerintah)", "start:role:opd"),
        Choice("Ya", "f:pick:1:y"),
        Choice("Tidak", "f:pick:1:n"),
        Choice("Batal", "f:cancel:1"),
        Choice("WhatsApp penjual", "find:wa", url="https://wa.me/6281234567890"),
        Choice("Rusak", "x" * 65),
        Choice("Bukan tautan", "find:ek", url="javascript:alert(1)"),
    ]
    markup = inline_keyboard(choices)
    assert markup is not None
    rows = [[(b.text, b.callback_data, b.url) for b in row] for row in markup.inline_keyboard]
    assert rows == [
        [("Bahasa Indonesia", "start:set:id", None), ("English", "start:set:en", None)],
        [("Staf OPD (pembeli pemerintah)", "start:role:opd", None)],
        [("Ya", "f:pick:1:y", None), ("Tidak", "f:pick:1:n", None), ("Batal", "f:cancel:1", None)],
        [("WhatsApp penjual", None, "https://wa.me/6281234567890")],
    ]
    assert inline_keyboard([]) is None


def test_request_contact_uses_a_one_time_reply_keyboard_with_the_choices_as_text() -> None:
    reply = Reply("Nomor WA/HP usaha?", (Choice("Kembali", "f:back:7"), Choice("Batal", "f:cancel:7")))
    [out] = render_reply(Reply(reply.text, reply.choices, request_contact=True), SHARE)
    assert isinstance(out.markup, ReplyKeyboardMarkup)
    assert out.markup.one_time_keyboard and out.markup.resize_keyboard
    first, second = out.markup.keyboard
    assert first[0].text == SHARE and first[0].request_contact
    assert [b.text for b in second] == ["Kembali", "Batal"]
    assert not out.edit


def test_photos_edits_and_captions() -> None:
    [out] = render_reply(Reply("*Keripik*", photo_ref="telegram:AgAC-file", edit=True), SHARE)
    assert (out.photo, out.text, out.edit) == ("AgAC-file", "<b>Keripik</b>", True)
    [text_only] = render_reply(Reply("Keripik", photo_ref="console:keripik.jpg"), SHARE)
    assert text_only.photo is None and text_only.text == "Keripik"
    long_caption = "k" * (CAPTION_LIMIT + 1)
    bare, text = render_reply(Reply(long_caption, (Choice("Simpan", "f:save:1"),), photo_ref="telegram:F"), SHARE)
    assert (bare.photo, bare.text, bare.markup) == ("F", "", None)
    assert text.photo is None and isinstance(text.markup, InlineKeyboardMarkup)
    [paged] = render_reply(Reply("Halaman 2", (Choice("« Sebelumnya", "p:l:0"),), edit=True), SHARE)
    assert paged.edit
    assert render_reply(Reply(""), SHARE) == []


# ---- reading updates ------------------------------------------------------------------------------------

USER = {"id": 1001, "is_bot": False, "first_name": "Sari", "last_name": "Wulandari", "language_code": "id"}
CHAT = {"id": 1001, "type": "private", "first_name": "Sari"}


def update(**payload: Any) -> Update:
    return Update.model_validate({"update_id": 77, **payload})


def message(**content: Any) -> Update:
    return update(message={"message_id": 5, "date": 0, "chat": CHAT, "from": USER, **content})


def test_text_message() -> None:
    upd = message(text="cari keripik")
    assert upd.message is not None
    inbound = message_to_inbound(upd.message, upd.update_id)
    assert inbound is not None
    assert (inbound.channel, inbound.external_id, inbound.update_id) == (Channel.TELEGRAM, "1001", "77")
    assert (inbound.text, inbound.display_name, inbound.language_hint) == ("cari keripik", "Sari Wulandari", "id")


def test_photo_takes_the_largest_size_and_the_caption() -> None:
    sizes = [
        {"file_id": "small", "file_unique_id": "s", "width": 90, "height": 67},
        {"file_id": "big", "file_unique_id": "b", "width": 1280, "height": 960},
        {"file_id": "mid", "file_unique_id": "m", "width": 320, "height": 240},
    ]
    upd = message(photo=sizes, caption="foto produk")
    assert upd.message is not None
    inbound = message_to_inbound(upd.message, upd.update_id)
    assert inbound is not None and (inbound.photo_ref, inbound.text) == ("telegram:big", "foto produk")


def test_only_the_senders_own_contact_is_a_phone_number() -> None:
    own = message(contact={"phone_number": "6281234567890", "first_name": "Sari", "user_id": 1001})
    other = message(contact={"phone_number": "6289999999999", "first_name": "Budi", "user_id": 2002})
    card = message(contact={"phone_number": "6289999999999", "first_name": "Budi"})
    results = [message_to_inbound(u.message, u.update_id) for u in (own, other, card) if u.message]
    assert [(i.contact_phone, i.has_unsupported_media) for i in results if i] == [
        ("6281234567890", False),
        (None, True),
        (None, True),
    ]


def test_unsupported_media_groups_and_service_messages() -> None:
    sticker = {"file_id": "st", "file_unique_id": "u", "type": "regular", "width": 1, "height": 1}
    upd = message(sticker={**sticker, "is_animated": False, "is_video": False})
    assert upd.message is not None
    inbound = message_to_inbound(upd.message, upd.update_id)
    assert inbound is not None and inbound.has_unsupported_media and inbound.text == ""
    voice = message(voice={"file_id": "v", "file_unique_id": "v", "duration": 3})
    assert voice.message is not None and message_to_inbound(voice.message, 1).has_unsupported_media  # type: ignore[union-attr]
    group_chat = {"id": -100, "type": "group", "title": "G"}
    group = update(message={"message_id": 5, "date": 0, "chat": group_chat, "from": USER, "text": "x"})
    assert group.message is not None and message_to_inbound(group.message, 1) is None
    pinned = message(delete_chat_photo=True)
    assert pinned.message is not None and message_to_inbound(pinned.message, 1) is None


def test_button_press_carries_the_payload() -> None:
    bot_message = {"message_id": 9, "date": 0, "chat": CHAT, "from": {"id": 42, "is_bot": True, "first_name": "B"}}
    upd = update(
        callback_query={"id": "q1", "from": USER, "chat_instance": "c", "data": "start:set:id", "message": bot_message}
    )
    assert upd.callback_query is not None
    inbound = callback_to_inbound(upd.callback_query, upd.update_id)
    assert inbound is not None and (inbound.action, inbound.text, inbound.update_id) == ("start:set:id", "", "77")
    no_data = update(callback_query={"id": "q2", "from": USER, "chat_instance": "c", "game_short_name": "g"})
    assert no_data.callback_query is not None and callback_to_inbound(no_data.callback_query, 1) is None


# ---- guards ---------------------------------------------------------------------------------------------


def test_recent_updates_are_bounded() -> None:
    recent = RecentUpdates(size=2)
    assert [recent.first_time(i) for i in (1, 1, 2, 3, 1)] == [True, False, True, True, True]


def test_flood_guard_warns_once_then_drops_until_refilled() -> None:
    now = [0.0]
    guard = FloodGuard(burst=3, per_second=1.0, clock=lambda: now[0])
    verdicts = [guard.check("u") for _ in range(6)]
    assert verdicts == [Verdict.ACCEPT] * 3 + [Verdict.WARN, Verdict.DROP, Verdict.DROP]
    assert guard.check("other") is Verdict.ACCEPT
    now[0] = 1.0
    assert guard.check("u") is Verdict.ACCEPT
    assert guard.check("u") is Verdict.WARN  # a new flood gets a new notice
