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

People answer the way they talk: at an optional question "belum punya", "blm ada" or "gak tau" is a skip;
a command of another flow typed mid-form ("produk saya") gets "leave the form?"; an answer to a free-text
question that reads as a question or a search ("siapa yang jual kemplang?") is confirmed before it is kept;
`batal` after more than two answers asks once; `batal` while only viewing saved data says nothing changed.

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
CONFIRM_CANCEL_AFTER = 2  # answers a cancel may throw away without asking
MAX_QUESTION_WORDS = 8  # longer answers are not checked for reading as a question
_QUESTION_WORDS = frozenset(
    {
        "siapa", "apa", "apakah", "dimana", "mana", "berapa", "bagaimana", "gimana", "kapan", "kenapa",
        "mengapa", "adakah", "bisakah", "who", "what", "where", "how", "which", "why", "is", "are", "can",
    }
)  # fmt: skip
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
    # Other fields one answer can fill ("Rp 25.000/bungkus" also answers the unit): text -> {field: value}.
    fills: Callable[[str], dict[str, Any]] | None = None
    # The value as shown in the summary next to the other answers ("Rp15.000/bungkus", "10 bungkus").
    shows: Callable[[Translator, Any, dict[str, Any]], str] | None = None
    # A locale key that explains the question, for an answer that asks about it ("nib itu apa?").
    explain: str | None = None
    # The answer may well be a question (a note or a question to the other side): not confirmed as one.
    free_questions: bool = False
    # "belum punya" / "gak tau" are answers this field's parser reads (not a skip); `lewati` still skips.
    reads_none: bool = False

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
        data = {"values": values, "history": [], "to_summary": editing, "answered": [], "viewing": editing}
        state = await conversations.begin(ctx.session, ctx.user.id, self.name, step, data)
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
        asked_cancel = state.data.pop("confirm_cancel", False)
        if verb == "cancel" or (verb is None and word in words.CANCEL):
            return await self._cancel(ctx, state, confirmed=asked_cancel)
        if asked_cancel and (verb == "stay" or (verb is None and words.yes_no(word) is not None)):
            if verb is None and words.yes_no(word):
                return await self._cancel(ctx, state, confirmed=True)
            await conversations.save(ctx.session, ctx.user.id, state)
            return self._repeat(ctx, state)
        if verb is None and word in words.HELP:
            return [ctx.say("form.help"), *self._repeat(ctx, state)]
        if verb is None and (word in words.LEAVE or self._other_command(ctx, state)):
            return [ctx.say("form.leave_hint"), *self._repeat(ctx, state)]
        if state.step == SUMMARY:
            return await self._on_summary(ctx, state, verb)
        if state.step == EDIT_PICK:
            return await self._on_edit_pick(ctx, state, verb, action)
        return await self._on_field(ctx, state, verb, action)

    async def _cancel(self, ctx: Context, state: State, *, confirmed: bool) -> list[Reply]:
        """Ends the form; after more than two answers it asks once first; viewing saved data changes nothing."""
        if state.data.get("viewing"):
            await conversations.clear(ctx.session, ctx.user.id)
            return [ctx.say("form.cancelled_unchanged")]
        n = len(state.data.get("answered", []))
        if not confirmed and n > CONFIRM_CANCEL_AFTER:
            state.data["confirm_cancel"] = True
            state.data.pop("pending", None)
            await conversations.save(ctx.session, ctx.user.id, state)
            text = ctx.t.plural("form.confirm_cancel", "form.confirm_cancel_plural", n)
            choices = (
                Choice(ctx.t("form.btn_cancel_yes"), self._button(state, "cancel")),
                Choice(ctx.t("form.btn_continue"), self._button(state, "stay")),
            )
            return [Reply(text, choices)]
        await conversations.clear(ctx.session, ctx.user.id)
        return [ctx.say(self.cancelled)]

    def _other_command(self, ctx: Context, state: State) -> bool:
        """A typed command of another flow ("produk saya", "data saya") that is not an answer here."""
        matched = ctx.command_in(ctx.text)
        if matched is None or matched[0] == self.name or state.data.get("pending"):
            return False
        current = self.field(state.step)
        if current is None:
            return True
        if current.options is not None and current.kind == "text":
            try:
                current.options(ctx).answer(ctx.text)
            except ValidationError:
                return True
            return False
        # A free-text answer that reads as a command is confirmed instead (see `_asks`).
        return current.parse is None or current.kind != "text"

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
        pending = state.data.pop("pending", None)
        if pending is not None and pending.get("field") == current.name:
            if verb == "keep" or (verb is None and words.yes_no(word) is True):
                return await self._store(ctx, state, current, lambda: self._answer_text(current, pending["text"]))
            if verb == "search":
                await conversations.clear(ctx.session, ctx.user.id)
                return await ctx.start_flow("find", pending["query"])
        if verb == "back" or (verb is None and word in words.BACK):
            return await self._back(ctx, state)
        none_is_skip = current.optional and not current.reads_none and words.is_none(word)
        if verb == "skip" or (verb is None and (word in words.SKIP or none_is_skip)):
            if not current.optional:
                return [ctx.say("form.required"), *self._ask(ctx, state, current)]
            values[current.name] = None
            self._mark_answered(state, current)
            return await self._advance(ctx, state, current)
        if verb is None and current.kind == "text" and current.parse is not None and self._asks(ctx, state, current):
            return await self._confirm_answer(ctx, state, current)
        return await self._store(ctx, state, current, lambda: self._read(ctx, current, verb, action))

    async def _store(self, ctx: Context, state: State, current: Field, read: Callable[[], Any]) -> list[Reply]:
        """Keeps a valid answer (and what it also fills) and moves on, or says what was wrong."""
        values: dict[str, Any] = state.data.setdefault("values", {})
        try:
            values[current.name] = current.stored(read())
        except ValidationError as err:
            if current.explain and self._is_question(ctx.text):
                return [ctx.say(current.explain), *self._ask(ctx, state, current, short=True)]
            return [ctx.say(err.key, **err.params), *self._ask(ctx, state, current, short=True)]
        self._mark_answered(state, current)
        if current.fills is not None and ctx.text:
            filled = current.fills(ctx.text)
            values.update(filled)
            state.data["filled"] = sorted({*state.data.get("filled", []), *filled})
        return await self._advance(ctx, state, current)

    @staticmethod
    def _mark_answered(state: State, current: Field) -> None:
        """Counts the questions answered in this conversation (what a cancel would throw away)."""
        state.data["answered"] = sorted({*state.data.get("answered", []), current.name})
        state.data["viewing"] = False

    @staticmethod
    def _is_question(text: str) -> bool:
        """Whether a message reads as a question ("siapa yang jual kemplang?", "nib itu apa ya?")."""
        said = text.strip().casefold()
        parts = said.split()
        if not parts or len(parts) > MAX_QUESTION_WORDS:
            return False  # a long text (a description, an announcement) may well contain a question
        return said.endswith("?") or (parts[0] in _QUESTION_WORDS and len(parts) >= 2)

    def _asks(self, ctx: Context, state: State, current: Field) -> bool:
        """An answer to a free-text question that reads as a question or as another flow's command."""
        if current.explain and self._is_question(ctx.text):
            return False  # explained (if the parser refuses it) rather than confirmed
        matched = ctx.command_in(ctx.text)
        command = matched is not None and matched[0] != self.name
        return command or (not current.free_questions and self._is_question(ctx.text))

    async def _confirm_answer(self, ctx: Context, state: State, current: Field) -> list[Reply]:
        """Asks whether a question-like answer is meant for this field, or is a search."""
        matched = ctx.command_in(ctx.text)
        query = matched[1] if matched is not None and matched[0] == "find" and matched[1] else ctx.text
        query = query.strip(" ?!.")
        state.data["pending"] = {"field": current.name, "text": ctx.text, "query": query}
        await conversations.save(ctx.session, ctx.user.id, state)
        label = ctx.t(self.label_key(current))
        choices = [Choice(ctx.t("form.btn_keep_answer", label=label), self._button(state, "keep"))]
        if ctx.has_flow("find"):
            choices.append(Choice(ctx.t("form.btn_search_instead", query=query), self._button(state, "search")))
        choices.append(Choice(ctx.t("form.btn_cancel"), self._button(state, "cancel")))
        text = ctx.t("form.confirm_answer", query=query, answer=ctx.text, label=label)
        return [Reply(text, tuple(choices))]

    def _read(self, ctx: Context, current: Field, verb: str | None, action: actions.Action | None) -> Any:
        inbound = ctx.inbound
        options = current.options(ctx) if current.options else None
        if verb == "pick" and action is not None:
            picked = action.arg(2)
            if options is None or picked not in {value for value, _label in options.pairs}:
                raise ValidationError("form.pick_from_buttons")
            return options.answer(picked)
        if current.kind == "photo":
            if inbound.media_error:
                raise ValidationError(inbound.media_error)
            if inbound.photo_ref and len(inbound.photo_ref) <= MAX_PHOTO_REF:
                return inbound.photo_ref
            raise ValidationError("form.need_photo")
        if current.kind == "contact" and inbound.contact_phone:
            return self._answer(current, options, inbound.contact_phone)
        if inbound.photo_ref or inbound.has_unsupported_media or not ctx.text:
            raise ValidationError("form.need_text")
        return self._answer(current, options, ctx.text)

    @staticmethod
    def _answer_text(current: Field, text: str) -> Any:
        assert current.parse is not None
        return current.parse(text)

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
        filled = set(state.data.get("filled", []))
        while index < len(fields) and fields[index].name in filled:
            index += 1  # answered together with an earlier question
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

    def _show(self, t: Translator, f: Field, raw: Any, values: dict[str, Any] | None = None) -> str:
        if raw is None or raw == "":
            return t("form.empty_value")
        if f.shows is not None and values is not None:
            return f.shows(t, f.loaded(raw), values)
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
            t("form.summary_line", label=t(self.label_key(f)), value=self._show(t, f, values.get(f.name), values))
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
