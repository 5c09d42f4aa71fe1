"""JS commands: client-side operations built in Python, run by the official client.

A `JS` is an immutable chain of commands. Each method returns a new `JS` with one more command;
called on the class it starts a new chain, so ``JS.push("inc").hide(to="#modal")`` reads as in
Phoenix. It renders as the JSON array the client executes (``[[kind, args], ...]``), so it goes
straight into a ``phx-*`` binding or a ``data-*`` attribute in a template, escaped for HTML
(``__html__``); ``str(js)`` is the unescaped JSON, ``js.to_encodable()`` the plain lists and
dicts (what `push_event` sends when a payload holds a `JS`).

Options and defaults are those of Phoenix LiveView 1.2: an option left out is not sent, so the
client's default applies (200 ms for ``time``, ``"block"`` (or ``table-row``...) for
``display``, blocking transitions). ``to`` may also come first, unnamed, in the commands that
take nothing else (``JS.toggle("#menu")``). Bad input fails when the command is built, with a
`TypeError` or `ValueError` naming the command and the option, never later in the browser.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Concatenate, Final, Generic, Literal, ParamSpec, TypeAlias, cast

import orjson
from markupsafe import escape

Selector: TypeAlias = str | tuple[Literal["inner", "closest", "document"], str]
"""Where a command applies: a CSS selector over the document, or ``("inner", sel)`` (inside the
element the binding is on), ``("closest", sel)`` (its closest ancestor-or-self), or
``("document", sel)`` (the same as ``sel``)."""

Transition: TypeAlias = str | tuple[str, str, str]
"""Classes for a transition: ``"fade"`` (applied while it runs), or ``(running, start, end)``,
e.g. ``("ease-out duration-300", "opacity-0", "opacity-100")``; each a space-separated list."""

P = ParamSpec("P")

SCOPES: Final = ("inner", "closest", "document")
NAVIGATION_SCHEMES: Final = (None, "http", "https")

_new = object.__new__
_set = object.__setattr__  # a JS's own __setattr__ refuses every change


class _Chain(Generic[P]):
    """A method that also works on the class: ``JS.hide()`` is ``JS().hide()``."""

    def __init__(self, method: Callable[Concatenate[JS, P], JS]) -> None:
        self._method = method
        self.__doc__ = method.__doc__
        self.__name__ = method.__name__

    def __get__(self, instance: JS | None, owner: type[JS] | None = None) -> Callable[P, JS]:
        bound = types.MethodType(self._method, _EMPTY if instance is None else instance)
        return bound  # a MethodType (no cast: a subscripted type costs a microsecond a call)


class JS:
    """A chain of client-side commands (Phoenix's ``%JS{}``), immutable and chainable."""

    __slots__ = ("_html", "_json", "_ops")

    _ops: tuple[tuple[str, dict[str, Any]], ...]
    _json: str | None
    _html: str | None
    """Both encodings are kept once made: the commands never change."""

    def __init__(self) -> None:
        _set(self, "_ops", ())
        _set(self, "_json", None)
        _set(self, "_html", None)

    # --- server commands ---------------------------------------------------------------------

    @_Chain
    def push(
        self,
        event: str,
        *,
        target: int | str | None = None,
        loading: str | None = None,
        page_loading: bool | None = None,
        value: Mapping[str, Any] | None = None,
    ) -> JS:
        """Push ``event`` to the server (to ``handle_event``), like a plain ``phx-click``.

        ``target``: a component's ``myself`` (its cid) or a selector of the LiveView or
        component to receive it (else the element's ``phx-target``, else the LiveView);
        ``loading``: a selector of more elements to get the loading classes;
        ``page_loading``: show the page loading state; ``value``: values sent in the payload
        (JSON-encodable), over the element's ``phx-value-*``."""
        command = "push"
        args: dict[str, Any] = {"event": _name(command, "event", event)}
        if target is not None:
            if isinstance(target, bool) or not isinstance(target, int | str):
                raise _type(command, "target", "a component's myself (int) or a selector", target)
            if isinstance(target, str):
                target = _name(command, "target", target)
            elif target < 0:
                raise ValueError(f"JS.push: target must be a component's cid, got {target}")
            args["target"] = target
        if loading is not None:
            args["loading"] = _name(command, "loading", loading)
        if page_loading is not None:
            args["page_loading"] = _bool(command, "page_loading", page_loading)
        if value is not None:
            args["value"] = _object(command, "value", value)
        return self._then(command, args)

    @_Chain
    def navigate(self, href: str, *, replace: bool = False) -> JS:
        """Navigate to ``href`` (a live navigation to another LiveView of the app; the client
        does a full page load when the server refuses it); ``replace`` the history entry."""
        return self._then("navigate", _navigation("navigate", href, replace))

    @_Chain
    def patch(self, href: str, *, replace: bool = False) -> JS:
        """Patch the current LiveView to ``href`` (``handle_params`` runs; no remount);
        ``replace`` the history entry."""
        return self._then("patch", _navigation("patch", href, replace))

    # --- visibility --------------------------------------------------------------------------

    @_Chain
    def show(
        self,
        to: Selector | None = None,
        *,
        transition: Transition | None = None,
        display: str | None = None,
        time: int | None = None,
        blocking: bool | None = None,
    ) -> JS:
        """Show the elements (``to``, else the element itself) that are hidden, with
        ``display`` (default ``block``), running ``transition`` over ``time`` ms (default
        200); ``blocking=False`` lets the page take events during it."""
        args = _target("show", to)
        if display is not None:
            args["display"] = _str("show", "display", display)
        return self._then("show", _timed("show", args, transition, time, blocking))

    @_Chain
    def hide(
        self,
        to: Selector | None = None,
        *,
        transition: Transition | None = None,
        time: int | None = None,
        blocking: bool | None = None,
    ) -> JS:
        """Hide the elements (``to``, else the element itself) that are visible (``display:
        none`` at the end of ``transition``)."""
        return self._then("hide", _timed("hide", _target("hide", to), transition, time, blocking))

    @_Chain
    def toggle(
        self,
        to: Selector | None = None,
        *,
        in_: Transition | None = None,
        out: Transition | None = None,
        display: str | None = None,
        time: int | None = None,
        blocking: bool | None = None,
    ) -> JS:
        """Show the elements that are hidden and hide those that are visible, with the ``in_``
        or ``out`` transition (Phoenix's ``in:`` and ``out:``)."""
        command = "toggle"
        args = _target(command, to)
        if display is not None:
            args["display"] = _str(command, "display", display)
        if in_ is not None:
            args["ins"] = _transition(command, "in_", in_)
        if out is not None:
            args["outs"] = _transition(command, "out", out)
        return self._then(command, _timed(command, args, None, time, blocking))

    # --- classes -----------------------------------------------------------------------------

    @_Chain
    def add_class(
        self,
        names: str,
        *,
        to: Selector | None = None,
        transition: Transition | None = None,
        time: int | None = None,
        blocking: bool | None = None,
    ) -> JS:
        """Add the space-separated class ``names``, after ``transition`` if given. Classes set
        this way stay across server patches."""
        return self._classes("add_class", names, to, transition, time, blocking)

    @_Chain
    def remove_class(
        self,
        names: str,
        *,
        to: Selector | None = None,
        transition: Transition | None = None,
        time: int | None = None,
        blocking: bool | None = None,
    ) -> JS:
        """Remove the space-separated class ``names``, after ``transition`` if given."""
        return self._classes("remove_class", names, to, transition, time, blocking)

    @_Chain
    def toggle_class(
        self,
        names: str,
        *,
        to: Selector | None = None,
        transition: Transition | None = None,
        time: int | None = None,
        blocking: bool | None = None,
    ) -> JS:
        """Add each of the class ``names`` an element lacks and remove each it has."""
        return self._classes("toggle_class", names, to, transition, time, blocking)

    @_Chain
    def transition(
        self,
        transition: Transition,
        *,
        to: Selector | None = None,
        time: int | None = None,
        blocking: bool | None = None,
    ) -> JS:
        """Run ``transition`` (classes applied for ``time`` ms, then removed), e.g. a shake."""
        args = _target("transition", to)
        args["transition"] = _transition("transition", "transition", transition)
        return self._then("transition", _timed("transition", args, None, time, blocking))

    # --- attributes --------------------------------------------------------------------------

    @_Chain
    def set_attribute(self, attribute: tuple[str, str], *, to: Selector | None = None) -> JS:
        """Set an attribute: ``set_attribute(("aria-expanded", "true"))``. It stays across
        server patches."""
        command = "set_attribute"
        if not isinstance(attribute, tuple) or len(attribute) != 2:
            raise _type(command, "attribute", "a (name, value) tuple", attribute)
        name, value = attribute
        pair = [_name(command, "attribute name", name), _str(command, "attribute value", value)]
        return self._then("set_attr", {**_target(command, to), "attr": pair})

    @_Chain
    def remove_attribute(self, name: str, *, to: Selector | None = None) -> JS:
        """Remove the attribute ``name``; it stays removed across server patches."""
        command = "remove_attribute"
        args = {**_target(command, to), "attr": _name(command, "name", name)}
        return self._then("remove_attr", args)

    @_Chain
    def toggle_attribute(
        self, attribute: tuple[str, str] | tuple[str, str, str], *, to: Selector | None = None
    ) -> JS:
        """``(name, value)``: set the attribute when absent, remove it when present;
        ``(name, value1, value2)``: switch it between the two values (``value1`` when absent)."""
        command = "toggle_attribute"
        if not isinstance(attribute, tuple) or len(attribute) not in (2, 3):
            raise _type(
                command, "attribute", "a (name, value) or (name, value1, value2) tuple", attribute
            )
        name, *values = attribute
        attr = [_name(command, "attribute name", name)]
        attr += [_str(command, "attribute value", value) for value in values]
        return self._then("toggle_attr", {**_target(command, to), "attr": attr})

    @_Chain
    def ignore_attributes(self, names: str | Iterable[str], *, to: Selector | None = None) -> JS:
        """Keep the browser's value of these attributes when the server patches the element
        (e.g. ``"open"`` of a ``<details>``); a name may end with ``*`` (``"data-*"``)."""
        command = "ignore_attributes"
        if isinstance(names, str):
            names = [names]
        elif not isinstance(names, Iterable):
            raise _type(command, "names", "a name or a list of names", names)
        attrs = [_name(command, "names", name) for name in names]
        return self._then("ignore_attrs", {**_target(command, to), "attrs": attrs})

    # --- events ------------------------------------------------------------------------------

    @_Chain
    def dispatch(
        self,
        event: str,
        *,
        to: Selector | None = None,
        detail: Mapping[str, Any] | None = None,
        bubbles: bool | None = None,
        blocking: bool | None = None,
    ) -> JS:
        """Dispatch the DOM event ``event`` on the elements, with ``detail`` (JSON-encodable;
        the client adds ``dispatcher``, the element the binding is on). Events bubble unless
        ``bubbles=False``. ``blocking=True`` holds the page (as a transition does) until a
        listener calls ``event.detail.done()``."""
        command = "dispatch"
        args = {**_target(command, to), "event": _name(command, "event", event)}
        if bubbles is not None:
            args["bubbles"] = _bool(command, "bubbles", bubbles)
        if detail is not None:
            if event == "click":
                raise ValueError(
                    "JS.dispatch: a click event cannot carry a detail (the browser replaces it "
                    "with a click count); dispatch an event of your own and click from its "
                    "listener"
                )
            detail = _object(command, "detail", detail)
            if blocking and "done" in detail:
                raise ValueError(
                    "JS.dispatch: with blocking=True the detail must not have a 'done' key "
                    "(the client puts the function that ends the wait there)"
                )
            args["detail"] = detail
        if blocking is not None and _bool(command, "blocking", blocking):
            args["blocking"] = True
        return self._then(command, args)

    @_Chain
    def exec(self, attribute: str, *, to: Selector | None = None) -> JS:
        """Run the commands held in ``attribute`` of the elements (``to``, else this one),
        e.g. ``exec("data-cancel", to="#modal")`` or ``exec("phx-remove")``."""
        args = {**_target("exec", to), "attr": _name("exec", "attribute", attribute)}
        return self._then("exec", args)

    # --- focus -------------------------------------------------------------------------------

    @_Chain
    def focus(self, to: Selector | None = None) -> JS:
        """Focus the element (``to``, else this one)."""
        return self._then("focus", _target("focus", to))

    @_Chain
    def focus_first(self, to: Selector | None = None) -> JS:
        """Focus the first focusable element inside (``to``, else this one)."""
        return self._then("focus_first", _target("focus_first", to))

    @_Chain
    def push_focus(self, to: Selector | None = None) -> JS:
        """Remember an element (``to``, else this one) for a later `pop_focus`, e.g. the
        button that opens a modal."""
        return self._then("push_focus", _target("push_focus", to))

    @_Chain
    def pop_focus(self) -> JS:
        """Focus the element the last `push_focus` remembered."""
        return self._then("pop_focus", {})

    # --- combining and encoding --------------------------------------------------------------

    @_Chain
    def concat(self, other: JS) -> JS:
        """This chain's commands, then ``other``'s (also ``self + other``)."""
        if not isinstance(other, JS):
            raise _type("concat", "other", "a JS", other)
        return JS._of(self._ops + other._ops)

    def __add__(self, other: JS) -> JS:
        if not isinstance(other, JS):
            return NotImplemented
        return self.concat(other)

    def to_encodable(self) -> list[list[Any]]:
        """The commands as plain lists and dicts (a fresh copy), as the client reads them."""
        loaded: list[list[Any]] = orjson.loads(str(self))
        return loaded

    @classmethod
    def from_json(cls, text: str) -> JS:
        """The `JS` that renders as ``text`` (e.g. an attribute read back in a test):
        ``JS.from_json(element.attrs["phx-click"]) == JS.push("inc")``. Raises `ValueError`
        for text that is not a list of ``[kind, {args}]`` commands."""
        try:
            data = orjson.loads(text)
        except orjson.JSONDecodeError as error:
            raise ValueError(f"JS.from_json: not JSON: {error}") from None
        if not isinstance(data, list):
            raise ValueError("JS.from_json: expected a list of [kind, args] commands")
        js = cls()
        for op in data:
            if (
                not isinstance(op, list)
                or len(op) != 2
                or op[0] not in KINDS
                or not isinstance(op[1], dict)
            ):
                raise ValueError(f"JS.from_json: not a [kind, args] command: {op!r}")
            js = js._then(op[0], op[1])
        return js

    def __str__(self) -> str:
        """The JSON the client executes (not escaped for HTML: see ``__html__``)."""
        if self._json is None:
            ops = [[kind, args] for kind, args in self._ops]
            json = orjson.dumps(ops, option=orjson.OPT_SORT_KEYS).decode()
            _set(self, "_json", json)
            return json
        return self._json

    def __html__(self) -> str:
        """The JSON escaped for an HTML attribute value (what templates insert)."""
        if self._html is None:
            html = str(escape(str(self)))
            _set(self, "_html", html)
            return html
        return self._html

    def __repr__(self) -> str:
        return f"JS.from_json({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, JS) and str(self) == str(other)

    def __hash__(self) -> int:
        return hash(str(self))

    def __bool__(self) -> bool:
        """Whether there is any command (an empty `JS` renders as ``[]``)."""
        return bool(self._ops)

    def __len__(self) -> int:
        return len(self._ops)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"JS is immutable: each command returns a new JS (set {name!r})")

    # --- internals ---------------------------------------------------------------------------

    @staticmethod
    def _of(ops: tuple[tuple[str, dict[str, Any]], ...]) -> JS:
        js = _new(JS)
        _set(js, "_ops", ops)
        _set(js, "_json", None)
        _set(js, "_html", None)
        return js

    def _then(self, kind: str, args: dict[str, Any]) -> JS:
        return JS._of((*self._ops, (kind, args)))

    def _classes(
        self,
        command: str,
        names: str,
        to: Selector | None,
        transition: Transition | None,
        time: int | None,
        blocking: bool | None,
    ) -> JS:
        args = {**_target(command, to), "names": _class_names(command, "names", names)}
        return self._then(command, _timed(command, args, transition, time, blocking))


_EMPTY: Final = JS()

KINDS: Final = frozenset(
    (
        "push", "navigate", "patch", "show", "hide", "toggle", "add_class", "remove_class",
        "toggle_class", "transition", "set_attr", "remove_attr", "toggle_attr", "ignore_attrs",
        "dispatch", "exec", "focus", "focus_first", "push_focus", "pop_focus",
    )
)  # fmt: skip
"""The command kinds the 1.2 client executes (its ``exec_<kind>`` functions)."""


# --- option checks (each names the command and the option in its error) ----------------------


def _type(command: str, option: str, expected: str, got: Any) -> TypeError:
    return TypeError(f"JS.{command}: {option} must be {expected}, got {got!r}")


def _str(command: str, option: str, value: Any) -> str:
    if not isinstance(value, str):
        raise _type(command, option, "a str", value)
    return value


def _name(command: str, option: str, value: Any) -> str:
    """A non-empty str without surrounding spaces (an event, attribute or class name)."""
    _str(command, option, value)
    if not value or value != value.strip():
        raise ValueError(f"JS.{command}: {option} must be a non-empty name, got {value!r}")
    return cast(str, value)


def _bool(command: str, option: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise _type(command, option, "True or False", value)
    return value


def _object(command: str, option: str, value: Any) -> dict[str, Any]:
    """A mapping with str keys that JSON can carry, as a plain dict of plain values."""
    if not isinstance(value, Mapping):
        raise _type(command, option, "a dict", value)
    try:
        plain: dict[str, Any] = orjson.loads(orjson.dumps(dict(value)))
    except TypeError as error:
        raise TypeError(f"JS.{command}: {option} must be JSON-encodable: {error}") from None
    return plain


def _target(command: str, to: Any) -> dict[str, Any]:
    """The ``to`` argument as the client reads it: a selector, ``{"inner": sel}`` or
    ``{"closest": sel}``; nothing when absent (the element itself)."""
    if to is None:
        return {}
    if isinstance(to, str):
        return {"to": _name(command, "to", to)}
    if isinstance(to, tuple) and len(to) == 2 and isinstance(to[1], str):
        scope, selector = to
        if scope not in SCOPES:
            raise ValueError(
                f"JS.{command}: the scope of to must be one of {', '.join(SCOPES)}, got {scope!r}"
            )
        selector = _name(command, "to", selector)
        return {"to": selector if scope == "document" else {scope: selector}}
    raise _type(command, "to", 'a selector or a ("inner"|"closest"|"document", selector)', to)


def _class_names(command: str, option: str, names: Any) -> list[str]:
    if not isinstance(names, str):
        raise _type(command, option, "a str of space-separated class names", names)
    return names.split()


def _transition(command: str, option: str, value: Any) -> list[list[str]]:
    """``"a b"`` -> ``[["a", "b"], [], []]``; ``(run, start, end)`` -> three class lists."""
    if isinstance(value, str):
        return [value.split(), [], []]
    if isinstance(value, tuple) and len(value) == 3 and all(isinstance(v, str) for v in value):
        return [part.split() for part in value]
    raise _type(command, option, "a str or a (running, start, end) tuple of str", value)


def _timed(
    command: str,
    args: dict[str, Any],
    transition: Any,
    time: Any,
    blocking: Any,
) -> dict[str, Any]:
    """``args`` with the ``transition``, ``time`` and ``blocking`` given."""
    if transition is not None:
        args["transition"] = _transition(command, "transition", transition)
    if time is not None:
        if isinstance(time, bool) or not isinstance(time, int):
            raise _type(command, "time", "an int (milliseconds)", time)
        if time < 0:
            raise ValueError(f"JS.{command}: time must be >= 0 milliseconds, got {time}")
        args["time"] = time
    if blocking is not None:
        args["blocking"] = _bool(command, "blocking", blocking)
    return args


def _navigation(command: str, href: Any, replace: Any) -> dict[str, Any]:
    """Phoenix's check: a path or an http(s) URL (another scheme is for a plain link)."""
    _str(command, "href", href)
    scheme = _scheme(href)
    if scheme not in NAVIGATION_SCHEMES:
        raise ValueError(
            f"JS.{command}: unsupported scheme {scheme!r} in {href!r}: navigate and patch go to "
            "a path or an http(s) URL of a LiveView of the app; link elsewhere with href"
        )
    return {"href": href, "replace": _bool(command, "replace", replace)}


def _scheme(href: str) -> str | None:
    """The lowercased scheme: what precedes a ``:`` that comes before any ``/``, ``?``, ``#``."""
    for index, char in enumerate(href):
        if char == ":":
            return href[:index].lower()
        if char in "/?#":
            return None
    return None


def json_default(value: Any) -> Any:
    """For ``orjson.dumps(..., default=json_default)``: a `JS` inside a payload (`push_event`,
    a hook reply) is sent as its commands, as Phoenix's JSON encoder does."""
    if isinstance(value, JS):
        return value.to_encodable()
    raise TypeError(f"Type is not JSON serializable: {type(value).__name__}")
