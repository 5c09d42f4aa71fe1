"""`JS`: the JSON of every command and option, chaining, rendering in templates and payloads,
and bad input refused when the command is built.

The expected JSON is what Phoenix LiveView 1.2's ``Phoenix.LiveView.JS`` (lib/phoenix_live_view/
js.ex, v1.2.10) produces for the same call, with keys in sorted order. Where Phoenix's own test
suite (test/phoenix_live_view/js_test.exs) asserts the encoded string, the case below says
``# phoenix:`` and expects that same string; the others follow from js.ex: ``put_op`` drops the
options left out (nil), ``validate_keys`` turns ``{:inner, s}`` into ``%{inner: s}`` and
``{:document, s}`` into ``s``, ``class_names`` splits on spaces, a transition string becomes
``[names, [], []]``, ``navigate``/``patch`` always send ``replace``, ``dispatch`` sends
``blocking`` only when true. The names the client reads are checked against its source in
tests/unit/test_js_client.py.
"""

from __future__ import annotations

import html
import re
from typing import Any

import orjson
import pytest

from liveview import JS, LiveComponent, LiveView, LiveViewApp
from liveview.channel import frames
from liveview.template import RenderState, Template
from liveview.testing import LiveViewTestClient
from liveview.testing.html import parse
from liveview.testing.tree import merge_diff, to_html

CASES: list[tuple[JS, str]] = [
    # push
    (JS.push("inc"), '[["push",{"event":"inc"}]]'),
    (  # phoenix:
        JS.push("inc", value={"one": 1, "two": 2}),
        '[["push",{"event":"inc","value":{"one":1,"two":2}}]]',
    ),
    (JS.push("inc", target="#modal"), '[["push",{"event":"inc","target":"#modal"}]]'),
    (JS.push("inc", target=1), '[["push",{"event":"inc","target":1}]]'),
    (JS.push("inc", loading="#modal"), '[["push",{"event":"inc","loading":"#modal"}]]'),
    (JS.push("inc", page_loading=True), '[["push",{"event":"inc","page_loading":true}]]'),
    (JS.push("inc", page_loading=False), '[["push",{"event":"inc","page_loading":false}]]'),
    # navigate / patch
    (JS.navigate("/home"), '[["navigate",{"href":"/home","replace":false}]]'),  # phoenix:
    (JS.navigate("/home", replace=True), '[["navigate",{"href":"/home","replace":true}]]'),
    (
        JS.navigate("https://example.com/home"),
        '[["navigate",{"href":"https://example.com/home","replace":false}]]',
    ),
    (JS.navigate("/search?q=a:b"), '[["navigate",{"href":"/search?q=a:b","replace":false}]]'),
    (JS.patch("/home"), '[["patch",{"href":"/home","replace":false}]]'),  # phoenix:
    (JS.patch("/home?x=1", replace=True), '[["patch",{"href":"/home?x=1","replace":true}]]'),
    # classes
    (JS.add_class("show"), '[["add_class",{"names":["show"]}]]'),  # phoenix:
    (JS.add_class("show hl"), '[["add_class",{"names":["show","hl"]}]]'),
    (JS.add_class("show", to=("closest", "a")), '[["add_class",{"names":["show"],"to":{"closest":"a"}}]]'),  # noqa: E501
    (JS.add_class("show", time=543), '[["add_class",{"names":["show"],"time":543}]]'),
    (
        JS.add_class("show", transition="fade", blocking=False),
        '[["add_class",{"blocking":false,"names":["show"],"transition":[["fade"],[],[]]}]]',
    ),
    (JS.add_class("c", transition="a b"), '[["add_class",{"names":["c"],"transition":[["a","b"],[],[]]}]]'),  # noqa: E501
    (
        JS.add_class("show", transition=("fade", "opacity-0", "opacity-100")),
        '[["add_class",{"names":["show"],"transition":[["fade"],["opacity-0"],["opacity-100"]]}]]',
    ),
    (JS.remove_class("show"), '[["remove_class",{"names":["show"]}]]'),  # phoenix:
    (JS.remove_class("show", to=("inner", "a")), '[["remove_class",{"names":["show"],"to":{"inner":"a"}}]]'),  # noqa: E501
    (JS.remove_class("a b", to="#m", time=0, blocking=True), '[["remove_class",{"blocking":true,"names":["a","b"],"time":0,"to":"#m"}]]'),  # noqa: E501
    (JS.toggle_class("show"), '[["toggle_class",{"names":["show"]}]]'),  # phoenix:
    (JS.toggle_class("on", to="#x", transition="t", time=5), '[["toggle_class",{"names":["on"],"time":5,"to":"#x","transition":[["t"],[],[]]}]]'),  # noqa: E501
    (JS.transition("shake", to="#modal"), '[["transition",{"to":"#modal","transition":[["shake"],[],[]]}]]'),  # phoenix:  # noqa: E501
    (JS.transition("shake"), '[["transition",{"transition":[["shake"],[],[]]}]]'),
    (JS.transition(("a", "b", "c"), time=123, blocking=False), '[["transition",{"blocking":false,"time":123,"transition":[["a"],["b"],["c"]]}]]'),  # noqa: E501
    # show / hide / toggle
    (JS.show(), '[["show",{}]]'),
    (JS.show(to="#modal"), '[["show",{"to":"#modal"}]]'),  # phoenix:
    (JS.show(to=("inner", ".modal")), '[["show",{"to":{"inner":".modal"}}]]'),
    (JS.show(to=("document", "#m")), '[["show",{"to":"#m"}]]'),
    (JS.show(to="#modal", time=123), '[["show",{"time":123,"to":"#modal"}]]'),
    (JS.show(to="#modal", display="flex"), '[["show",{"display":"flex","to":"#modal"}]]'),
    (
        JS.show(to="#m", transition=("fade-in", "opacity-0", "opacity-100"), blocking=False),
        '[["show",{"blocking":false,"to":"#m","transition":[["fade-in"],["opacity-0"],["opacity-100"]]}]]',
    ),
    (JS.hide(to="#modal"), '[["hide",{"to":"#modal"}]]'),  # phoenix:
    (JS.hide(to=("closest", "a")), '[["hide",{"to":{"closest":"a"}}]]'),
    (JS.hide(to="#modal", time=0), '[["hide",{"time":0,"to":"#modal"}]]'),
    (JS.hide(transition="fade-out"), '[["hide",{"transition":[["fade-out"],[],[]]}]]'),
    (JS.toggle(to="#modal"), '[["toggle",{"to":"#modal"}]]'),  # phoenix:
    (
        JS.toggle(to="#m", in_="fade-in", out=("fade-out", "opacity-100", "opacity-0")),
        '[["toggle",{"ins":[["fade-in"],[],[]],"outs":[["fade-out"],["opacity-100"],["opacity-0"]],"to":"#m"}]]',
    ),
    (JS.toggle(display="inline-block", time=99, blocking=True), '[["toggle",{"blocking":true,"display":"inline-block","time":99}]]'),  # noqa: E501
    # attributes
    (JS.set_attribute(("disabled", "true")), '[["set_attr",{"attr":["disabled","true"]}]]'),  # phoenix:  # noqa: E501
    (JS.set_attribute(("aria-x", ""), to="#a"), '[["set_attr",{"attr":["aria-x",""],"to":"#a"}]]'),
    (JS.remove_attribute("disabled"), '[["remove_attr",{"attr":"disabled"}]]'),  # phoenix:
    (JS.remove_attribute("open", to=("inner", "details")), '[["remove_attr",{"attr":"open","to":{"inner":"details"}}]]'),  # noqa: E501
    (JS.toggle_attribute(("disabled", "true")), '[["toggle_attr",{"attr":["disabled","true"]}]]'),  # phoenix:  # noqa: E501
    (
        JS.toggle_attribute(("aria-expanded", "true", "false")),  # phoenix:
        '[["toggle_attr",{"attr":["aria-expanded","true","false"]}]]',
    ),
    (JS.ignore_attributes("open"), '[["ignore_attrs",{"attrs":["open"]}]]'),
    (JS.ignore_attributes(["open", "data-*"], to="#d"), '[["ignore_attrs",{"attrs":["open","data-*"],"to":"#d"}]]'),  # noqa: E501
    # dispatch / exec
    (JS.dispatch("click", to=".foo"), '[["dispatch",{"event":"click","to":".foo"}]]'),  # phoenix:
    (JS.dispatch("click"), '[["dispatch",{"event":"click"}]]'),
    (JS.dispatch("click", bubbles=False), '[["dispatch",{"bubbles":false,"event":"click"}]]'),
    (JS.dispatch("x", detail={"a": [1, "b"]}), '[["dispatch",{"detail":{"a":[1,"b"]},"event":"x"}]]'),  # noqa: E501
    (JS.dispatch("x", blocking=True), '[["dispatch",{"blocking":true,"event":"x"}]]'),
    (JS.dispatch("x", blocking=False), '[["dispatch",{"event":"x"}]]'),
    (JS.exec("phx-remove"), '[["exec",{"attr":"phx-remove"}]]'),
    (JS.exec("phx-remove", to="#modal"), '[["exec",{"attr":"phx-remove","to":"#modal"}]]'),
    # focus
    (JS.focus(), '[["focus",{}]]'),  # phoenix:
    (JS.focus(to="input"), '[["focus",{"to":"input"}]]'),
    (JS.focus(to=("inner", "input")), '[["focus",{"to":{"inner":"input"}}]]'),
    (JS.focus_first(), '[["focus_first",{}]]'),  # phoenix:
    (JS.focus_first(to="#f"), '[["focus_first",{"to":"#f"}]]'),
    (JS.push_focus(), '[["push_focus",{}]]'),  # phoenix:
    (JS.push_focus(to=("inner", "input")), '[["push_focus",{"to":{"inner":"input"}}]]'),
    (JS.pop_focus(), '[["pop_focus",{}]]'),  # phoenix:
    # chains (phoenix: "with multiple ops", "composability")
    (
        JS.push("inc", value={"one": 1, "two": 2})
        .add_class("show", to="#modal", time=100)
        .remove_class("hidden"),
        '[["push",{"event":"inc","value":{"one":1,"two":2}}],'
        '["add_class",{"names":["show"],"time":100,"to":"#modal"}],'
        '["remove_class",{"names":["hidden"]}]]',
    ),
    (
        JS.set_attribute(("expanded", "true")).pop_focus(),
        '[["set_attr",{"attr":["expanded","true"]}],["pop_focus",{}]]',
    ),
    (JS(), "[]"),
]  # fmt: skip


@pytest.mark.parametrize(("js", "expected"), CASES, ids=[text[:60] for _, text in CASES])
def test_the_json_is_phoenix_s(js: JS, expected: str) -> None:
    assert str(js) == expected
    assert js.to_encodable() == orjson.loads(expected)
    assert JS.from_json(expected) == js


def test_every_command_of_the_client_is_covered() -> None:
    kinds = {op[0] for js, _ in CASES for op in js.to_encodable()}
    assert kinds == set(JS_KINDS)


JS_KINDS = (
    "push", "navigate", "patch", "show", "hide", "toggle", "add_class", "remove_class",
    "toggle_class", "transition", "set_attr", "remove_attr", "toggle_attr", "ignore_attrs",
    "dispatch", "exec", "focus", "focus_first", "push_focus", "pop_focus",
)  # fmt: skip


# --- chaining ------------------------------------------------------------------------------


def test_a_chain_is_immutable() -> None:
    first = JS.push("inc")
    second = first.hide(to="#x")
    assert str(first) == '[["push",{"event":"inc"}]]'
    assert len(first) == 1 and len(second) == 2
    with pytest.raises(AttributeError, match="immutable"):
        first._ops = ()  # type: ignore[misc]
    encodable = second.to_encodable()
    encodable[0][1]["event"] = "changed"  # a copy: the chain keeps its commands
    assert second.to_encodable()[0][1]["event"] == "inc"


def test_a_value_changed_after_the_call_does_not_change_the_command() -> None:
    value = {"n": 1}
    js = JS.push("inc", value=value)
    value["n"] = 2
    assert str(js) == '[["push",{"event":"inc","value":{"n":1}}]]'


def test_class_and_instance_calls_and_concat() -> None:
    assert JS.hide() == JS().hide()
    assert JS.push("a").hide() == JS.push("a") + JS.hide() == JS.push("a").concat(JS.hide())
    assert JS.concat(JS.hide()) == JS.hide()
    assert not JS() and JS.hide()
    assert hash(JS.show(to="#a")) == hash(JS.from_json('[["show",{"to":"#a"}]]'))
    assert JS.show() != JS.hide() and JS.show() != '[["show",{}]]'
    assert repr(JS.show()) == """JS.from_json('[["show",{}]]')"""
    assert JS.push.__doc__ and "handle_event" in JS.push.__doc__


def test_target_takes_a_component_s_myself() -> None:
    assert JS.push("inc", target=7).to_encodable() == [["push", {"event": "inc", "target": 7}]]


# --- rendering -----------------------------------------------------------------------------


def test_html_escapes_the_json() -> None:
    js = JS.push("say", value={"text": '<b> & "it\'s"'})
    assert "<" not in js.__html__() and '"' not in js.__html__() and "'" not in js.__html__()
    assert html.unescape(js.__html__()) == str(js)


def _rendered(source: str, **assigns: Any) -> str:
    """The dead render, checked against the join tree and a diff bringing every slot there."""
    template = Template(source)
    text = template.render_html(assigns)
    assert to_html(RenderState().render(template, assigns)) == text
    state = RenderState()
    before = {name: JS() if isinstance(v, JS) else f"#{v}z" for name, v in assigns.items()}
    tree = state.render(template, before)
    diff = state.render(template, assigns, changed=assigns.keys())
    assert to_html(merge_diff(tree, diff)) == text
    return text


@pytest.mark.parametrize(
    "source",
    [
        '<button id="b" phx-click="{{ js }}">b</button>',
        "<button id=b phx-click={{ js }}>b</button>",
        "<button id='b' phx-click='{{ js }}'>b</button>",
    ],
)
def test_an_assign_renders_as_the_attribute_the_client_reads(source: str) -> None:
    js = JS.push("say", value={"text": "a b='c' \"d\" <e> &f"}).hide(to="#x y")
    element = parse(_rendered(source, js=js)).find_id("b")
    assert element is not None
    assert element.attrs["phx-click"] == str(js)
    assert JS.from_json(element.attrs["phx-click"]) == js


def test_js_is_a_template_global() -> None:
    source = """<button id="b" phx-click="{{ JS.push('inc', value={'n': n}).toggle(to='#m') }}">"""
    element = parse(_rendered(source, n=3)).find_id("b")
    assert element is not None
    assert element.attrs["phx-click"] == str(JS.push("inc", value={"n": 3}).toggle(to="#m"))


def test_a_payload_holding_js_is_sent_as_its_commands() -> None:
    frame = frames.encode("1", None, "lv:x", "diff", {"e": [["run", {"js": JS.focus(to="#q")}]]})
    assert orjson.loads(frame)[4] == {"e": [["run", {"js": [["focus", {"to": "#q"}]]}]]}
    with pytest.raises(TypeError, match="not JSON serializable"):
        frames.encode("1", None, "lv:x", "diff", {"e": object()})


# --- bad input -----------------------------------------------------------------------------


BAD: list[tuple[Any, type[Exception], str]] = [
    (lambda: JS.push("inc", bad=1), TypeError, "unexpected keyword argument 'bad'"),
    (lambda: JS.push("inc", to="#m"), TypeError, "unexpected keyword argument 'to'"),
    (lambda: JS.hide(display="flex"), TypeError, "unexpected keyword argument 'display'"),
    (lambda: JS.navigate("/", to="#x"), TypeError, "unexpected keyword argument 'to'"),
    (lambda: JS.pop_focus(to="#x"), TypeError, "unexpected keyword argument 'to'"),
    (lambda: JS.toggle(in_="a", ins="b"), TypeError, "unexpected keyword argument 'ins'"),
    (lambda: JS.push(3), TypeError, "JS.push: event must be a str, got 3"),
    (lambda: JS.push(""), ValueError, "JS.push: event must be a non-empty name"),
    (lambda: JS.push("inc", value="x"), TypeError, "JS.push: value must be a dict"),
    (lambda: JS.push("inc", value={"d": object()}), TypeError, "value must be JSON-encodable"),
    (lambda: JS.push("inc", value={1: 2}), TypeError, "value must be JSON-encodable"),
    (lambda: JS.push("inc", target=True), TypeError, "JS.push: target must be a component"),
    (lambda: JS.push("inc", target=1.5), TypeError, "JS.push: target must be a component"),
    (lambda: JS.push("inc", target=-1), ValueError, "target must be a component's cid"),
    (lambda: JS.push("inc", loading=1), TypeError, "JS.push: loading must be a str"),
    (lambda: JS.push("inc", loading=""), ValueError, "JS.push: loading must be a non-empty"),
    (lambda: JS.push("inc", target=""), ValueError, "JS.push: target must be a non-empty"),
    (lambda: JS.push("inc", page_loading=1), TypeError, "page_loading must be True or False"),
    (lambda: JS.navigate("mailto:a@b"), ValueError, "unsupported scheme 'mailto'"),
    (lambda: JS.patch("foo:8080"), ValueError, "JS.patch: unsupported scheme 'foo'"),
    (lambda: JS.patch("/a", replace="yes"), TypeError, "replace must be True or False"),
    (lambda: JS.navigate(None), TypeError, "JS.navigate: href must be a str"),
    (lambda: JS.show(to=3), TypeError, "JS.show: to must be a selector"),
    (lambda: JS.show(to=""), ValueError, "JS.show: to must be a non-empty name"),
    (lambda: JS.add_class("a", to=("sibling", "b")), ValueError, "scope of to must be one of"),
    (lambda: JS.add_class(["a"]), TypeError, "JS.add_class: names must be a str"),
    (lambda: JS.show(time="200"), TypeError, "JS.show: time must be an int"),
    (lambda: JS.show(time=True), TypeError, "JS.show: time must be an int"),
    (lambda: JS.hide(time=-1), ValueError, "JS.hide: time must be >= 0"),
    (lambda: JS.show(blocking="no"), TypeError, "JS.show: blocking must be True or False"),
    (lambda: JS.show(display=None, transition=["a"]), TypeError, "transition must be a str or"),
    (lambda: JS.toggle(in_=("a", "b")), TypeError, "JS.toggle: in_ must be a str or"),
    (lambda: JS.transition(("a", "b", 3)), TypeError, "JS.transition: transition must be"),
    (lambda: JS.set_attribute("disabled"), TypeError, "attribute must be a (name, value)"),
    (lambda: JS.set_attribute(("a", 1)), TypeError, "attribute value must be a str"),
    (lambda: JS.set_attribute(("", "1")), ValueError, "attribute name must be a non-empty"),
    (lambda: JS.toggle_attribute(("a",)), TypeError, "attribute must be a (name, value) or"),
    (lambda: JS.remove_attribute(None), TypeError, "JS.remove_attribute: name must be a str"),
    (lambda: JS.ignore_attributes(3), TypeError, "names must be a name or a list"),
    (lambda: JS.dispatch("click", detail={}), ValueError, "click event cannot carry a detail"),
    (lambda: JS.dispatch("x", detail=[1]), TypeError, "JS.dispatch: detail must be a dict"),
    (lambda: JS.dispatch("x", detail={"done": 1}, blocking=True), ValueError, "'done' key"),
    (lambda: JS.dispatch("x", bubbles="no"), TypeError, "bubbles must be True or False"),
    (lambda: JS.exec(""), ValueError, "JS.exec: attribute must be a non-empty name"),
    (lambda: JS.concat("[]"), TypeError, "JS.concat: other must be a JS"),
    (lambda: JS.show() + "[]", TypeError, "unsupported operand"),
    (lambda: JS.from_json("nope"), ValueError, "JS.from_json: not JSON"),
    (lambda: JS.from_json('{"a": 1}'), ValueError, "expected a list"),
    (lambda: JS.from_json('[["explode", {}]]'), ValueError, "not a [kind, args] command"),
    (lambda: JS.from_json('[["show"]]'), ValueError, "not a [kind, args] command"),
]  # fmt: skip


@pytest.mark.parametrize(("build", "error", "message"), BAD, ids=[m for _, _, m in BAD])
def test_bad_input_is_refused_when_built(build: Any, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=re.escape(message)):
        build()


def test_a_macro_and_concatenation_render_it_escaped_once() -> None:
    source = (
        '{% macro button(js) %}<button id="b" phx-click="{{ js }}">b</button>{% endmacro %}'
        "{{ button(JS.hide(to=sel)) }}"
        "{% set shown = JS.show(to=sel) %}"
        '<i id="i" data-js="{{ shown }}" data-x="{{ "x" ~ shown }}">'
    )
    page = parse(_rendered(source, sel="#a'b"))
    button, italic = page.find_id("b"), page.find_id("i")
    assert button is not None and italic is not None
    assert button.attrs["phx-click"] == str(JS.hide(to="#a'b"))
    assert italic.attrs["data-js"] == str(JS.show(to="#a'b"))
    assert italic.attrs["data-x"] == "x" + str(JS.show(to="#a'b"))


class _Pusher(LiveView):
    template = """<div>{{ live_component(_Target, id="t") }}</div>"""

    async def handle_event(self, event: str, payload: dict[str, Any], socket: Any) -> None:
        socket.push_event("run", {"to": "#x", "js": [JS.show(to="#x"), {"nested": JS.pop_focus()}]})


class _Target(LiveComponent):
    template = """<button id="t" phx-click="{{ JS.push('hit', target=myself) }}">t</button>"""

    async def handle_event(self, event: str, payload: dict[str, Any], socket: Any) -> None:
        socket.push_event("hit", {"event": event})


async def test_push_event_sends_js_as_commands_and_myself_targets_the_component() -> None:
    app = LiveViewApp(routes={"/": _Pusher}, secret="js")
    async with LiveViewTestClient(app) as client:
        view = await client.live("/")
        button = parse(view.html).find_id("t")
        assert button is not None
        ((kind, args),) = JS.from_json(button.attrs["phx-click"]).to_encodable()
        assert (kind, args) == ("push", {"event": "hit", "target": view.cid_of("#t")})
        await view.click("go")
        assert view.events[-1] == [
            "run",
            {"to": "#x", "js": [[["show", {"to": "#x"}]], {"nested": [["pop_focus", {}]]}]},
        ]
        await view.click(args["event"], phx_target=args["target"])  # as the client sends it
        assert view.events[-1] == ["hit", {"event": "hit"}]


def test_to_may_come_first_unnamed_where_nothing_else_does() -> None:
    # the line of DESIGN.md's second part
    js = JS.push("inc").toggle("#menu").add_class("open", to="#nav")
    assert str(js) == (
        '[["push",{"event":"inc"}],["toggle",{"to":"#menu"}],'
        '["add_class",{"names":["open"],"to":"#nav"}]]'
    )
    for command in (JS.show, JS.hide, JS.toggle, JS.focus, JS.focus_first, JS.push_focus):
        assert command("#a") == command(to="#a")
        assert command(("inner", "b")) == command(to=("inner", "b"))
    with pytest.raises(TypeError, match="takes from 1 to 2 positional arguments"):
        JS.show("#a", "flex")  # type: ignore[call-arg]
