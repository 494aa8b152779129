"""Reply -> WhatsApp bodies: buttons up to 3, a list up to 10, numbered text beyond; the limits of each."""

from __future__ import annotations

import pytest

from bot.channels.whatsapp.render import render_reply, split_text
from bot.core.messages import Attachment, Choice, Reply
from tests.support import t, t_en


def _choices(n: int, label: str = "Pilihan") -> tuple[Choice, ...]:
    return tuple(Choice(f"{label} {i}", f"flow:pick:{i}") for i in range(1, n + 1))


@pytest.mark.parametrize(
    ("count", "kind"), [(2, "button"), (3, "button"), (4, "list"), (10, "list"), (11, "text"), (12, "text")]
)
def test_choices_by_count(count: int, kind: str) -> None:
    [body] = render_reply(Reply("Pilih satu:", _choices(count), locale="id"))
    shown = body["interactive"]["type"] if body["type"] == "interactive" else body["type"]
    assert shown == kind
    if kind == "button":
        buttons = body["interactive"]["action"]["buttons"]
        assert [b["reply"]["id"] for b in buttons] == [f"flow:pick:{i}" for i in range(1, count + 1)]
    elif kind == "list":
        action = body["interactive"]["action"]
        rows = action["sections"][0]["rows"]
        assert len(rows) == count and action["button"] == t("whatsapp.list_button")
    else:
        text = body["text"]["body"]
        assert f"{count}. Pilihan {count}" in text and t("whatsapp.type_number") in text


def test_long_labels_go_to_a_list_with_cut_titles_and_full_descriptions() -> None:
    long = "Keripik pisang cokelat lumer kemasan 250 gram"
    [body] = render_reply(Reply("Produk:", (Choice(long, "p:1"), Choice("Sale", "p:2")), locale="id"))
    rows = body["interactive"]["action"]["sections"][0]["rows"]
    assert len(rows[0]["title"]) <= 24 and rows[0]["title"].endswith("…")
    assert rows[0]["description"] == long and "description" not in rows[1]


def test_free_text_questions_list_many_shortcuts_without_numbers() -> None:
    [body] = render_reply(Reply("Ketik harga:", _choices(12), free_text=True, locale="id"))
    assert "• Pilihan 1" in body["text"]["body"] and "1. " not in body["text"]["body"]


def test_text_is_split_at_4096_on_line_boundaries_and_buttons_follow_a_long_text() -> None:
    lines = [f"Baris nomor {i} " + "x" * 80 for i in range(100)]
    bodies = render_reply(Reply("\n".join(lines), _choices(2), locale="id"))
    texts = [b["text"]["body"] for b in bodies if b["type"] == "text"]
    assert all(len(p) <= 4096 for p in texts) and "\n".join(texts).count("Baris nomor") == 100
    assert all(p.split("\n")[-1].endswith("x") for p in texts)  # no line cut in half
    assert bodies[-1]["type"] == "interactive" and len(bodies[-1]["interactive"]["body"]["text"]) <= 1024
    word = split_text("kata " * 2000)
    assert all(len(p) <= 4096 and not p.endswith("kat") for p in word)


def test_images_links_and_files() -> None:
    [image] = render_reply(Reply("Keripik", photo_ref="whatsapp:123", locale="id"))
    assert image == {"type": "image", "image": {"id": "123", "caption": "Keripik"}}
    assert [b["type"] for b in render_reply(Reply("Keripik", _choices(2), photo_ref="whatsapp:1"))] == [
        "image",
        "interactive",
    ]
    assert [b["type"] for b in render_reply(Reply("Keripik", photo_ref="telegram:AgAD"))] == ["text"]
    [body] = render_reply(Reply("Penjual", (Choice("Chat penjual", "x", url="https://wa.me/6281234567890"),)))
    assert "Chat penjual: https://wa.me/6281234567890" in body["text"]["body"]
    bodies = render_reply(Reply("Ekspor", attachment=Attachment("produk.xlsx", b"x"), locale="en"))
    assert bodies[0]["text"]["body"] == t_en("whatsapp.file_unavailable", name="produk.xlsx")
