"""The form engine: declarative multi-step input with the same behaviour everywhere.

A form is a name, an ordered list of fields and what saving does; the form builds its own flow
(`FORM.flow(...)`), so the conversation state and the flow always share one name. For every form the engine
gives: `batal` cancels, `kembali` goes back one field, `lewati` skips an optional field, `bantuan` repeats
the question with the controls, a summary with Simpan / Ubah <field> / Batal before anything is written,
and resume after a restart (the state is a row in `conversations`, see bot/services/conversations.py).

Locale keys come from the form and field names: `<form>.ask_<field>` (the question) and
`<form>.label_<field>` (its name in the summary); a field may override either.

A text field has one parser, `parse(text) -> value`, raising ValidationError with a locale key. A choice
field has `options(ctx) -> Options`: the (value, label) pairs offered as buttons in this context and how a
typed or picked answer becomes a value. A field whose value is not plain JSON says how it is stored in
the state (`dump`) and read back (`load`); `on_save` and `display` get the loaded value.

Buttons carry the conversation id and the question they answer (`f:<verb>:<conversation>:<step>[:arg]`),
so a button from an older message, or from an earlier question of the same form, never answers the
question that is open now.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from bot.core import actions
from bot.core.context import Context
from bot.core.i18n import Translator
from bot.core.menus import MenuEntry
from bot.core.messages import Choice, Reply
from bot.core.registry import Flow, StartFn
from bot.errors import UserFacingError, ValidationError
from bot.services import conversations, parsers, words
from bot.services.conversations import State

MAX_PHOTO_REF = 300  # the products.photo_ref column

SUMMARY = "_summary"
EDIT_PICK = "_edit"
PREFIX = "f"
_STEP_TOKENS = {SUMMARY: "s", EDIT_PICK: "e"}

Parser = Callable[[str], Any]
Display = Callable[[Translator, Any], str]
SaveFn = Callable[[Context, dict[str, Any]], Awaitable[list[Reply]]]


@dataclass(frozen=True)
class Options:
    """What a choice field offers in this context, and how an answer to it becomes a value.

    `pairs` are (value, translated label), shown as buttons. `read` turns a typed answer or a pressed
    button's value into the stored value; without it, an answer naming a value or a label (or the start of
    a label, three letters or more) picks that value, and anything else is refused with `invalid`.
    """

    pairs: tuple[tuple[str, str], ...]
    read: Parser | None = None
    invalid: str = "form.pick_from_buttons"

    def answer(self, text: str) -> Any:
        """The value an answer names."""
        if self.read is not None:
            return self.read(text)
        typed = text.strip().casefold()
        for value, label in self.pairs:
            lowered = label.casefold()
            if typed in {value.casefold(), lowered} or (len(typed) >= 3 and lowered.startswith(typed)):
                return value
        raise ValidationError(self.invalid)


@dataclass(frozen=True)
class Field:
    """One question of a form; see the module notes. `kind` "photo" and "contact" take a photo or a shared
    contact instead of text; `when` hides a field unless the answers so far call for it."""

    name: str
    parse: Parser | None = None
    options: Callable[[Context], Options] | None = None
    optional: bool = False
    kind: str = "text"
    display: Display | None = None
    when: Callable[[dict[str, Any]], bool] | None = None
    dump: Callable[[Any], Any] | None = None
    load: Callable[[Any], Any] | None = None
    prompt: str | None = None
    label: str | None = None

    def __post_init__(self) -> None:
        if self.kind == "text" and (self.parse is None) == (self.options is None):
            raise ValueError(f"field {self.name}: a text field has either `parse` or `options`")

    def stored(self, value: Any) -> Any:
        """The value as kept in the conversation state (plain JSON)."""
        return value if value is None or self.dump is None else self.dump(value)

    def loaded(self, raw: Any) -> Any:
        """The value back from the conversation state."""
        return raw if raw is None or self.load is None else self.load(raw)


def show_yes_no(t: Translator, value: Any) -> str:
    """Ya / Tidak."""
    return t("common.yes") if value else t("common.no")


def yes_no_options(ctx: Context) -> Options:
    """Ya / Tidak buttons; a typed answer is read with the shared yes/no words."""
    return Options((("ya", ctx.t("common.yes")), ("tidak", ctx.t("common.no"))), read=parsers.parse_yes_no)


def yes_no(name: str, **kw: Any) -> Field:
    """A Ya / Tidak question stored as a bool."""
    return Field(name, options=yes_no_options, display=show_yes_no, **kw)


@dataclass(frozen=True)
class Form:
    """A whole form: its name (also its flow's and its state's), fields in order, and what saving does."""

    name: str
    fields: tuple[Field, ...]
    on_save: SaveFn
    summary_title: str = "form.summary_title"
    cancelled: str = "form.cancelled"
    _by_name: dict[str, Field] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_name = {f.name: f for f in self.fields}
        if len(by_name) != len(self.fields) or not self.fields:
            raise ValueError(f"form {self.name}: field names must be unique and there must be at least one")
        object.__setattr__(self, "_by_name", by_name)

    def flow(
        self,
        start: StartFn | None = None,
        *,
        keywords: Iterable[str] = (),
        commands: Iterable[str] = (),
        menu: MenuEntry | None = None,
        intro: str | None = None,
    ) -> Flow:
        """The flow of this form: same name, resumed by the engine. Without `start`, typing a keyword opens
        the form at its first question (after the `intro` message, if any)."""

        async def open_form(ctx: Context, _argument: str) -> list[Reply]:
            return await self.start(ctx, intro=intro)

        return Flow(
            name=self.name,
            start=start or open_form,
            resume=self.resume,
            keywords=tuple(keywords),
            commands=tuple(commands),
            menu=menu,
        )

    def field(self, name: str) -> Field | None:
        """The field with this name."""
        return self._by_name.get(name)

    def prompt_key(self, f: Field) -> str:
        """The locale key of a field's question."""
        return f.prompt or f"{self.name}.ask_{f.name}"

    def label_key(self, f: Field) -> str:
        """The locale key of a field's name in the summary."""
        return f.label or f"{self.name}.label_{f.name}"

    def applicable(self, values: dict[str, Any]) -> list[Field]:
        """The fields that apply given the answers so far (as stored in the state)."""
        return [f for f in self.fields if f.when is None or f.when(values)]

    def _token(self, step: str) -> str:
        """The short name of a step in button payloads: the field's position, `s` summary, `e` edit list."""
        if step in _STEP_TOKENS:
            return _STEP_TOKENS[step]
        current = self.field(step)
        return str(self.fields.index(current)) if current is not None else "?"

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
        summary (`"summary"`) or the list of fields to change (`"pick"`). `initial` holds loaded values
        (and may carry extra keys, such as the id being edited, that reach `on_save` unchanged)."""
        values = {k: (f.stored(v) if (f := self.field(k)) else v) for k, v in (initial or {}).items()}
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
        if ctx.inbound.action is not None:
            if action is not None and action.prefix != PREFIX and ctx.has_flow(action.prefix):
                # A live button of another flow (the menu, a product card) while this form is open.
                return [ctx.say("form.leave_hint"), *self._repeat(ctx, state)]
            if action is None or action.prefix != PREFIX or not self._is_current(action, state):
                return [ctx.say("form.old_button"), *self._repeat(ctx, state)]
        verb = action.verb if action else None
        word = ctx.text.casefold()
        if verb == "cancel" or (verb is None and word in words.CANCEL):
            await conversations.clear(ctx.session, ctx.user.id)
            return [ctx.say(self.cancelled)]
        if verb is None and word in words.LEAVE:
            return [ctx.say("form.leave_hint"), *self._repeat(ctx, state)]
        if verb is None and word in words.HELP:
            return [ctx.say("form.help"), *self._repeat(ctx, state)]
        if state.step == SUMMARY:
            return await self._on_summary(ctx, state, verb)
        if state.step == EDIT_PICK:
            return await self._on_edit_pick(ctx, state, verb, action)
        return await self._on_field(ctx, state, verb, action)

    def _is_current(self, action: actions.Action, state: State) -> bool:
        """A form button of this conversation, answering the question open now (cancel works from any)."""
        if action.arg(0) != str(state.id):
            return False
        return action.verb == "cancel" or action.arg(1) == self._token(state.step)

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
        if verb == "back" or (verb is None and word in words.BACK):
            return await self._back(ctx, state)
        if verb == "skip" or (verb is None and word in words.SKIP):
            if not current.optional:
                return [ctx.say("form.required"), *self._ask(ctx, state, current)]
            values[current.name] = None
            return await self._advance(ctx, state, current)
        try:
            values[current.name] = current.stored(self._read(ctx, current, verb, action))
        except ValidationError as err:
            return [ctx.say(err.key, **err.params), *self._ask(ctx, state, current, short=True)]
        return await self._advance(ctx, state, current)

    def _read(self, ctx: Context, current: Field, verb: str | None, action: actions.Action | None) -> Any:
        inbound = ctx.inbound
        options = current.options(ctx) if current.options else None
        if verb == "pick" and action is not None:
            picked = action.arg(2)
            if options is None or picked not in {value for value, _label in options.pairs}:
                raise ValidationError("form.pick_from_buttons")
            return options.answer(picked)
        if current.kind == "photo":
            if inbound.photo_ref and len(inbound.photo_ref) <= MAX_PHOTO_REF:
                return inbound.photo_ref
            raise ValidationError("form.need_photo")
        if current.kind == "contact" and inbound.contact_phone:
            return self._answer(current, options, inbound.contact_phone)
        if inbound.photo_ref or inbound.has_unsupported_media or not ctx.text:
            raise ValidationError("form.need_text")
        return self._answer(current, options, ctx.text)

    @staticmethod
    def _answer(current: Field, options: Options | None, text: str) -> Any:
        if options is not None:
            return options.answer(text)
        assert current.parse is not None  # a field has `parse` or `options` (checked at declaration)
        return current.parse(text)

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

    async def _on_summary(self, ctx: Context, state: State, verb: str | None) -> list[Reply]:
        """Saves, offers a field to change, or repeats the summary."""
        word = ctx.text.casefold()
        if verb == "save" or (verb is None and (word in words.SAVE or words.yes_no(word) is True)):
            stored = state.data.get("values", {})
            values = {k: (f.loaded(v) if (f := self.field(k)) else v) for k, v in stored.items()}
            try:
                replies = await self.on_save(ctx, values)
            except UserFacingError as err:
                return [ctx.say(err.key, **err.params), *self._summary(ctx, state)]
            # `on_save` may have started a follow-up conversation (a confirmation): only this form ends here.
            await conversations.end(ctx.session, ctx.user.id, state.id)
            return replies
        if verb == "edit" or (verb is None and word in words.EDIT):
            state.step = EDIT_PICK
            await conversations.save(ctx.session, ctx.user.id, state)
            return [self._edit_menu(ctx, state)]
        return [ctx.say("form.summary_hint"), *self._summary(ctx, state)]

    async def _on_edit_pick(
        self, ctx: Context, state: State, verb: str | None, action: actions.Action | None
    ) -> list[Reply]:
        """Opens the field the user chose to change."""
        if verb == "edit" and action is not None:
            index = action.arg(2)
            chosen = self.fields[int(index)] if index.isdecimal() and int(index) < len(self.fields) else None
            return await self._edit_field(ctx, state, chosen.name if chosen else "")
        word = ctx.text.casefold()
        if verb == "back" or word in words.BACK:
            return await self._goto_summary(ctx, state)
        for f in self.applicable(state.data.get("values", {})):
            if word == ctx.t(self.label_key(f)).casefold():
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

    def _button(self, state: State, verb: str, *args: object) -> str:
        return actions.encode(PREFIX, verb, state.id, self._token(state.step), *args)

    def _repeat(self, ctx: Context, state: State) -> list[Reply]:
        if state.step == SUMMARY:
            return self._summary(ctx, state)
        if state.step == EDIT_PICK:
            return [self._edit_menu(ctx, state)]
        current = self.field(state.step)
        return self._ask(ctx, state, current) if current else self._summary(ctx, state)

    def _ask(self, ctx: Context, state: State, current: Field, *, short: bool = False) -> list[Reply]:
        t = ctx.t
        options = current.options(ctx) if current.options else None
        choices = [
            Choice(label, self._button(state, "pick", value)) for value, label in (options.pairs if options else ())
        ]
        if current.optional:
            choices.append(Choice(t("form.btn_skip"), self._button(state, "skip")))
        if state.data.get("to_summary"):
            choices.append(Choice(t("form.btn_back_summary"), self._button(state, "back")))
        elif state.data.get("history"):
            choices.append(Choice(t("form.btn_back"), self._button(state, "back")))
        choices.append(Choice(t("form.btn_cancel"), self._button(state, "cancel")))
        text = t(self.prompt_key(current))
        values = state.data.get("values", {})
        if not short and values.get(current.name) is not None and state.data.get("to_summary"):
            text = t("form.current_value", prompt=text, value=self._show(t, current, values[current.name]))
        free_text = current.options is None or current.kind != "text"
        return [Reply(text, tuple(choices), free_text=free_text, request_contact=current.kind == "contact")]

    def _show(self, t: Translator, f: Field, raw: Any) -> str:
        if raw is None or raw == "":
            return t("form.empty_value")
        if f.display is not None:
            return f.display(t, f.loaded(raw))
        if f.kind == "photo":
            return t("form.photo_attached")
        return str(raw)

    def _summary(self, ctx: Context, state: State) -> list[Reply]:
        t = ctx.t
        values = state.data.get("values", {})
        lines = [t(self.summary_title)]
        lines += [
            t("form.summary_line", label=t(self.label_key(f)), value=self._show(t, f, values.get(f.name)))
            for f in self.applicable(values)
        ]
        lines.append(t("form.summary_question"))
        choices = (
            Choice(t("form.btn_save"), self._button(state, "save")),
            Choice(t("form.btn_edit"), self._button(state, "edit")),
            Choice(t("form.btn_cancel"), self._button(state, "cancel")),
        )
        photo = next((values.get(f.name) for f in self.fields if f.kind == "photo" and values.get(f.name)), None)
        return [Reply("\n".join(lines), choices, photo_ref=photo if isinstance(photo, str) else None)]

    def _edit_menu(self, ctx: Context, state: State) -> Reply:
        choices = [
            Choice(ctx.t(self.label_key(f)), self._button(state, "edit", self.fields.index(f)))
            for f in self.applicable(state.data.get("values", {}))
        ]
        choices.append(Choice(ctx.t("form.btn_back_summary"), self._button(state, "back")))
        return Reply(ctx.t("form.which_field"), tuple(choices))
