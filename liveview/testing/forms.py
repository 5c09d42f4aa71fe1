"""`FormTest`: a form of the rendered page, filled in and sent as the official client does.

`view.form("#signup", {"signup": {...}})` reads the form from the HTML the test holds (the
first form the CSS selector matches) with those values filled in. `change({...})` puts the
given values (the form's, then the call's) over the form's current ones and sends the whole
form to its `phx-change` event, with `_target` the last given input and an `_unused_` key
for each input not filled in yet (by this call or an earlier one): what the 1.2 client sends
for inputs the user has not focused. `submit()` sends it to `phx-submit` with nothing unused
(the client marks every input as submitted). A value given for an input the form does not
have (or a disabled one) fails the test, as in Phoenix's `form/3`, and so does a value a
select, a radio group or a checkbox cannot take (not among its options). `errors` reads the
error messages the page shows, per input name.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from liveview.testing.html import Element, parse
from liveview.testing.selectors import select

if TYPE_CHECKING:
    from liveview.testing.view import LiveViewTest

_NOT_SENT = frozenset(("submit", "button", "reset", "image", "file"))
_LAST_SEGMENT = re.compile(r"([^\[\]]+)(\]?$)")


class FormTest:
    """One form of a `LiveViewTest`'s page, by selector (`#id`, or a tag: `form`)."""

    __test__ = False

    def __init__(
        self, view: LiveViewTest, selector: str, data: Mapping[str, Any] | None = None
    ) -> None:
        self.view = view
        self.selector = selector
        self.data = _given(data or {})
        """The values the form was given (`view.form(selector, data)`), as (name, value)."""
        self.used: set[str] = {name for name, _ in self.data}
        """Input names filled in so far (a real browser remembers focus the same way)."""
        self.submitted = False

    # --- reading ------------------------------------------------------------------------

    def element(self) -> Element:
        return _form(parse(self.view.html), self.selector, self.view.html)

    @property
    def values(self) -> list[tuple[str, str]]:
        """The form's data as the browser would send it now (names and values, in order)."""
        return [(name, value) for name, value, _ in _entries(self.element())]

    @property
    def errors(self) -> dict[str, list[str]]:
        """The messages shown for each input (by name): the `lv-error` items of the element its
        `aria-describedby` names (or that element's text); `""`: the form's own
        (`#<form id>-errors`)."""
        root = parse(self.view.html)
        form = _form(root, self.selector, self.view.html)
        found: dict[str, list[str]] = {}
        owners = [(form.attrs.get("id", "") + "-errors", "")]
        for control in _controls(form):
            if "aria-describedby" in control.attrs:
                owners.append((control.attrs["aria-describedby"], control.attrs.get("name", "")))
        for group in form.iter():  # a radio group's fieldset describes its inputs
            if group.tag == "fieldset" and "aria-describedby" in group.attrs:
                names = [c.attrs.get("name", "") for c in _controls(group)]
                owners.append((group.attrs["aria-describedby"], names[-1] if names else ""))
        for element_id, name in owners:
            described = root.find_id(element_id) if element_id else None
            if described is None:
                continue
            items = [e for e in described.iter() if "lv-error" in e.classes]
            messages = [_squash(e.text) for e in items] if items else [_squash(described.text)]
            bucket = found.setdefault(name.removesuffix("[]"), [])
            bucket.extend(m for m in messages if m and m not in bucket)
        return {name: messages for name, messages in found.items() if messages}

    # --- sending ------------------------------------------------------------------------

    async def change(
        self, values: Mapping[str, Any] | None = None, *, target: str | None = None
    ) -> str:
        """Fill in `values` (nested as the event decodes them: `{"signup": {"email": "x"}}`)
        and send the form to its `phx-change` event. Returns the HTML after the reply."""
        form = self.element()
        given = self._given(values)
        self.used.update(name for name, _ in given)
        entries = _filled(form, given, self.selector)
        pairs: list[tuple[str, str]] = []
        for name, value, hidden in entries:
            if not self.submitted and not hidden and name not in self.used:
                pairs.append((_unused_key(name), ""))
            pairs.append((name, value))
        last = target or (given[-1][0] if given else None)
        await self._send(form, "phx-change", pairs, {"_target": last} if last else {})
        return self.view.html

    async def submit(self, values: Mapping[str, Any] | None = None) -> str:
        """Fill in `values` and send the form to its `phx-submit` event."""
        form = self.element()
        given = self._given(values)
        self.used.update(name for name, _ in given)
        self.submitted = True
        pairs = [(name, value) for name, value, _ in _filled(form, given, self.selector)]
        await self._send(form, "phx-submit", pairs, {})
        return self.view.html

    def _given(self, values: Mapping[str, Any] | None) -> list[tuple[str, str]]:
        """The form's data, then `values`: a name given in `values` replaces the data's."""
        extra = _given(values or {})
        names = {name for name, _ in extra}
        return [pair for pair in self.data if pair[0] not in names] + extra

    async def _send(
        self, form: Element, binding: str, pairs: list[tuple[str, str]], meta: dict[str, Any]
    ) -> None:
        event = form.attrs.get(binding)
        if not event:
            raise LookupError(
                f"form {self.selector!r} has no {binding} binding: "
                f"<form {' '.join(f'{k}={v!r}' for k, v in form.attrs.items())}>"
            )
        target = form.attrs.get("phx-target") or None
        phx_target: int | str | None = int(target) if target and target.isdigit() else target
        await self.view.send_form(event, urlencode(pairs), meta, phx_target)


def _form(root: Element, selector: str, html: str) -> Element:
    found = select(root, selector)
    if not found:
        forms = [
            f"form#{e.attrs['id']}" if e.attrs.get("id") else "form"
            for e in root.iter()
            if e.tag == "form"
        ]
        raise LookupError(
            f"no element matches {selector!r} in the view; its forms: {', '.join(forms) or 'none'}"
        )
    if found[0].tag != "form":
        raise LookupError(f"{selector!r} matches a <{found[0].tag}>, not a <form>")
    return found[0]


def _controls(form: Element) -> list[Element]:
    """Named, enabled form controls inside `form`, in document order."""
    found: list[Element] = []
    for element in form.iter():
        if element.tag not in ("input", "select", "textarea", "button"):
            continue
        if not element.attrs.get("name") or _disabled(element, form):
            continue
        found.append(element)
    return found


def _disabled(element: Element, form: Element) -> bool:
    node: Element | None = element
    while node is not None and node is not form.parent:
        if "disabled" in node.attrs and node.tag in ("input", "select", "textarea", "button"):
            return True
        if node.tag == "fieldset" and "disabled" in node.attrs and node is not element:
            return True
        node = node.parent
    return False


def _entries(form: Element) -> list[tuple[str, str, bool]]:
    """(name, value, hidden) for each value the browser's FormData holds, in order; `hidden`:
    every input of that name is a hidden one (the client never marks those unused)."""
    controls = _controls(form)
    visible = {c.attrs["name"] for c in controls if c.attrs.get("type", "").lower() != "hidden"}
    entries: list[tuple[str, str, bool]] = []
    for control in controls:
        name = control.attrs["name"]
        hidden = name not in visible
        if control.tag == "button":
            continue  # only a submitter is sent
        if control.tag == "select":
            entries.extend((name, value, hidden) for value in _selected(control))
        elif control.tag == "textarea":
            text = control.text
            entries.append((name, text[1:] if text.startswith("\n") else text, hidden))
        else:
            kind = control.attrs.get("type", "text").lower()
            if kind in _NOT_SENT:
                continue
            if kind in ("checkbox", "radio") and "checked" not in control.attrs:
                continue
            default = "on" if kind in ("checkbox", "radio") else ""
            entries.append((name, control.attrs.get("value", default), hidden))
    return entries


def _selected(select: Element) -> list[str]:
    options = [e for e in select.iter() if e.tag == "option"]
    chosen = [o for o in options if "selected" in o.attrs]
    if not chosen and "multiple" not in select.attrs and options:
        chosen = options[:1]
    return [o.attrs.get("value", _squash(o.text)) for o in chosen]


def _filled(
    form: Element, given: list[tuple[str, str]], selector: str
) -> list[tuple[str, str, bool]]:
    """The form's entries with the given names' values in place of theirs."""
    controls = _controls(form)
    names = [control.attrs["name"] for control in controls]
    visible = {c.attrs["name"] for c in controls if c.attrs.get("type", "").lower() != "hidden"}
    missing = sorted({name for name, _ in given} - set(names))
    if missing:
        raise ValueError(f"form {selector!r} has no input named {missing}; it has {names}")
    _check_choices(controls, given, selector)
    replaced = {name for name, _ in given}
    entries = [entry for entry in _entries(form) if entry[0] not in replaced]
    order = {name: index for index, name in reversed(list(enumerate(names)))}
    for name, value in given:
        entries.append((name, value, name not in visible))
    position = {id(entry): i for i, entry in enumerate(entries)}
    entries.sort(key=lambda entry: (order[entry[0]], position[id(entry)]))
    return entries


def _check_choices(controls: list[Element], given: list[tuple[str, str]], selector: str) -> None:
    """A select, a radio group or a checkbox takes only the values it offers (with the hidden
    inputs of its name: a checkbox's "false" twin)."""
    for name, value in given:
        named = [c for c in controls if c.attrs["name"] == name]
        offered: list[str] = []
        for control in named:
            kind = control.attrs.get("type", "text").lower()
            if control.tag == "select":
                offered += [
                    o.attrs.get("value", _squash(o.text))
                    for o in control.iter()
                    if o.tag == "option"
                ]
            elif control.tag == "input" and kind in ("checkbox", "radio"):
                offered.append(control.attrs.get("value", "on"))
            elif control.tag == "input" and kind == "hidden":
                offered.append(control.attrs.get("value", ""))
            else:
                break  # a text-like input takes any value
        else:
            if (
                named
                and value not in offered
                and not all(c.attrs.get("type", "").lower() == "hidden" for c in named)
            ):
                what = "select" if named[-1].tag == "select" else named[-1].attrs.get("type")
                raise ValueError(
                    f"form {selector!r}: value {value!r} for {what} {name!r} is not one it "
                    f"offers: {offered}"
                )


def _given(values: Mapping[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for key, value in values.items():
        name = f"{prefix}[{key}]" if prefix else str(key)
        if isinstance(value, Mapping):
            pairs.extend(_given(value, name))
        elif isinstance(value, list | tuple):
            pairs.extend((f"{name}[]", _text(item)) for item in value)
        else:
            pairs.append((name, _text(value)))
    return pairs


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _unused_key(name: str) -> str:
    """The client's `_unused_` twin of an input name: `a[b]` -> `a[_unused_b]`."""
    array = name.endswith("[]")
    base = name[:-2] if array else name
    base = _LAST_SEGMENT.sub(r"_unused_\1\2", base, count=1)
    return base + "[]" if array else base


def _squash(text: str) -> str:
    return " ".join(text.split())
