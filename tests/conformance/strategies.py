"""Hypothesis strategies: Jinja templates and sequences of assigns for the conformance tests.

Templates are generated as source text, scope-aware so that every template renders: nested
``if``/``elif``/``else`` and ``for`` (with ``else``, an ``if`` filter, tuple targets, ``loop.*``),
elements whose attributes hold slots and conditionals, ``{% set %}`` (also shadowing an
assign, also in loop bodies), ``{% set %}...{% endset %}``, stateful helpers (``joiner``,
``cycler``, ``loop.changed``, a list appended to in place, ``namespace``), opaque statements
(``filter``, ``with``), comments, ``raw`` and whitespace control. Text -- static and dynamic --
mixes ``<``, ``&``, both quotes and non-ASCII (accents, CJK, astral emoji, NBSP, newlines).

Every template reads the same assigns (``SCHEMA``); a case is a template plus an initial state
and a few transitions (edits, growing/shrinking/reordering lists, nothing at all), each with
the ``changed`` argument the render gets: the names whose value changed (the socket's rule:
type or value differs), or every name, or ``None`` (full render), or a superset with names
that are not assigns at all.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from hypothesis import strategies as st
from markupsafe import Markup

from tests.conformance.checker import PARTIALS, Step

# --- values ----------------------------------------------------------------------------------

_CHARS = list("ab <>&\"'=/;é漢字😀\u00a0\n")
_SURROGATES: tuple[Literal["Cs"]] = ("Cs",)
_plain_text = st.text(st.sampled_from(_CHARS), max_size=5) | st.text(
    st.characters(exclude_categories=_SURROGATES), max_size=3
)
# Mostly plain strings (escaped by the engine), sometimes Markup (inserted as is).
text_values = _plain_text | st.builds(Markup, st.sampled_from(["<b>&amp;</b>", "", "<i>é</i>"]))
truthy_values = st.sampled_from([True, False, None, "", "on", 0, 1, [], ["q"]])
items = st.fixed_dictionaries(
    {
        "name": text_values,
        "n": st.integers(0, 3),
        "on": st.booleans(),
        "sub": st.lists(text_values, max_size=3),
    }
)
pairs = st.lists(st.tuples(text_values, text_values).map(list), max_size=3)
configs = st.fixed_dictionaries({"title": text_values, "on": st.booleans()})

SCHEMA: dict[str, st.SearchStrategy[Any]] = {
    "a": text_values,
    "b": text_values,
    "n": st.integers(0, 4),
    "f": truthy_values,
    "g": truthy_values,
    "xs": st.lists(items, max_size=4),
    "ys": st.lists(items, max_size=4),
    "words": st.lists(text_values, max_size=4),
    "pairs": pairs,
    "cfg": configs,
}
LIST_ELEMENTS: dict[str, st.SearchStrategy[Any]] = {
    "xs": items,
    "ys": items,
    "words": text_values,
    "pairs": st.tuples(text_values, text_values).map(list),
}
# Names that are not assigns but may appear in a template (set targets, loop variables):
# passing them in `changed` must not matter.
OTHER_NAMES = ["t", "u", "x", "w", "loop", "missing"]

# --- templates -------------------------------------------------------------------------------

_STATIC = [
    " ", "x", "Hi ", "<b>", "</b>", "&amp;", "&", "<", ">", '"', "'", "é", "漢字", "😀",
    "\n  ", "<br/>", "<!-- c -->", "a&b<c>\"d'", "\u00a0", "=",
]  # fmt: skip
_ATTR_STATIC = ["", "x", "a b", "é", "&amp;", "-", "😀", " "]
_LITERALS = [
    "'<&>'", "'say \"hi\"'", '"it\'s"', "'é漢😀'", "''", "42", "none", "true", "false",
    "'&amp;'",
]  # fmt: skip
_JOINS = [
    "xs|map(attribute='name')|join(',')", "words|join(', ')",
    "xs|selectattr('on')|list|length", "pairs|map('first')|join",
]  # fmt: skip
# Where a template calls live components, no static may leave the HTML inside a tag (a bare
# `<` before a call), and a component's own template must keep one balanced root element.
_CALL_STATIC = [text for text in _STATIC if text != "<"]
_ROOT_STATIC = [text for text in _CALL_STATIC if text not in ("<b>", "</b>", "a&b<c>\"d'")]
_TAGS = ["p", "span", "li", "div", "b", "i", "td"]
_ITEM_VARS = ["x", "y"]
_SCALAR_VARS = ["w", "v"]
# Template features the engine is known to get wrong (test_regressions.py) are left out of the
# generator while the bug is open, behind a switch, so that the properties keep looking for new
# bugs; once the bug is fixed, the switch goes. None is open today.


class Sites:
    """Numbers the ``live_component`` call sites of one case (page and component templates
    alike), so that component ids made from them are unique on the page."""

    def __init__(self) -> None:
        self.count = 0

    def next(self) -> int:
        self.count += 1
        return self.count


@dataclass(frozen=True)
class Scope:
    """What a template position may read, besides the assigns."""

    items: tuple[str, ...] = ()  # names bound to item dicts (loop variables)
    scalars: tuple[str, ...] = ()  # names bound to strings/ints (loop and set variables)
    loop: bool = False  # inside a for body: `loop` is bound
    depth: int = 0
    ns: bool = False  # `ns` is a namespace(c=0, s="")
    macro: bool = False  # `m(v, w="-")` and `mm(v)` are macros of the template
    parts: bool = False  # `card(v, w="-")` and `parts.pair(v, w)` are macros of `parts.html`
    joiner: bool = False  # `j` is a joiner (stateful: its calls depend on the calls before)
    cycler: bool = False  # `c` is a cycler('o', 'e') (stateful)
    seen: bool = False  # `seen` is a list the template appends to (stateful)
    # Live components (tests/conformance/component_strategies.py):
    calls: tuple[str, ...] = ()  # component classes a `live_component` call here may name
    keys: tuple[str, ...] = ()  # `{% set kN = loop.index %}` of the loops around: unique ids
    own: bool = False  # a component's template: `id`, `myself`, `count`, `note` are readable
    rooted: bool = False  # inside a component's one root element: balanced statics only
    sites: Sites | None = field(default=None, compare=False)
    # `filter` and `with` (rendered by Jinja whole), includes and imports (they need the
    # conformance loader) may be generated (never where components are called: see
    # component_strategies.py):
    opaque: bool = True

    def with_scalar(self, name: str) -> Scope:
        scalars = self.scalars if name in self.scalars else (*self.scalars, name)
        return replace(self, scalars=scalars)

    def with_item(self, name: str) -> Scope:
        # an item name shadows a scalar of the same name and vice versa: names are disjoint
        items = self.items if name in self.items else (*self.items, name)
        return replace(self, items=items)


Draw = Callable[[st.SearchStrategy[Any]], Any]

# Static text (and element names) is emitted between these marks while a template is being
# generated, so that `_variant` can change the statics of a body without touching its Jinja
# code; `_finish` removes the marks.
_OPEN, _CLOSE = "\x01", "\x02"
_MARKED = re.compile(f"{_OPEN}(.*?){_CLOSE}", re.DOTALL)
_SWAP = {"p": "q", "span": "em", "li": "dt", "div": "section", "b": "strong", "i": "u", "td": "th"}


def _static(text: str) -> str:
    return f"{_OPEN}{text}{_CLOSE}"


def _variant(source: str) -> str:
    """The same template shape with other statics: other element names, other text."""

    def other(match: re.Match[str]) -> str:
        text = match.group(1)
        return _static(_SWAP.get(text, f"{text}·"))

    return _MARKED.sub(other, source)


def _finish(source: str) -> str:
    return _MARKED.sub(lambda match: match.group(1), source)


def _pick(draw: Draw, options: list[Any]) -> Any:
    return draw(st.sampled_from(options))


def _expr(draw: Draw, scope: Scope, depth: int = 0) -> str:
    """A Jinja expression (any type: the engine turns it into a string)."""
    kinds = ["name", "name", "concat", "filter", "length", "literal", "join", "cfg"]
    if depth < 1:
        kinds.append("ternary")
        if scope.macro:
            kinds += ["macro", "macro", "macro2"]
        if scope.parts:
            kinds += ["card", "pair"]
    if scope.ns:
        kinds += ["ns", "ns"]
    if scope.joiner:
        kinds.append("joiner")
    if scope.cycler:
        kinds.append("cycler")
    if scope.seen:
        kinds.append("seen")
    if scope.items:
        kinds += ["attr", "attr", "attr"]
    if scope.scalars:
        kinds += ["scalar", "scalar"]
    if scope.loop:
        kinds += ["loop", "loop"]
    if scope.own:
        kinds += ["own", "own"]
    kind = _pick(draw, kinds)
    if kind == "own":
        return str(_pick(draw, ["count", "note", "id", "myself", "count + 1", "note|upper"]))
    if kind == "name":
        return str(_pick(draw, ["a", "b", "n", "f", "g"]))
    if kind == "concat":
        return f"({_expr(draw, scope, depth + 1)}) ~ {_pick(draw, _LITERALS)}"
    if kind == "filter":
        name = _pick(draw, ["a", "b", *scope.scalars])
        return f"{name}|{_pick(draw, ['upper', 'e', 'safe', 'trim', 'title', 'string'])}"
    if kind == "length":
        return f"{_pick(draw, ['xs', 'ys', 'words', 'pairs'])}|length"
    if kind == "literal":
        return str(_pick(draw, _LITERALS))
    if kind == "join":
        return str(_pick(draw, _JOINS))
    if kind == "cfg":
        return str(_pick(draw, ["cfg.title", "cfg['title']", "cfg.on"]))
    if kind == "macro":
        shape = _pick(draw, ["one", "two", "keyword"])
        first = _expr(draw, scope, depth + 1)
        if shape == "one":
            return f"m({first})"
        second = _expr(draw, scope, depth + 1)
        return f"m({first}, {second})" if shape == "two" else f"m(w={second}, v={first})"
    if kind == "macro2":
        return f"mm({_expr(draw, scope, depth + 1)})"
    if kind == "card":
        return f"card({_expr(draw, scope, depth + 1)})"
    if kind == "pair":
        return f"parts.pair({_expr(draw, scope, depth + 1)}, {_expr(draw, scope, depth + 1)})"
    if kind == "ns":
        return str(_pick(draw, ["ns.c", "ns.s"]))
    if kind == "joiner":
        return "j()"
    if kind == "cycler":
        return str(_pick(draw, ["c.next()", "c.next()", "c.current"]))
    if kind == "seen":
        return str(_pick(draw, ["seen|length", "seen|join('/')"]))
    if kind == "ternary":
        then = _expr(draw, scope, depth + 1)
        return f"({then}) if {_cond(draw, scope)} else ({_expr(draw, scope, depth + 1)})"
    if kind == "attr":
        var = _pick(draw, list(scope.items))
        field = _pick(draw, ["name", "n", "on", "sub|length", "name|upper"])
        if field == "name" and draw(st.booleans()):
            return f"{var}['name']"
        return f"{var}.{field}"
    if kind == "scalar":
        return str(_pick(draw, list(scope.scalars)))
    options = [
        "loop.index", "loop.index0", "loop.revindex", "loop.first", "loop.last",
        "loop.length", "loop.cycle('odd', 'even')", "loop.previtem is defined",
        "loop.nextitem is undefined", "loop.depth",
        "loop.changed(n)", "loop.changed(loop.index // 2)",
    ]  # fmt: skip
    return str(_pick(draw, options))


def _cond(draw: Draw, scope: Scope) -> str:
    options = [
        "f", "g", "not f", "n > 1", "n is even", "a == b", "xs", "not ys",
        "xs|length > 1", "'<' in a", "a", "words", "cfg.on",
    ]  # fmt: skip
    if scope.ns:
        options += ["ns.c > 1", "ns.s"]
    for var in scope.items:
        options += [f"{var}.on", f"{var}.n > 1", f"not {var}.sub", f"{var}.name == a"]
    for var in scope.scalars:
        options += [f"{var} == 'a'", f"{var}"]
    if scope.loop:
        options += ["loop.first", "loop.last", "loop.index is even", "loop.index > 1"]
    if scope.own:
        options += ["count > 1", "count is even", "note", "note == a"]
    cond = str(_pick(draw, options))
    if draw(st.integers(0, 5)) == 0:
        cond = f"{cond} and {_pick(draw, options)}"
    return cond


def _tag(draw: Draw, keyword: str) -> str:
    """``{% keyword %}`` with optional whitespace control on either side."""
    left = "-" if draw(st.integers(0, 7)) == 0 else ""
    right = "-" if draw(st.integers(0, 7)) == 0 else ""
    return f"{{%{left} {keyword} {right}%}}"


def _attribute(draw: Draw, scope: Scope) -> str:
    name = _pick(draw, ["class", "title", "data-v", "id"])
    quote = _pick(draw, ['"', "'"])
    kind = _pick(draw, ["expr", "expr", "static", "cond", "mixed"])
    if kind == "static":
        value = _static(_pick(draw, _ATTR_STATIC))
    elif kind == "expr":
        value = f"{{{{ {_expr(draw, scope)} }}}}"
    elif kind == "cond":
        on, off = _static(_pick(draw, _ATTR_STATIC)), _static(_pick(draw, _ATTR_STATIC))
        value = f"{{% if {_cond(draw, scope)} %}}{on}{{% else %}}{off}{{% endif %}}"
    else:
        value = f"{_static(_pick(draw, _ATTR_STATIC))}{{{{ {_expr(draw, scope)} }}}}-x"
    attribute = f" {name}={quote}{value}{quote}"
    if draw(st.integers(0, 4)) == 0:  # a bare attribute switched by a conditional
        attribute += f" {{% if {_cond(draw, scope)} %}}hidden{{% endif %}}"
    return attribute


def _for(draw: Draw, scope: Scope, depth: int) -> str:
    kinds = ["items", "items", "scalars", "pairs"]
    if scope.items:
        kinds += ["sub", "sub"]
    kind = _pick(draw, kinds)
    if kind == "items":
        var = _pick(draw, _ITEM_VARS)
        iterable = _pick(
            draw,
            ["xs", "ys", "xs|reverse", "xs|sort(attribute='n')", "ys[:2]", "xs|rejectattr('on')"],
        )
        inner = scope.with_item(var)
    elif kind == "sub":
        var = _pick(draw, _SCALAR_VARS)
        iterable = f"{_pick(draw, list(scope.items))}.sub"
        inner = scope.with_scalar(var)
    elif kind == "scalars":
        var = _pick(draw, _SCALAR_VARS)
        iterable = _pick(draw, ["words", "range(n)", "a|list", "words|sort"])
        inner = scope.with_scalar(var)
    else:
        key, value = _pick(draw, _SCALAR_VARS), "k"
        var = f"{key}, {value}"
        iterable = "pairs"
        inner = scope.with_scalar(key).with_scalar(value)
    inner = replace(inner, loop=True, depth=scope.depth + 1)
    head = f"for {var} in {iterable}"
    if draw(st.integers(0, 5)) == 0:
        head += f" if {_cond(draw, replace(inner, loop=False))}"
    inner, key = _keyed(inner)
    body = key + _body(draw, inner, depth + 1, min_size=1)
    source = f"{_tag(draw, head)}{body}"
    if draw(st.integers(0, 3)) == 0:
        source += f"{_tag(draw, 'else')}{_body(draw, scope, depth + 1)}"
    return source + _tag(draw, "endfor")


def _keyed(inner: Scope) -> tuple[Scope, str]:
    """Where components may be called: a loop body names its ``loop.index`` (``kN``), so that
    the ids of the components called in it are unique (also in nested loops)."""
    if not inner.calls:
        return inner, ""
    key = f"k{inner.depth}"
    return replace(inner, keys=(*inner.keys, key)), f"{{% set {key} = loop.index %}}"


def _if(draw: Draw, scope: Scope, depth: int) -> tuple[str, Scope]:
    """An if/elif/else chain; ``{% set %}`` names inside it stay visible after it."""
    arms = draw(st.integers(1, 3))
    parts: list[str] = []
    after = scope
    for arm in range(arms):
        keyword = "if" if arm == 0 else "elif"
        body, seen = _body_scoped(draw, scope, depth + 1)
        after = _merge_sets(after, seen)
        parts.append(f"{_tag(draw, f'{keyword} {_cond(draw, scope)}')}{body}")
    if draw(st.booleans()):
        body, seen = _body_scoped(draw, scope, depth + 1)
        after = _merge_sets(after, seen)
        parts.append(f"{_tag(draw, 'else')}{body}")
    return "".join(parts) + _tag(draw, "endif"), after


def _merge_sets(scope: Scope, seen: Scope) -> Scope:
    for name in seen.scalars:
        if name not in scope.scalars and name not in scope.items:
            scope = scope.with_scalar(name)
    return scope


def _twin(draw: Draw, scope: Scope, depth: int) -> str:
    """if/else whose branches have the same slots (same shape) but different statics."""
    body = _body(draw, scope, depth + 1, min_size=1)
    other = _variant(body)
    if other == body:  # no statics at all: give the second branch some
        other = f"{_static('<i>')}{body}{_static('</i>')}"
    return f"{{% if {_cond(draw, scope)} %}}{body}{{% else %}}{other}{{% endif %}}"


def _node(draw: Draw, scope: Scope, depth: int) -> tuple[str, Scope]:
    """One template element; returns its source and the scope after it."""
    kinds = ["text", "text", "expr", "expr", "expr", "element"]
    if depth < 3:
        kinds += ["if", "if", "for", "for", "twin", "element"]
        if depth < 2:
            kinds += ["filter", "with", "setblock"] if scope.opaque else ["setblock"]
    kinds += ["set", "comment", "raw", "choose"]
    if scope.ns:
        kinds += ["ns_set", "ns_set"]
    if scope.seen:
        kinds += ["seen_append"]
    if scope.cycler:
        kinds += ["cycler_reset"]
    if scope.calls:
        kinds += ["call", "call", "call"]
        if depth < 3:
            kinds += ["move"]
    if scope.opaque:  # the partials need the conformance environment's loader
        kinds += ["include"]
    kind = _pick(draw, kinds)
    if kind == "call":
        return component_call(draw, scope), scope
    if kind == "move":
        return _move(draw, scope, depth), scope
    if kind == "text":
        pool = _ROOT_STATIC if scope.rooted else _CALL_STATIC if scope.calls else _STATIC
        text = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=3))
        return _static("".join(text)), scope
    if kind == "expr":
        left = "-" if draw(st.integers(0, 9)) == 0 else ""
        return f"{{{{{left} {_expr(draw, scope)} }}}}", scope
    if kind == "element":
        tag = _static(_pick(draw, _TAGS))
        attrs = "".join(_attribute(draw, scope) for _ in range(draw(st.integers(0, 2))))
        inner = _body(draw, scope, depth + 1) if depth < 3 else ""
        return f"<{tag}{attrs}>{inner}</{tag}>", scope
    if kind == "if":
        return _if(draw, scope, depth)
    if kind == "for":
        return _for(draw, scope, depth), scope
    if kind == "twin":
        return _twin(draw, scope, depth), scope
    if kind in ("set", "setblock", "choose"):
        # Also names already visible: an assign, an outer set, in a loop body or not.
        name = _pick(draw, ["t", "u", "t", "a"] if kind == "set" else ["t", "u"])
    if kind == "set":
        # `a` stays a string when shadowed: conditions test `'<' in a`
        value = f"a ~ {_pick(draw, _LITERALS)}" if name == "a" else _expr(draw, scope)
        return f"{{% set {name} = {value} %}}", scope.with_scalar(name)
    if kind == "setblock":
        value = f"[{{{{ {_expr(draw, scope)} }}}}]"
        return f"{{% set {name} %}}{value}{{% endset %}}", scope.with_scalar(name)
    if kind == "filter":
        body = _body(draw, scope, depth + 1, min_size=1)
        return f"{{% filter upper %}}{body}{{% endfilter %}}", scope
    if kind == "with":
        body = _body(draw, scope.with_scalar("q"), depth + 1, min_size=1)
        return f"{{% with q = {_expr(draw, scope)} %}}{body}{{% endwith %}}", scope
    if kind == "choose":  # an if that only sets: no slot of its own
        then, otherwise = _expr(draw, scope), _expr(draw, scope)
        source = (
            f"{{% if {_cond(draw, scope)} %}}{{% set {name} = {then} %}}"
            f"{{% else %}}{{% set {name} = {otherwise} %}}{{% endif %}}"
        )
        return source, scope.with_scalar(name)
    if kind == "ns_set":
        if draw(st.booleans()):
            return "{% set ns.c = ns.c + 1 %}", scope
        return f"{{% set ns.s = ns.s ~ ({_expr(draw, scope)}) %}}", scope
    if kind == "seen_append":  # the pre-namespace accumulation idiom: an in-place mutation
        return f"{{% set _ = seen.append({_expr(draw, scope)}) %}}", scope
    if kind == "cycler_reset":
        return "{% if c.reset() %}{% endif %}", scope
    if kind == "include":  # compiled in place: sees the variables here, keeps its sets
        return "{% include '" + _pick(draw, sorted(PARTIALS)) + "' %}", scope
    if kind == "comment":
        return "{# a comment {{ a }} #}", scope
    return "{% raw %}{{ a }} {% if %}{% endraw %}", scope


def _body_scoped(draw: Draw, scope: Scope, depth: int, min_size: int = 0) -> tuple[str, Scope]:
    size = draw(st.integers(min_size, max(min_size, 4 - depth)))
    parts: list[str] = []
    for _ in range(size):
        source, scope = _node(draw, scope, depth)
        parts.append(source)
    return "".join(parts), scope


def _body(draw: Draw, scope: Scope, depth: int, min_size: int = 0) -> str:
    return _body_scoped(draw, scope, depth, min_size)[0]


# --- live component calls (see component_strategies.py) ---------------------------------------

# Conditions no `{% set %}` or loop variable of the generator can shadow: a component called
# under `cond` in one place and `not cond` in another is called once per render.
_STABLE_CONDS = ["f", "g", "n > 1", "xs", "not ys", "cfg.on", "words"]


def component_call(draw: Draw, scope: Scope) -> str:
    """``{{ live_component(Cls, id=..., attr=...) }}``: the id is the call site's number, the
    loop indexes around it, and inside a component its own id first (unique on the page); the
    attributes are a few assign names, each given a value of the type its templates expect."""
    assert scope.sites is not None and scope.calls
    component = _pick(draw, list(scope.calls))
    ident = f"'{scope.sites.next()}'" + "".join(f" ~ ':' ~ {key}" for key in scope.keys)
    if scope.own:
        ident = f"id ~ '/' ~ {ident}"
    names = draw(st.lists(st.sampled_from(list(SCHEMA)), unique=True, max_size=4))
    attributes = "".join(f", {name}=({_attribute_value(draw, scope, name)})" for name in names)
    left = "-" if draw(st.integers(0, 9)) == 0 else ""
    return f"{{{{{left} live_component({component}, id={ident}{attributes}) }}}}"


def _attribute_value(draw: Draw, scope: Scope, name: str) -> str:
    """An expression for the component attribute ``name`` (the type that assign has)."""
    items, scalars = list(scope.items), list(scope.scalars)
    options: list[str]
    if name in ("a", "b"):
        options = ["a", "b", "cfg.title", "'<&>'", f"({_expr(draw, scope)})|string"]
        options += [f"{var}.name" for var in items] + [f"{var}|string" for var in scalars]
        if scope.own:
            options += ["note", "count|string", "id"]
    elif name == "n":
        options = ["n", "xs|length", "words|length", "0", "3"] + [f"{var}.n" for var in items]
        if scope.loop:
            options += ["loop.index", "loop.revindex0"]
        if scope.own:
            options += ["count"]
    elif name in ("f", "g"):
        options = ["f", "g", _expr(draw, scope), _cond(draw, scope)]
    elif name in ("xs", "ys"):
        options = ["xs", "ys", "xs|reverse|list", "ys[:2]", "xs|sort(attribute='n')"]
        options += ["xs|selectattr('on')|list"] + [f"[{var}]" for var in items]
    elif name == "words":
        options = ["words", "xs|map(attribute='name')|list", "[a, b]", "words|reverse|list"]
        options += [f"{var}.sub" for var in items]
    elif name == "pairs":
        options = ["pairs", "pairs|reverse|list", "[[a, b]]"]
    else:
        options = ["cfg", "{'title': a, 'on': f}"]
        options += [f"{{'title': {var}.name, 'on': {var}.on}}" for var in items]
    return str(_pick(draw, options))


def _move(draw: Draw, scope: Scope, depth: int) -> str:
    """One component in one of two places, by a condition: when it flips, the component moves
    (it keeps its cid and state if the client has not destroyed it yet)."""
    call = component_call(draw, scope)
    cond = _pick(draw, _STABLE_CONDS)
    between = _body(draw, scope, depth + 1)
    return (
        f"{{% if {cond} %}}{call}{{% endif %}}{between}"
        f"{{% if not ({cond}) %}}<{_static('b')}>{call}</{_static('b')}>{{% endif %}}"
    )


# Macros of the template (compiled in place where called as a whole expression): `m` reads
# assigns besides its arguments, `mm` the template's `t` (undefined, or a top-level set) and
# calls `m`. (Not `k`: the generator names a loop variable so.)
_MACROS = (
    '{% macro m(v, w="-") %}<b title="{{ w }}">{{ v }}</b>{% if n > 1 %}{{ a }}{% endif %}'
    "{% endmacro %}"
    "{% macro mm(v) %}[{{ m(v, w=t) }}{% for q in words %}<i>{{ q }}{{ loop.index }}</i>"
    "{% endfor %}{{ t }}]{% endmacro %}"
)
_IMPORTS = "{% from 'parts.html' import card %}{% import 'parts.html' as parts %}"


def _prelude(draw: Draw, scope: Scope | None = None) -> tuple[str, Scope]:
    """Optional definitions at the top: a namespace, macros, imported macros (unless ``scope``
    forbids opaque statements), a joiner, a cycler, a list; the scope after them."""
    parts: list[str] = []
    scope = scope or Scope()
    if draw(st.integers(0, 3)) == 0:
        parts.append("{% set ns = namespace(c=0, s='') %}")
        scope = replace(scope, ns=True)
    if draw(st.integers(0, 3)) == 0:
        parts.append(_MACROS)
        scope = replace(scope, macro=True)
    if scope.opaque and draw(st.integers(0, 3)) == 0:  # needs the conformance loader
        parts.append(_IMPORTS)
        scope = replace(scope, parts=True)
    if draw(st.integers(0, 3)) == 0:
        parts.append("{% set j = joiner('|') %}")
        scope = replace(scope, joiner=True)
    if draw(st.integers(0, 4)) == 0:
        parts.append("{% set c = cycler('o', 'e') %}")
        scope = replace(scope, cycler=True)
    if draw(st.integers(0, 4)) == 0:
        parts.append("{% set seen = [] %}")
        scope = replace(scope, seen=True)
    return "".join(parts), scope


@st.composite
def templates(draw: Draw) -> str:
    """Any template of the generator."""
    prelude, scope = _prelude(draw)
    return _finish(prelude + _body(draw, scope, 0, min_size=1))


@st.composite
def loop_templates(draw: Draw) -> str:
    """Templates built around loops: loops in conditionals and conditionals in loops, nested
    loops, ``loop.*``, loops with ``else``, filters and ``set`` in the body, after the optional
    definitions of ``templates`` (namespace, macro, stateful helpers)."""
    prelude, scope = _prelude(draw)
    outer = _pick(draw, ["xs", "ys", "xs|reverse", "words"])
    if outer == "words":
        var, inner = "w", replace(scope.with_scalar("w"), loop=True, depth=1)
    else:
        var, inner = "x", replace(scope.with_item("x"), loop=True, depth=1)
    parts = [prelude, _body(draw, scope, 2)]
    body = _body(draw, inner, 1, min_size=1)
    loop = f"{{% for {var} in {outer} %}}<li>{body}</li>{{% endfor %}}"
    if draw(st.booleans()):
        loop = f"{{% if {_cond(draw, scope)} %}}<ul>{loop}</ul>{{% else %}}-{{% endif %}}"
    parts.append(loop)
    parts.append(_body(draw, scope, 2))
    return _finish("".join(parts))


@st.composite
def branch_templates(draw: Draw) -> str:
    """Templates where conditionals switch between same-shaped branches, at several levels."""
    scope = Scope()
    parts = [_twin(draw, scope, 1) for _ in range(draw(st.integers(1, 2)))]
    if draw(st.booleans()):
        inner = replace(scope.with_item("x"), loop=True, depth=1)
        parts.append(f"{{% for x in xs %}}{_twin(draw, inner, 2)}{{% endfor %}}")
    return _finish("".join(parts))


# --- assigns ---------------------------------------------------------------------------------


def _mutate_list(draw: Draw, name: str, value: list[Any]) -> list[Any]:
    value = copy.deepcopy(value)
    element = LIST_ELEMENTS[name]
    ops = ["append", "prepend", "replace"]
    if value:
        ops += ["remove", "remove", "move", "swap", "reverse", "shuffle", "edit", "edit", "clear"]
    op = _pick(draw, ops)
    if op == "append":
        value.extend(draw(st.lists(element, min_size=1, max_size=2)))
    elif op == "prepend":
        value.insert(0, draw(element))
    elif op == "replace":
        value = draw(SCHEMA[name])
    elif op == "remove":
        del value[draw(st.integers(0, len(value) - 1))]
    elif op == "move":
        item = value.pop(draw(st.integers(0, len(value) - 1)))
        value.insert(draw(st.integers(0, len(value))), item)
    elif op == "swap":
        i, j = draw(st.integers(0, len(value) - 1)), draw(st.integers(0, len(value) - 1))
        value[i], value[j] = value[j], value[i]
    elif op == "reverse":
        value.reverse()
    elif op == "shuffle":
        value = list(draw(st.permutations(value)))
    elif op == "edit":
        index = draw(st.integers(0, len(value) - 1))
        if name in ("xs", "ys"):
            field = _pick(draw, ["name", "n", "on", "sub"])
            value[index][field] = draw(items)[field]
        else:
            value[index] = draw(element)
    else:
        value = []
    return value


def _changed_type_or_value(old: dict[str, Any], new: dict[str, Any]) -> set[str]:
    """The socket's rule for what `assign` marks as changed (type or value differs)."""
    return {
        key
        for key in new
        if key not in old or type(old[key]) is not type(new[key]) or old[key] != new[key]
    }


@st.composite
def _transition(draw: Draw, previous: dict[str, Any]) -> Step:
    if draw(st.integers(0, 7)) == 0:  # nothing at all changes
        assigns = copy.deepcopy(previous)
    else:
        assigns = {}
        for name, value in previous.items():
            roll = draw(st.integers(0, 4))
            if roll >= 2:  # keep
                assigns[name] = copy.deepcopy(value)
            elif name in LIST_ELEMENTS and roll == 1:
                assigns[name] = _mutate_list(draw, name, value)
            else:
                assigns[name] = draw(SCHEMA[name])
    exact = _changed_type_or_value(previous, assigns)
    mode = _pick(draw, ["exact", "exact", "exact", "exact", "all", "none", "extra"])
    changed: set[str] | None
    if mode == "exact":
        changed = exact
    elif mode == "all":
        changed = set(assigns)
    elif mode == "none":
        changed = None
    else:
        changed = exact | set(draw(st.lists(st.sampled_from([*SCHEMA, *OTHER_NAMES]))))
    return Step.of(assigns, changed)


@st.composite
def assign_sequences(draw: Draw, max_steps: int = 6) -> list[Step]:
    """The join state, then up to ``max_steps`` transitions."""
    state: dict[str, Any] = draw(st.fixed_dictionaries(SCHEMA))
    steps = [Step.of(state, None)]
    for _ in range(draw(st.integers(0, max_steps))):
        step = draw(_transition(dict(steps[-1].assigns)))
        steps.append(step)
    return steps
