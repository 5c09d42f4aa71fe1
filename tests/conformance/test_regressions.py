"""Engine bugs found by the conformance properties, each shrunk to a minimal template and
assigns sequence. A test marked ``xfail(strict=True)`` documents a bug that is not fixed yet
(it starts failing -- XPASS -- the day it is fixed: then drop the mark). The bugs below are
fixed: stateful calls (``liveview/template/deps.py``, "Stateful objects"), ``{% set %}`` in
loop bodies (``ForSlot.fresh`` in ``liveview/template/slots.py``) and a loop filter's binding
seen by the ``else`` block (``ForSlot._iterate``); the comments give the outputs before the
fixes."""

from __future__ import annotations

import jinja2

from tests.conformance.checker import Step, check_case, compile_template
from tests.conformance.client import ClientHarness

# Stateful calls: a diff evaluated only the slots whose dependencies changed, so a call whose
# result depends on the calls before it in the same render (loop.changed, joiner(),
# cycler.next()) saw a different call history than in a full render.


def test_stateful_calls_joiner_in_a_growing_loop(client_harness: ClientHarness) -> None:
    # The usual joiner idiom. Found by the generator with the stateful calls switched on.
    # full render: "a, b"   client after the diff: "ab" (entry 0's `{{ j() }}` reads nothing
    # that changed, so the diff does not call it, and the new entry 1 gets the joiner's first
    # call, "")
    check_case(
        client_harness,
        '{% set j = joiner(", ") %}{% for w in ws %}{{ j() }}{{ w }}{% endfor %}',
        [Step.of({"ws": ["a"]}), Step.of({"ws": ["a", "b"]}, ["ws"])],
    )


def test_stateful_calls_loop_changed(client_harness: ClientHarness) -> None:
    # full render: "True|Falseb;|Falseb;"   client after the diff: "True|Trueb;|Falseb;"
    # (the diff skips the first loop.changed slot, so the second call is the first one)
    check_case(
        client_harness,
        "{% for x in xs %}{{ loop.changed(n) }}|{{ loop.changed(n) ~ a }};{% endfor %}",
        [
            Step.of({"xs": [1, 2], "n": 1, "a": "a"}),
            Step.of({"xs": [1, 2], "n": 1, "a": "b"}, ["a"]),
        ],
    )


def test_stateful_calls_joiner(client_harness: ClientHarness) -> None:
    # full render: "1|b|2|b"   client after the diff: "1b|2|b"
    check_case(
        client_harness,
        '{% set j = joiner("|") %}{% for x in xs %}{{ j() }}{{ x }}{{ j() ~ a }}{% endfor %}',
        [
            Step.of({"xs": [1, 2], "a": "a"}),
            Step.of({"xs": [1, 2], "a": "b"}, ["a"]),
        ],
    )


def test_stateful_calls_cycler_outside_loops(client_harness: ClientHarness) -> None:
    # full render: "oec"   client after the diff: "ooc" (the diff skips the first c.next())
    check_case(
        client_harness,
        '{% set c = cycler("o", "e") %}{{ c.next() }}{{ c.next() ~ a }}',
        [Step.of({"a": "b"}), Step.of({"a": "c"}, ["a"])],
    )


# {% set %} in a loop body: the engine's full render kept its value into the next iteration
# (Jinja starts every iteration afresh), and a diff that did not re-run the earlier entries'
# set saw the value Jinja would.


def test_set_in_a_loop_body_diff_matches_full_render(client_harness: ClientHarness) -> None:
    # Found by the long run (test_loops_grow_shrink_reorder, shrunk by hand from
    # '{% for x in xs %}<li>{%- for w in a|list -%}...{%- endfor -%}{% set a = a ~ "<&>" %}</li>
    # {% endfor %}'). full render: "[][x]"   client after the diff: "[][]"
    check_case(
        client_harness,
        '{% for x in xs %}[{{ a }}]{% set a = a ~ "x" %}{% endfor %}',
        [Step.of({"xs": [1], "a": ""}), Step.of({"xs": [1, 2], "a": ""}, ["xs"])],
    )


def test_set_in_a_loop_body_full_render_matches_jinja() -> None:
    # Jinja: "[0][0][0]"   engine: "[0][1][2]" (same with an outer {% set t = 0 %}, a name
    # that is not an assign, and an inner loop)
    source = "{% for x in xs %}[{{ t }}]{% set t = x %}{% endfor %}"
    assigns = {"t": 0, "xs": [1, 2, 3]}
    jinja = jinja2.Environment(autoescape=True).from_string(source).render(assigns)
    assert compile_template(source).render_html(assigns) == jinja


# A loop's `if` filter bound the loop variable for each item it tested, in the variables the
# `else` block then rendered in: the else block saw the last item tested (Jinja: the loop
# variable is not bound there), and its diffs, whose dependencies were the outer name's, did
# not follow. Found by the long run once the generator included templates reading `x`.


def test_loop_filter_binding_is_not_seen_by_else_diff(client_harness: ClientHarness) -> None:
    # Shrunk from '{%- for x in xs if f and xs|length > 1 -%} {%- else -%}{% include
    # 'nested.html' %}{%- endfor -%}'. full render: "[2]"   client after the diff: "[]"
    check_case(
        client_harness,
        "{% for x in xs if x > 5 %}{% else %}[{{ x }}]{% endfor %}",
        [Step.of({"xs": []}), Step.of({"xs": [1, 2]}, ["xs"])],
    )


def test_loop_filter_binding_is_not_seen_by_else_full_render() -> None:
    # Jinja: "[A]" (the outer x)   engine: "[2]"
    source = "{% for x in xs if x > 5 %}{% else %}[{{ x }}]{% endfor %}"
    assigns = {"x": "A", "xs": [1, 2]}
    jinja = jinja2.Environment(autoescape=True).from_string(source).render(assigns)
    assert compile_template(source).render_html(assigns) == jinja
