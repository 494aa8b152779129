"""The form engine: declarative multi-step input with the same behaviour everywhere.

A form is an ordered list of fields. For every form the engine gives: `batal` cancels, `kembali` goes back
one field, `lewati` skips an optional field, `bantuan` repeats the question with the controls, a summary with
Simpan / Ubah <field> / Batal before anything is written, and resume after a restart (the state is a row in
`conversations`, see bot/services/conversations.py). Buttons carry the conversation id, so a button from an
old message never acts on a newer form.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from bot.core import actions
from bot.core.context import Context
from bot.core.i18n import Translator
from bot.core.messages import Choice, Reply
from bot.errors import UserFacingError, ValidationError
from bot.services import conversations
from bot.services.conversations import State

CANCEL_WORDS = frozenset({"batal", "cancel", "/batal", "/cancel", "stop", "berhenti"})
BACK_WORDS = frozenset({"kembali", "back", "/kembali", "/back", "balik", "sebelumnya"})
SKIP_WORDS = frozenset({"lewati", "skip", "/lewati", "/skip", "lewat", "-", "tidak ada", "tdk ada", "ga ada"})
HELP_WORDS = frozenset({"bantuan", "help", "/bantuan", "/help", "?", "tolong"})
LEAVE_WORDS = frozenset(
    {"/start", "menu", "/menu", "mulai", "peran", "/peran", "/role", "bahasa", "/bahasa", "/language", "language"}
)
MAX_PHOTO_REF = 300  # the products.photo_ref column

SUMMARY = "_summary"
EDIT_PICK = "_edit"
PREFIX = "f"

Parser = Callable[..., Any]
Display = Callable[[Translator, Any], str]
Choices = Callable[[Context], list[tuple[str, str]]]
SaveFn = Callable[[Context, dict[str, Any]], Awaitable[list[Reply]]]


@dataclass(frozen=True)
class Field:
    """One question of a form.

    `parse` turns the typed text (or the picked option's value) into a JSON-serialisable value, raising
    ValidationError with a locale key. `options` gives (value, translated label) pairs shown as buttons; `kind`
    "photo" and "contact" take a photo or a shared contact instead of text. `when` hides a field unless
    the answers so far call for it.
    """

    name: str
    prompt: str
    label: str
    parse: Parser
    optional: bool = False
    kind: str = "text"
    options: Choices | None = None
    display: Display | None = None
    when: Callable[[dict[str, Any]], bool] | None = None
    needs_context: bool = False

    def read(self, ctx: Context, text: str) -> Any:
        """Parse an answer; parsers that depend on settings (the region) get the context too."""
        return self.parse(ctx, text) if self.needs_context else self.parse(text)


@dataclass(frozen=True)
class Form:
    """A whole form: its fields in order, what saving does, and the keys of its framing messages."""

    name: str
    fields: tuple[Field, ...]
    on_save: SaveFn
    summary_title: str = "form.summary_title"
    cancelled: str = "form.cancelled"
    max_values: dict[str, int] = field(default_factory=dict)

    def field(self, name: str) -> Field | None:
        """The field with this name."""
        return next((f for f in self.fields if f.name == name), None)

    def applicable(self, values: dict[str, Any]) -> list[Field]:
        """The fields that apply given the answers so far."""
        return [f for f in self.fields if f.when is None or f.when(values)]

    # ---- entry points ---------------------------------------------------------------------------------

    async def start(
        self,
        ctx: Context,
        initial: dict[str, Any] | None = None,
        *,
        at: str = "first",
        intro: str | None = None,
        **intro_params: Any,
    ) -> list[Reply]:
        """Begin the form: ask the first question (`at="first"`), or, for editing existing data, show the
        summary (`"summary"`) or the list of fields to change (`"pick"`)."""
        values = dict(initial or {})
        first = self.applicable(values)[0]
        editing = at in {"summary", "pick"}
        step = {"summary": SUMMARY, "pick": EDIT_PICK}.get(at, first.name)
        state = await conversations.begin(
            ctx.session, ctx.user.id, self.name, step, {"values": values, "history": [], "to_summary": editing}
        )
        replies = [ctx.say(intro, **intro_params)] if intro else []
        return replies + self._repeat(ctx, state)

    async def resume(self, ctx: Context, state: State) -> list[Reply]:
        """Take the user's next input for the active form."""
        action = ctx.action
        if action is not None and action.prefix != PREFIX and ctx.registry.get(action.prefix) is not None:
            # A live button of another flow (the menu, a product card) while this form is open.
            return [ctx.say("form.leave_hint"), *self._repeat(ctx, state)]
        if ctx.inbound.action is not None and (
            action is None or action.prefix != PREFIX or action.arg(0) != str(state.id)
        ):
            return [ctx.say("form.old_button"), *self._repeat(ctx, state)]
        verb = action.verb if action else None
        word = ctx.text.casefold()
        if verb == "cancel" or (verb is None and word in CANCEL_WORDS):
            await conversations.clear(ctx.session, ctx.user.id)
            return [ctx.say(self.cancelled)]
        if verb is None and word in LEAVE_WORDS:
            return [ctx.say("form.leave_hint"), *self._repeat(ctx, state)]
        if verb is None and word in HELP_WORDS:
            return [ctx.say("form.help"), *self._repeat(ctx, state)]
        if state.step == SUMMARY:
            return await self._on_summary(ctx, state, verb, action)
        if state.step == EDIT_PICK:
            return await self._on_edit_pick(ctx, state, verb, action)
        return await self._on_field(ctx, state, verb, action)

    # ---- steps ----------------------------------------------------------------------------------------

    async def _on_field(
        self, ctx: Context, state: State, verb: str | None, action: actions.Action | None
    ) -> list[Reply]:
        """Stores the answer to the current field and moves on, or explains what was wrong."""
        current = self.field(state.step)
        if current is None:
            return await self._goto_summary(ctx, state)
        values: dict[str, Any] = state.data.setdefault("values", {})
        word = ctx.text.casefold()
        if verb == "back" or (verb is None and word in BACK_WORDS):
            return await self._back(ctx, state)
        if verb == "skip" or (verb is None and word in SKIP_WORDS):
            if not current.optional:
                return [ctx.say("form.required"), *self._ask(ctx, state, current)]
            values[current.name] = None
            return await self._advance(ctx, state, current)
        try:
            values[current.name] = self._read(ctx, current, verb, action)
        except ValidationError as err:
            return [ctx.say(err.key, **err.params), *self._ask(ctx, state, current, short=True)]
        return await self._advance(ctx, state, current)

    def _read(self, ctx: Context, current: Field, verb: str | None, action: actions.Action | None) -> Any:
        inbound = ctx.inbound
        if verb == "pick" and action is not None:
            offered = {value for value, _label in current.options(ctx)} if current.options else set()
            if action.arg(1) not in offered:
                raise ValidationError("form.pick_from_buttons")
            return current.read(ctx, action.arg(1))
        if current.kind == "photo":
            if inbound.photo_ref and len(inbound.photo_ref) <= MAX_PHOTO_REF:
                return inbound.photo_ref
            raise ValidationError("form.need_photo")
        if current.kind == "contact" and inbound.contact_phone:
            return current.read(ctx, inbound.contact_phone)
        if inbound.photo_ref or inbound.has_unsupported_media or not ctx.text:
            raise ValidationError("form.need_text")
        return current.read(ctx, ctx.text)

    async def _advance(self, ctx: Context, state: State, current: Field) -> list[Reply]:
        history: list[str] = state.data.setdefault("history", [])
        history.append(current.name)
        if state.data.get("to_summary"):
            return await self._goto_summary(ctx, state)
        fields = self.applicable(state.data["values"])
        names = [f.name for f in fields]
        index = names.index(current.name) + 1 if current.name in names else len(names)
        if index >= len(fields):
            return await self._goto_summary(ctx, state)
        state.step = fields[index].name
        await conversations.save(ctx.session, ctx.user.id, state)
        return self._ask(ctx, state, fields[index])

    async def _back(self, ctx: Context, state: State) -> list[Reply]:
        """Goes back to the previous question, keeping its old answer until it is replaced."""
        history: list[str] = state.data.setdefault("history", [])
        if state.data.get("to_summary") or not history:
            if state.data.get("to_summary"):
                return await self._goto_summary(ctx, state)
            return [ctx.say("form.at_first"), *self._repeat(ctx, state)]
        previous = self.field(history.pop()) or self.fields[0]
        state.step = previous.name
        await conversations.save(ctx.session, ctx.user.id, state)
        return self._ask(ctx, state, previous)

    async def _goto_summary(self, ctx: Context, state: State) -> list[Reply]:
        state.step = SUMMARY
        state.data["to_summary"] = True
        await conversations.save(ctx.session, ctx.user.id, state)
        return self._summary(ctx, state)

    async def _on_summary(
        self, ctx: Context, state: State, verb: str | None, action: actions.Action | None
    ) -> list[Reply]:
        """Saves, offers a field to change, or repeats the summary."""
        word = ctx.text.casefold()
        if verb == "save" or (verb is None and word in {"simpan", "save", "ya", "yes", "ok", "oke"}):
            values = dict(state.data.get("values", {}))
            try:
                replies = await self.on_save(ctx, values)
            except UserFacingError as err:
                return [ctx.say(err.key, **err.params), *self._summary(ctx, state)]
            await conversations.clear(ctx.session, ctx.user.id)
            return replies
        if verb == "edit" and action is not None and action.arg(1):
            return await self._edit_field(ctx, state, action.arg(1))
        if verb == "edit" or (verb is None and word in {"ubah", "edit", "ganti"}):
            state.step = EDIT_PICK
            await conversations.save(ctx.session, ctx.user.id, state)
            return [self._edit_menu(ctx, state)]
        return [ctx.say("form.summary_hint"), *self._summary(ctx, state)]

    async def _on_edit_pick(
        self, ctx: Context, state: State, verb: str | None, action: actions.Action | None
    ) -> list[Reply]:
        """Opens the field the user chose to change."""
        if verb == "edit" and action is not None:
            return await self._edit_field(ctx, state, action.arg(1))
        word = ctx.text.casefold()
        if verb == "back" or word in BACK_WORDS:
            return await self._goto_summary(ctx, state)
        fields = self.applicable(state.data.get("values", {}))
        for f in fields:
            if word == ctx.t(f.label).casefold():
                return await self._edit_field(ctx, state, f.name)
        return [ctx.say("form.pick_field"), self._edit_menu(ctx, state)]

    async def _edit_field(self, ctx: Context, state: State, name: str) -> list[Reply]:
        target = self.field(name)
        if target is None or target not in self.applicable(state.data.get("values", {})):
            return [ctx.say("form.pick_field"), self._edit_menu(ctx, state)]
        state.step = target.name
        state.data["to_summary"] = True
        await conversations.save(ctx.session, ctx.user.id, state)
        return self._ask(ctx, state, target)

    # ---- rendering ------------------------------------------------------------------------------------

    def _repeat(self, ctx: Context, state: State) -> list[Reply]:
        if state.step == SUMMARY:
            return self._summary(ctx, state)
        if state.step == EDIT_PICK:
            return [self._edit_menu(ctx, state)]
        current = self.field(state.step)
        return self._ask(ctx, state, current) if current else self._summary(ctx, state)

    def _ask(self, ctx: Context, state: State, current: Field, *, short: bool = False) -> list[Reply]:
        t = ctx.t
        sid = str(state.id)
        choices = [
            Choice(label, actions.encode(PREFIX, "pick", sid, value))
            for value, label in (current.options(ctx) if current.options else [])
        ]
        if current.optional:
            choices.append(Choice(t("form.btn_skip"), actions.encode(PREFIX, "skip", sid)))
        if state.data.get("to_summary"):
            choices.append(Choice(t("form.btn_back_summary"), actions.encode(PREFIX, "back", sid)))
        elif state.data.get("history"):
            choices.append(Choice(t("form.btn_back"), actions.encode(PREFIX, "back", sid)))
        choices.append(Choice(t("form.btn_cancel"), actions.encode(PREFIX, "cancel", sid)))
        text = t(current.prompt)
        values = state.data.get("values", {})
        if not short and values.get(current.name) is not None and state.data.get("to_summary"):
            text = t("form.current_value", prompt=text, value=self._show(t, current, values[current.name]))
        free_text = current.options is None or current.kind != "text"
        return [Reply(text, tuple(choices), free_text=free_text, request_contact=current.kind == "contact")]

    def _show(self, t: Translator, f: Field, value: Any) -> str:
        if value is None or value == "":
            return t("form.empty_value")
        if f.display is not None:
            return f.display(t, value)
        if f.kind == "photo":
            return t("form.photo_attached")
        return str(value)

    def _summary(self, ctx: Context, state: State) -> list[Reply]:
        t = ctx.t
        values = state.data.get("values", {})
        lines = [t(self.summary_title)]
        lines += [
            t("form.summary_line", label=t(f.label), value=self._show(t, f, values.get(f.name)))
            for f in self.applicable(values)
        ]
        lines.append(t("form.summary_question"))
        sid = str(state.id)
        choices = (
            Choice(t("form.btn_save"), actions.encode(PREFIX, "save", sid)),
            Choice(t("form.btn_edit"), actions.encode(PREFIX, "edit", sid)),
            Choice(t("form.btn_cancel"), actions.encode(PREFIX, "cancel", sid)),
        )
        photo = next((values.get(f.name) for f in self.fields if f.kind == "photo" and values.get(f.name)), None)
        return [Reply("\n".join(lines), choices, photo_ref=photo if isinstance(photo, str) else None)]

    def _edit_menu(self, ctx: Context, state: State) -> Reply:
        sid = str(state.id)
        choices = [
            Choice(ctx.t(f.label), actions.encode(PREFIX, "edit", sid, f.name))
            for f in self.applicable(state.data.get("values", {}))
        ]
        choices.append(Choice(ctx.t("form.btn_back_summary"), actions.encode(PREFIX, "back", sid)))
        return Reply(ctx.t("form.which_field"), tuple(choices))
