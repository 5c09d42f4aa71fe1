"""A small element tree of rendered HTML, enough for tests to find a form, its inputs and the
text of an element (stdlib `html.parser`; no CSS engine: elements are found by id or tag)."""

from __future__ import annotations

from collections.abc import Iterator
from html import escape
from html.parser import HTMLParser

VOID = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    ]
)  # elements with no end tag


_RAW_TEXT = frozenset(("script", "style"))


class Element:
    """An element: `tag`, `attrs` (entities decoded; a bare attribute is `""`), `children`."""

    __slots__ = ("attrs", "children", "parent", "tag")

    def __init__(self, tag: str, attrs: dict[str, str], parent: Element | None) -> None:
        self.tag = tag
        self.attrs = attrs
        self.parent = parent
        self.children: list[Element | str] = []

    def iter(self) -> Iterator[Element]:
        """This element and every element inside it, in document order."""
        pending: list[Element] = [self]
        while pending:
            element = pending.pop()
            yield element
            pending.extend(c for c in reversed(element.children) if isinstance(c, Element))

    def find_id(self, element_id: str) -> Element | None:
        return next((e for e in self.iter() if e.attrs.get("id") == element_id), None)

    def find(self, selector: str) -> Element | None:
        """The first element matching `#id` or a tag name."""
        if selector.startswith("#"):
            return self.find_id(selector[1:])
        return next((e for e in self.iter() if e.tag == selector), None)

    @property
    def text(self) -> str:
        """The text inside, as written (entities decoded)."""
        parts: list[str] = []
        pending: list[Element | str] = [self]
        while pending:
            node = pending.pop()
            if isinstance(node, str):
                parts.append(node)
            else:
                pending.extend(reversed(node.children))
        return "".join(parts)

    @property
    def classes(self) -> list[str]:
        return self.attrs.get("class", "").split()

    def to_html(self) -> str:
        """The element written back as HTML (attributes quoted and escaped, as a browser's
        `outerHTML` writes them; script and style text as it is)."""
        parts: list[str] = []
        self._write(parts)
        return "".join(parts)

    def _write(self, parts: list[str]) -> None:
        attrs = "".join(
            f" {name}" if value == "" else f' {name}="{escape(value)}"'
            for name, value in self.attrs.items()
        )
        parts.append(f"<{self.tag}{attrs}>")
        if self.tag in VOID:
            return
        for child in self.children:
            if isinstance(child, Element):
                child._write(parts)
            else:
                parts.append(child if self.tag in _RAW_TEXT else escape(child, quote=False))
        parts.append(f"</{self.tag}>")

    def __repr__(self) -> str:
        return f"<{self.tag} {self.attrs!r}>"


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#root", {}, None)
        self.current = self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs}, self.current)
        self.current.children.append(element)
        if tag not in VOID:
            self.current = element

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.current.children.append(Element(tag, {k: v or "" for k, v in attrs}, self.current))

    def handle_endtag(self, tag: str) -> None:
        element: Element | None = self.current
        while element is not None and element.tag != tag:
            element = element.parent
        if element is not None and element.parent is not None:
            self.current = element.parent  # closes what was left open inside, as browsers do

    def handle_data(self, data: str) -> None:
        self.current.children.append(data)


def parse(html: str) -> Element:
    """The element tree of `html`, under a `#root` element."""
    builder = _Builder()
    builder.feed(html)
    builder.close()
    return builder.root
