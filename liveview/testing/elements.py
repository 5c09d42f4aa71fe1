"""`ElementTest`: one element of a view, found by selector, and the events its bindings send.

As Phoenix.LiveViewTest's `element/3` with `render_click/2` and friends: the element is looked
up in the HTML the view holds when it is used, must be exactly one, and must carry the binding
the event needs; what is sent is what the official client sends for it —

- the `phx-value-*` attributes, and the element's own `value` (a button's, an input's: the
  client's `extractMeta`), with the `value` the test gives over them;
- to the `phx-target` (a cid, or the live components of the elements a selector matches);
- a `phx-click` holding a JS chain: each `push` in it (its event, value and target), and its
  `navigate` / `patch`; the DOM commands (show, toggle...) are the browser's, not the server's;
- a link (`<a data-phx-link="patch|redirect" href>`) clicked without `phx-click`: the patch or
  the live redirect it makes.

    await view.element("button#inc").click()
    await view.element("li", "Buy milk").click({"done": "true"})
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from liveview.channel.protocol import LIVE_REDIRECT
from liveview.js import JS
from liveview.testing.html import Element, parse
from liveview.testing.navigation import Navigation
from liveview.testing.selectors import select

if TYPE_CHECKING:
    from liveview.testing.view import LiveViewTest

_VALUE_PREFIX = "phx-value-"
_STRING_VALUED = frozenset(("button", "input", "select", "textarea", "option", "output", "data"))
_CHECKABLE = frozenset(("checkbox", "radio"))
_BINDINGS = ("phx-click", "phx-change", "phx-submit", "phx-keyup", "phx-keydown", "phx-hook")


class ElementTest:
    """One element of a `LiveViewTest`'s page: `selector` (CSS), and a `text` its text must
    contain (a string) or match (a compiled pattern)."""

    __test__ = False

    def __init__(
        self, view: LiveViewTest, selector: str, text: str | re.Pattern[str] | None = None
    ) -> None:
        self.view = view
        self.selector = selector
        self.text = text

    def __repr__(self) -> str:
        text = f", {self.text!r}" if self.text is not None else ""
        return f"element({self.selector!r}{text})"

    # --- finding ---------------------------------------------------------------------------

    def _matches(self) -> tuple[list[Element], list[Element]]:
        """(what the selector matches, those the text filter keeps)."""
        found = select(parse(self.view.html), self.selector)
        if self.text is None:
            return found, found
        if isinstance(self.text, re.Pattern):
            pattern = self.text
            return found, [e for e in found if pattern.search(e.text)]
        wanted = self.text
        return found, [e for e in found if wanted in e.text]

    def find(self) -> Element:
        """The element; `LookupError` saying what the page holds if there is none, or more
        than one (Phoenix's rule: an element names one thing)."""
        found, kept = self._matches()
        if len(kept) == 1:
            return kept[0]
        if not found:
            raise LookupError(
                f"{self!r}: no element matches {self.selector!r} in the view; "
                f"{_inventory(self.view.html)}"
            )
        if not kept:
            texts = ", ".join(repr(_squash(e.text)) for e in found[:10])
            raise LookupError(
                f"{self!r}: {len(found)} element(s) match {self.selector!r}, none with the text "
                f"{self.text!r}; their texts: {texts}"
            )
        shown = "\n  ".join(_short(e) for e in kept[:10])
        raise LookupError(
            f"{self!r} matches {len(kept)} elements, not one (use a more specific selector "
            f"or a text filter):\n  {shown}"
        )

    def exists(self) -> bool:
        """Whether the view holds such an element (one or more)."""
        return bool(self._matches()[1])

    def render(self) -> str:
        """The element's HTML (outer), as the view holds it now."""
        return self.find().to_html()

    # --- events ----------------------------------------------------------------------------

    async def click(self, value: Mapping[str, Any] | None = None) -> str:
        """Click the element: its `phx-click` (an event name or a JS chain) with its values
        and `value` over them, to its target; or the patch / live redirect of a link. Returns
        the view's HTML after the reply."""
        element = self.find()
        binding = element.attrs.get("phx-click")
        if binding is None:
            link = element.attrs.get("data-phx-link")
            href = element.attrs.get("href")
            if element.tag == "a" and href and link in ("patch", "redirect"):
                replace = element.attrs.get("data-phx-link-state") == "replace"
                return await self._navigate(link, href, replace)
            raise self._missing("phx-click", element)
        return await self._run(element, "click", binding, dict(value or {}))

    async def focus(self, value: Mapping[str, Any] | None = None) -> str:
        """The element's `phx-focus` (or `phx-window-focus`)."""
        return await self._bound("focus", value)

    async def blur(self, value: Mapping[str, Any] | None = None) -> str:
        """The element's `phx-blur` (or `phx-window-blur`)."""
        return await self._bound("blur", value)

    async def keyup(self, key: str | None = None, value: Mapping[str, Any] | None = None) -> str:
        """Release `key` on the element: its `phx-keyup` (or `phx-window-keyup`), with `key`
        in the value as the client sends it. A `phx-key` the key is not stops it, as in the
        browser (nothing is sent)."""
        return await self._key("keyup", key, value)

    async def keydown(self, key: str | None = None, value: Mapping[str, Any] | None = None) -> str:
        """Press `key` on the element: its `phx-keydown` (or `phx-window-keydown`)."""
        return await self._key("keydown", key, value)

    async def hook(self, event: str, value: Any = None) -> str:
        """A `pushEvent` from the element's hook (`phx-hook`), to its `phx-target` if any."""
        element = self.find()
        if "phx-hook" not in element.attrs:
            raise self._missing("phx-hook", element)
        await self.view.send_event("hook", event, value or {}, _target_of(element))
        return self.view.html

    async def _key(self, kind: str, key: str | None, value: Mapping[str, Any] | None) -> str:
        element = self.find()
        binding = self._binding(element, kind)
        wanted = element.attrs.get("phx-key")
        if wanted and key is not None and wanted.lower() != key.lower():
            return self.view.html  # the client's filter: this key sends nothing
        extra = {"key": key} if key is not None else {}
        return await self._run(element, kind, binding, {**extra, **(value or {})})

    async def _bound(self, kind: str, value: Mapping[str, Any] | None) -> str:
        element = self.find()
        return await self._run(element, kind, self._binding(element, kind), dict(value or {}))

    def _binding(self, element: Element, kind: str) -> str:
        binding = element.attrs.get(f"phx-{kind}") or element.attrs.get(f"phx-window-{kind}")
        if binding is None:
            raise self._missing(f"phx-{kind}", element)
        return binding

    async def _run(self, element: Element, kind: str, binding: str, value: dict[str, Any]) -> str:
        """Do what the client does with a binding's value: an event name, or a JS chain."""
        if not binding.lstrip().startswith("["):
            await self._push(element, kind, binding, {}, None, value)
            return self.view.html
        try:
            commands = JS.from_json(binding).to_encodable()
        except ValueError as error:
            raise ValueError(f"{self!r}: its phx-{kind} is not a JS chain: {error}") from None
        if not any(command in ("push", "navigate", "patch") for command, _ in commands):
            raise ValueError(
                f"{self!r}: its phx-{kind} has no push, navigate or patch command, nothing for "
                f"the server: {binding}"
            )
        for command, args in commands:
            if command == "push":
                await self._push(
                    element, kind, args["event"], args.get("value") or {}, args.get("target"), value
                )
        for command, args in commands:  # the page goes after its pushes have gone out
            if command in ("navigate", "patch"):
                link = "redirect" if command == "navigate" else "patch"
                await self._navigate(link, args["href"], bool(args.get("replace")))
        return self.view.html

    async def _push(
        self,
        element: Element,
        kind: str,
        event: str,
        js_value: Mapping[str, Any],
        js_target: int | str | None,
        value: Mapping[str, Any],
    ) -> None:
        meta = _meta(_clicked(element) if kind == "click" else element)
        payload = {**meta, **js_value, **value}
        target = js_target if js_target is not None else _target_of(element)
        await self.view.send_event(kind, event, payload, target)

    async def _navigate(self, link: str, href: str, replace: bool) -> str:
        if link == "patch":
            return await self.view.patch(href)
        self.view._navigated(Navigation(LIVE_REDIRECT, href, None, replace))
        return self.view.html

    def _missing(self, binding: str, element: Element) -> LookupError:
        bound = _with_attribute(self.view.html, binding)
        others = ", ".join(_short(e) for e in bound[:10]) or "none"
        return LookupError(
            f"{self!r} has no {binding} binding: {_short(element)}; "
            f"the elements with {binding} in the view: {others}"
        )


# --- what the client reads from an element -----------------------------------------------------


def _meta(element: Element) -> dict[str, Any]:
    """The client's `extractMeta`: the `phx-value-*` attributes, then the element's value."""
    meta: dict[str, Any] = {
        name[len(_VALUE_PREFIX) :]: value
        for name, value in element.attrs.items()
        if name.startswith(_VALUE_PREFIX)
    }
    value = _dom_value(element)
    if value is not None:
        meta["value"] = value
    return meta


def _clicked(element: Element) -> Element:
    """The element as the click handler sees it: a click checks a radio and toggles a
    checkbox before the handlers run (so the client sends the value of the new state)."""
    if element.tag != "input":
        return element
    kind = element.attrs.get("type", "text").lower()
    if kind not in _CHECKABLE:
        return element
    attrs = dict(element.attrs)
    if kind == "checkbox" and "checked" in attrs:
        del attrs["checked"]
    else:
        attrs["checked"] = ""
    return Element(element.tag, attrs, element.parent)


def _dom_value(element: Element) -> Any:
    """What `el.value` is in the browser (None: undefined, or an unchecked checkbox/radio)."""
    tag, attrs = element.tag, element.attrs
    if tag == "li":
        number = attrs.get("value", "0").strip()
        return int(number) if number.lstrip("-").isdigit() else 0
    if tag not in _STRING_VALUED:
        return None
    if tag == "textarea":
        text = element.text
        return text[1:] if text.startswith("\n") else text
    if tag == "select":
        options = [e for e in element.iter() if e.tag == "option"]
        chosen = [o for o in options if "selected" in o.attrs] or options[:1]
        return chosen[0].attrs.get("value", _squash(chosen[0].text)) if chosen else ""
    if tag == "option":
        return attrs.get("value", _squash(element.text))
    if tag == "input":
        kind = attrs.get("type", "text").lower()
        if kind in _CHECKABLE:
            return attrs.get("value", "on") if "checked" in attrs else None
    return attrs.get("value", "")


def _target_of(element: Element) -> int | str | None:
    target = element.attrs.get("phx-target")
    if not target:
        return None
    return int(target) if target.strip().isdigit() else target


def _with_attribute(html: str, name: str) -> list[Element]:
    return [e for e in parse(html).iter() if name in e.attrs]


def _inventory(html: str) -> str:
    """What a test most likely meant: the elements with an id or a binding."""
    root = parse(html)
    named = [e for e in root.iter() if "id" in e.attrs or any(b in e.attrs for b in _BINDINGS)]
    if not named:
        return f"the view's HTML: {html[:300]!r}"
    shown = ", ".join(_short(e) for e in named[:20])
    more = f" (and {len(named) - 20} more)" if len(named) > 20 else ""
    return f"elements with an id or a binding: {shown}{more}"


def _short(element: Element) -> str:
    """`button#inc.big[phx-click=inc]`: how an element is named in error messages."""
    name = element.tag
    if element.attrs.get("id"):
        name += f"#{element.attrs['id']}"
    name += "".join(f".{c}" for c in element.classes[:3])
    name += "".join(f"[{b}={element.attrs[b]!r}]" for b in _BINDINGS if b in element.attrs)
    text = _squash(element.text)
    return f"{name} {text[:30]!r}" if text else name


def _squash(text: str) -> str:
    return " ".join(text.split())
