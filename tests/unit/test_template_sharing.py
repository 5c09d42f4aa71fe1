"""Shared renders: LiveViews in the same state with the same values compute their diff once."""

from __future__ import annotations

import dataclasses
from copy import copy
from typing import Any

import jinja2
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from liveview.template import RenderState, Template
from liveview.template.sharing import LIMIT, PER_KEY, SharedRenders

SOURCE = (
    "<h1>{{ title }}</h1>"
    "{% if count > 2 %}<b>{{ count }}</b>{% else %}<i>low</i>{% endif %}"
    "<ul>{% for item in items %}<li class=\"{{ 'odd' if loop.index is odd else 'even' }}\">"
    "{{ item }}:{{ count * 10 }}</li>{% endfor %}</ul>"
)


def test_the_second_state_reuses_the_first_ones_render() -> None:
    template = Template(SOURCE)
    a, b = RenderState(), RenderState()
    assigns = {"title": "t", "count": 1, "items": ("x", "y")}
    first = a.render_shared(template, assigns)
    assert b.render_shared(template, assigns) is first
    changed = {**assigns, "count": 5}
    diff = a.render_shared(template, changed, {"count"})
    again = b.render_shared(template, {**assigns, "count": 5}, {"count"})
    assert again is diff  # same render object: computed once, its JSON encoded once
    assert (
        diff.json
        == '{"1":{"s":["<b>","</b>"],"0":"5"},"2":{"k":{"0":{"2":"50"},"1":{"2":"50"},"kc":2}}}'
    )


def test_a_different_value_renders_apart() -> None:
    template = Template(SOURCE)
    a, b = RenderState(), RenderState()
    assigns = {"title": "t", "count": 1, "items": ("x",)}
    a.render_shared(template, assigns)
    b.render_shared(template, assigns)
    left = a.render_shared(template, {**assigns, "count": 3}, {"count"})
    right = b.render_shared(template, {**assigns, "count": 4}, {"count"})
    assert left is not right
    assert right.diff == {
        "1": {"s": ["<b>", "</b>"], "0": "4"},
        "2": {"k": {"0": {"2": "40"}, "kc": 1}},
    }


def test_equal_strings_and_ints_match_other_equal_values_do_not() -> None:
    template = Template("{{ a }}{{ b }}")
    a, b = RenderState(), RenderState()
    first = a.render_shared(template, {"a": "x" * 3, "b": 10**20})
    assert b.render_shared(template, {"a": "".join("xxx"), "b": 10**20 + 0}) is first
    # 0.0 == -0.0 (and 1 == True == 1.0), yet they print differently: only identity matches
    c, d = RenderState(), RenderState()
    zero = c.render_shared(template, {"a": 0.0, "b": 1})
    minus = d.render_shared(template, {"a": -0.0, "b": True})
    assert minus is not zero
    assert minus.diff == {"s": ["", "", ""], "0": "-0.0", "1": "True"}
    e = RenderState()
    assert e.render_shared(template, {"a": Markup("<b>"), "b": 1}).diff["0"] == "<b>"
    assert e.render_shared(template, {"a": "<b>", "b": 1}, {"a"}).diff == {"0": "&lt;b&gt;"}


def test_other_changed_names_do_not_share_names_the_template_does_not_read_do() -> None:
    template = Template("{{ a }}{{ b }}")
    a, b, c = RenderState(), RenderState(), RenderState()
    base = {"a": 1, "b": 2}
    for state in (a, b, c):
        state.render_shared(template, base)
    # `b` marked changed but equal: no slot differs, yet the render is another one
    one = a.render_shared(template, {"a": 5, "b": 2}, {"a"})
    two = b.render_shared(template, {"a": 5, "b": 2}, {"a", "b"})
    assert two is not one and two.diff == one.diff == {"0": "5"}
    # an assign the template never reads (different in every LiveView) does not matter
    three = c.render_shared(template, {"a": 5, "b": 2, "user": object()}, {"a", "user"})
    assert three is one


def test_a_template_that_may_read_anything_compares_every_assign() -> None:
    env = jinja2.Environment(autoescape=True, loader=jinja2.DictLoader({"p.html": "{{ x }}"}))
    template = Template("{% include 'p.html' ignore missing %}", environment=env)
    a, b = RenderState(), RenderState()
    first = a.render_shared(template, {"x": 1, "y": 2})
    assert b.render_shared(template, {"x": 1, "y": 2}) is first
    assert RenderState().render_shared(template, {"x": 1, "y": 3}) is not first
    assert RenderState().render_shared(template, {"x": 1}) is not first


def test_an_opaque_statement_inside_a_loop_makes_every_assign_count() -> None:
    env = jinja2.Environment(autoescape=True, loader=jinja2.DictLoader({"p.html": "{{ t }}"}))
    source = "{% for x in xs %}{% include 'p.html' ignore missing %}{% endfor %}"  # Jinja's
    template = Template(source, environment=env)
    xs = [1]
    first = RenderState().render_shared(template, {"xs": xs, "t": 1})
    assert RenderState().render_shared(template, {"xs": xs, "t": 1}) is first
    other = RenderState().render_shared(template, {"xs": xs, "t": 2})
    assert other is not first  # the include reads t: a LiveView with another t renders
    assert "2" in str(other.diff)


def test_prints_never_change_so_a_state_left_behind_still_diffs_right() -> None:
    template = Template(SOURCE)
    a, b = RenderState(), RenderState()
    assigns = {"title": "t", "count": 1, "items": ("x", "y", "z")}
    a.render(template, assigns)
    b.render_shared(template, assigns)
    a.render_shared(template, assigns)  # both hold the same prints now
    held = _snapshot(b._prints)
    for count in range(2, 6):
        a.render_shared(template, {**assigns, "count": count, "items": ("x",)}, {"count", "items"})
    assert _snapshot(b._prints) == held
    assert b.render_shared(template, {**assigns, "title": "u"}, {"title"}).diff == {"0": "u"}


def _snapshot(prints: Any) -> Any:
    """The prints as nested tuples, blocks and loops by identity."""
    if type(prints) is list:
        return tuple(_snapshot(item) for item in prints)
    return prints if type(prints) is str else id(prints)


def test_memory_is_bounded() -> None:
    names = [f"a{index}" for index in range(8)]
    template = Template("".join(f"{{{{ {name} }}}}" for name in names))
    for value in range(LIMIT * 3):
        state = RenderState()
        assigns = dict.fromkeys(names, value)
        state.render_shared(template, assigns)
        changed = {name for bit, name in enumerate(names) if value >> bit & 1} or {"a0"}
        state.render_shared(template, {**assigns, **dict.fromkeys(changed, -1)}, changed)
    shared = template.shared
    assert isinstance(shared, SharedRenders)
    assert len(shared._plans) == LIMIT
    assert all(len(plan.renders) <= PER_KEY for plan in shared._plans.values())


def test_a_failed_render_shares_nothing_and_keeps_the_state_usable() -> None:
    template = Template("{{ 10 // n }}")
    a, b = RenderState(), RenderState()
    a.render_shared(template, {"n": 1})
    b.render_shared(template, {"n": 1})
    try:
        a.render_shared(template, {"n": 0}, {"n"})
    except ZeroDivisionError:
        pass
    else:  # pragma: no cover
        raise AssertionError("expected the render to raise")
    assert b.render_shared(template, {"n": 2}, {"n"}).diff == {"0": "5"}
    # the next render of `a` is full (its client rejoins)
    assert a.render_shared(template, {"n": 2}, {"n"}).diff == {"s": ["", ""], "0": "5"}


PAGE = (
    "<h1>{{ user }}</h1><p>{{ count }}</p>"
    '<ul>{% for row in rows %}<li class="{{ row.cls }}">{{ row.text }}</li>{% endfor %}</ul>'
)


def rows(count: int) -> list[dict[str, str]]:
    return [{"cls": f"c{(count + i) % 2}", "text": f"{i}: {count}"} for i in range(3)]


def test_a_slot_of_its_own_does_not_keep_a_liveview_from_sharing_the_others() -> None:
    template = Template(PAGE)
    states = [RenderState() for _ in range(3)]
    joins = [
        state.render_shared(template, {"user": f"u{i}", "count": 0, "rows": rows(0)})
        for i, state in enumerate(states)
    ]
    assert joins[0] is not joins[1]  # the complete trees differ: each shows its user
    renders = [
        state.render_shared(
            template, {"user": f"u{i}", "count": 1, "rows": rows(1)}, {"count", "rows"}
        )
        for i, state in enumerate(states)
    ]
    assert renders[1] is renders[0] and renders[2] is renders[0]  # rows: equal new lists
    assert renders[0].json == (
        '{"1":"1","2":{"k":{"0":{"0":"c1","1":"0: 1"},"1":{"0":"c0","1":"1: 1"},'
        '"2":{"0":"c1","1":"2: 1"},"kc":3}}}'
    )
    # from then on the slot prints are the shared ones (the next match is by identity)...
    assert states[1]._prints is not None and states[0]._prints is not None
    assert states[1]._prints[3] is states[0]._prints[3]
    # ...and each LiveView's own slot is still its own
    user = states[2].render_shared(template, {"user": "new", "count": 1, "rows": rows(1)}, {"user"})
    assert user.diff == {"0": "new"}
    assert states[1].render_shared(
        template, {"user": "u1", "count": 2, "rows": rows(2)}, {"count", "rows"}
    ) is states[2].render_shared(
        template, {"user": "new", "count": 2, "rows": rows(2)}, {"count", "rows"}
    )


def test_containers_match_by_content_and_exact_types() -> None:
    template = Template("{{ xs }}")

    def shared(first: Any, second: Any) -> bool:
        one = RenderState().render_shared(template, {"xs": first})
        return RenderState().render_shared(template, {"xs": second}) is one

    assert shared([1, "a", {"b": (2, None)}], [1, "a", {"b": (2, None)}])
    assert not shared([1], [1.0])
    assert not shared([1], [True])
    assert not shared([0.0], [-0.0])
    assert not shared([("a",)], [["a"]])
    assert not shared(("a",), ["a"])
    assert not shared([Markup("<b>")], ["<b>"])
    assert not shared([float("nan")], [None])
    assert not shared([object()], [object()])  # pickles differently: only itself matches


def test_a_container_changed_in_place_after_its_render_no_longer_matches_it() -> None:
    template = Template("{% for x in xs %}{{ x }}{% endfor %}")
    held = ["a", "b"]
    first = RenderState().render_shared(template, {"xs": held})
    held.append("c")  # the render was of ["a", "b"]
    other = RenderState().render_shared(template, {"xs": ["a", "b", "c"]})
    assert other is not first
    assert other.diff["0"]["k"]["kc"] == 3


# -- against unshared renders -------------------------------------------------------------------

VALUES = st.sampled_from(
    [0, 1, 3, "a", "<b>", -0.0, 0.0, None, True, ("x",), ("x", "y"), ["x"], [1.0], [1], [True]]
)
STEP = st.tuples(
    st.integers(0, 3),  # which LiveView renders
    st.dictionaries(st.sampled_from(["title", "count", "items"]), VALUES, max_size=3),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(STEP, min_size=1, max_size=30))
def test_shared_renders_equal_unshared_ones(steps: list[tuple[int, dict[str, Any]]]) -> None:
    """Four LiveViews assigning from a small pool, in any interleaving: every shared render is
    exactly what the LiveView would have computed alone."""
    source = (
        "{{ user }}|{{ title }}|{{ count }}|{% if count %}<{{ title }}>{% endif %}|"
        "{% for i in (items if items is iterable and items is not string else ()) %}"
        "[{{ i }}{{ count }}]{% endfor %}"
    )
    template = Template(source)
    shared = [RenderState() for _ in range(4)]
    alone = [RenderState() for _ in range(4)]
    assigns = [{"user": index % 2, "title": "t", "count": 0, "items": ()} for index in range(4)]
    for index in range(4):
        assert shared[index].render_shared(template, assigns[index]).diff == alone[index].render(
            template, assigns[index]
        )
    for index, changes in steps:
        # containers are copied: equal, never the same object in two LiveViews
        changes = {name: copy(value) for name, value in changes.items()}
        assigns[index] = {**assigns[index], **changes}
        expected = alone[index].render(template, assigns[index], set(changes))
        assert shared[index].render_shared(template, assigns[index], set(changes)).diff == expected


def test_lists_of_the_same_objects_match_item_by_item() -> None:
    @dataclasses.dataclass
    class Message:
        id: int
        text: str

    template = Template("{% for m in messages %}<p>{{ m.text }}</p>{% endfor %}")
    a, b = Message(1, "hi"), Message(2, "yo")  # as pub/sub delivers: one object per message
    held = [a, b]
    first = RenderState().render_shared(template, {"messages": held})
    assert RenderState().render_shared(template, {"messages": [a, b]}) is first  # not plain data
    assert RenderState().render_shared(template, {"messages": (a, b)}) is not first  # a tuple
    assert RenderState().render_shared(template, {"messages": [a, Message(2, "yo")]}) is not first
    held.append(Message(3, "later"))  # changed in place after its render: it was of [a, b]
    assert RenderState().render_shared(template, {"messages": [a, b]}) is first
