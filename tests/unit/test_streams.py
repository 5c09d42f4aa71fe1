"""Streams: the 1.2 wire format of a loop over `streams.<name>`, the socket's stream calls and
their bad input, rows forgotten once sent, temporary assigns, and the test client's rows."""

from __future__ import annotations

import gc
import logging
from dataclasses import dataclass
from typing import Any, ClassVar

import orjson
import pydantic
import pytest

from liveview import (
    ComponentSocket,
    LiveComponent,
    LiveView,
    LiveViewApp,
    LiveViewSocket,
    SingleProcessPubSub,
    Template,
)
from liveview.streams import StreamState
from liveview.template import RenderState
from liveview.testing import LiveViewTestClient
from liveview.testing.view import LiveViewTest

LIST = (
    '<ul id="items" phx-update="stream">'
    '{% for dom_id, item in streams.items %}<li id="{{ dom_id }}">{{ item.text }}</li>'
    "{% endfor %}</ul>"
)


@dataclass
class Row:
    id: int
    text: str


class Model(pydantic.BaseModel):
    id: int
    text: str


def state_with(*rows: Any, **options: Any) -> StreamState:
    state = StreamState()
    state.insert_many(
        "items",
        rows,
        at=options.get("at", -1),
        limit=options.get("limit"),
        update_only=False,
        reset=options.get("reset", False),
        dom_id=options.get("dom_id"),
        create=True,
    )
    return state


# --- the wire format ----------------------------------------------------------------------------


def test_a_loop_over_a_stream_sends_its_inserts_and_the_stream_entry() -> None:
    template = Template(LIST)
    state = state_with(Row(1, "a"), {"id": 2, "text": "b"}, Model(id=3, text="c"))
    render = RenderState()
    tree = render.render(template, {"streams": state.streams})
    assert tree["0"] == {
        "s": ['<li id="', '">', "</li>"],
        "k": {
            "0": {"0": "items-1", "1": "a"},
            "1": {"0": "items-2", "1": "b"},
            "2": {"0": "items-3", "1": "c"},
            "kc": 3,
        },
        # newest first, as Phoenix sends them; no 4th element without a reset
        "stream": [
            "0",
            [
                ["items-3", -1, None, False],
                ["items-2", -1, None, False],
                ["items-1", -1, None, False],
            ],
            [],
        ],
    }
    assert state.rendered() == []
    assert render.render(template, {"streams": state.streams}, {"streams"}) == {}


def test_a_later_insert_delete_and_reset_are_diffs_without_statics() -> None:
    template = Template(LIST)
    state = state_with(Row(1, "a"))
    render = RenderState()
    render.render(template, {"streams": state.streams})
    state.rendered()
    state.insert_many(
        "items",
        [Row(2, "b")],
        at=0,
        limit=-10,
        update_only=True,
        reset=False,
        dom_id=None,
        create=False,
    )
    state.delete("items", "items-1")
    diff = render.render(template, {"streams": state.streams}, {"streams"})
    assert diff == {
        "0": {
            "k": {"0": {"0": "items-2", "1": "b"}, "kc": 1},
            "stream": ["0", [["items-2", 0, -10, True]], ["items-1"]],
        }
    }
    state.rendered()
    state.delete("items", "items-2")  # deletes only: no entries, kc 0
    diff = render.render(template, {"streams": state.streams}, {"streams"})
    assert diff == {"0": {"k": {"kc": 0}, "stream": ["0", [], ["items-2"]]}}
    state.rendered()
    state.insert_many(
        "items",
        [Row(9, "z")],
        at=-1,
        limit=None,
        update_only=False,
        reset=True,
        dom_id=None,
        create=True,
    )
    diff = render.render(template, {"streams": state.streams}, {"streams"})
    assert diff["0"]["stream"] == ["0", [["items-9", -1, None, False]], [], True]


def test_an_item_inserted_twice_renders_once_where_it_was_inserted_last() -> None:
    state = state_with(Row(1, "a"), Row(2, "b"), Row(1, "a2"))
    tree = RenderState().render(Template(LIST), {"streams": state.streams})
    entries = tree["0"]["k"]
    assert [entries[str(i)]["1"] for i in range(entries["kc"])] == ["b", "a2"]
    assert [insert[0] for insert in tree["0"]["stream"][1]] == ["items-1", "items-2", "items-1"]


def test_dom_id_says_how_ids_are_made_and_refs_count_streams() -> None:
    state = state_with({"key": "x", "text": "a"}, dom_id=lambda row: f"row-{row['key']}")
    state.insert_many(
        "other",
        [Row(1, "b")],
        at=-1,
        limit=None,
        update_only=False,
        reset=False,
        dom_id=None,
        create=True,
    )
    source = LIST + LIST.replace("items", "other")
    tree = RenderState().render(Template(source), {"streams": state.streams})
    assert tree["0"]["stream"][:2] == ["0", [["row-x", -1, None, False]]]
    assert tree["1"]["stream"][:2] == ["1", [["other-1", -1, None, False]]]


def test_the_dead_render_shows_the_streamed_rows() -> None:
    state = state_with(Row(1, "a"), Row(2, "<b>"))
    html = Template(LIST).render_html({"streams": state.streams})
    assert html == (
        '<ul id="items" phx-update="stream"><li id="items-1">a</li>'
        '<li id="items-2">&lt;b&gt;</li></ul>'
    )


# --- bad input --------------------------------------------------------------------------------


def new_socket() -> LiveViewSocket:
    return LiveViewSocket(view_id="v", pubsub=SingleProcessPubSub(), connected=False)


def test_an_item_without_an_id_is_refused_and_nothing_of_the_call_is_queued() -> None:
    socket = new_socket()
    socket.stream("items", [Row(1, "a")])
    with pytest.raises(ValueError, match="needs an id"):
        socket.stream("items", [Row(2, "b"), {"text": "no id"}])
    assert [insert[0] for insert in socket.assigns.streams.items.inserts] == ["items-1"]
    with pytest.raises(ValueError, match="needs an id"):
        socket.stream_insert("items", object())


def test_bad_positions_ids_and_names_are_clear_errors() -> None:
    socket = new_socket()
    with pytest.raises(KeyError, match=r"call socket\.stream"):
        socket.stream_insert("items", Row(1, "a"))
    with pytest.raises(KeyError, match=r"call socket\.stream"):
        socket.stream_delete_by_dom_id("items", "items-1")
    with pytest.raises(ValueError, match="at= is -1"):
        socket.stream("items", [Row(1, "a")], at=-2)
    with pytest.raises(TypeError, match="at= is an int"):
        socket.stream("items", [Row(1, "a")], at="0")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="limit= is an int"):
        socket.stream("items", [Row(1, "a")], limit=1.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="non-empty str"):
        socket.stream("items", [Row(1, "a")], dom_id=lambda row: row.id)
    with pytest.raises(ValueError, match="identifier"):
        socket.stream("my items", [Row(1, "a")])
    socket.stream("items", [])
    with pytest.raises(TypeError, match="is a str"):
        socket.stream_delete_by_dom_id("items", 1)  # type: ignore[arg-type]


def test_a_template_reading_a_stream_never_made_says_how_to_make_it() -> None:
    streams = StreamState().streams
    with pytest.raises(AttributeError, match=r"call socket.stream\('items', items\)"):
        streams.items  # noqa: B018


# --- in a running LiveView: what is sent and what is kept ------------------------------------


class Feed(LiveView):
    template = LIST + "<p id='n'>{{ n }}</p>"

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        socket.assign(n=0)
        socket.stream("items", [Row(1, "first")])

    async def handle_event(self, event: str, payload: Any, socket: LiveViewSocket) -> None:
        if event == "many":
            count = int(payload["count"])
            socket.stream("items", (Row(i, f"row {i}") for i in range(count)), reset=True)
        elif event == "one":
            socket.stream_insert("items", Row(int(payload["id"]), payload["text"]), at=0)
        elif event == "update":
            socket.stream_insert(
                "items", Row(int(payload["id"]), payload["text"]), update_only=True
            )
        elif event == "delete":
            socket.stream_delete("items", Row(int(payload["id"]), ""))
        elif event == "limit":
            socket.stream_insert("items", Row(int(payload["id"]), "x"), limit=int(payload["limit"]))
        elif event == "nowhere":
            socket.stream("elsewhere", [Row(1, "lost")])
            socket.assign(n=socket.assigns.n + 1)


def recording(view: LiveViewTest) -> list[dict[str, Any]]:
    """The diffs `view` applies from now on."""
    diffs: list[dict[str, Any]] = []
    apply = view.apply

    def record(diff: dict[str, Any]) -> Any:
        diffs.append(diff)
        return apply(diff)

    view.apply = record  # type: ignore[method-assign]
    return diffs


def rows(view: LiveViewTest) -> list[str]:
    return [html for _, html in next(iter(view.stream_rows.rows.values()))]


async def test_the_test_client_shows_rows_as_the_dom_keeps_them() -> None:
    async with LiveViewTestClient(LiveViewApp(routes={"/": Feed})) as client:
        view = await client.live("/")
        assert '<li id="items-1">first</li>' in view.html
        await view.click("one", {"id": "2", "text": "second"})
        await view.click("update", {"id": "1", "text": "FIRST"})
        await view.click("update", {"id": "7", "text": "never added"})
        assert rows(view) == ['<li id="items-2">second</li>', '<li id="items-1">FIRST</li>']
        await view.click("delete", {"id": "2"})
        assert rows(view) == ['<li id="items-1">FIRST</li>']
        await view.click("limit", {"id": "3", "limit": "-1"})
        assert rows(view) == ['<li id="items-3">x</li>']
        assert view.html.startswith('<ul id="items" phx-update="stream"><li id="items-3">x</li>')


async def test_rows_are_forgotten_once_sent_even_100_000_in_one_call() -> None:
    async with LiveViewTestClient(LiveViewApp(routes={"/": Feed})) as client:
        view = await client.live("/")
        diffs = recording(view)
        await view.click("many", {"count": "100000"})
        assert len(diffs) == 1  # one diff
        stream = diffs[0]["0"]
        assert stream["k"]["kc"] == 100_000 and len(stream["stream"][1]) == 100_000
        assert stream["stream"][3] is True
        assert len(rows(view)) == 100_000
        # nothing of them is left on the server: no row object is alive (the test client
        # keeps their HTML, as the browser's DOM does)
        assert _live_rows() == 0
        await view.click("one", {"id": "100001", "text": "after"})
        # a small insert's render is kept for other LiveViews getting the same message, until
        # the template's next stream render
        assert _live_rows() == 1
        await view.click("one", {"id": "100002", "text": "later"})
        assert _live_rows() == 1
        assert rows(view)[:2] == [
            '<li id="items-100002">later</li>',
            '<li id="items-100001">after</li>',
        ]


def _live_rows() -> int:
    gc.collect()
    return sum(1 for obj in gc.get_objects() if type(obj) is Row and obj.id != 1)


async def test_a_stream_the_template_does_not_show_is_dropped_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with LiveViewTestClient(LiveViewApp(routes={"/": Feed})) as client:
        view = await client.live("/")
        with caplog.at_level(logging.WARNING, logger="liveview"):
            html = await view.click("nowhere")
        assert "<p id='n'>1</p>" in html  # the rest of the render went through
        assert "lost" not in html
        assert any("'elsewhere'" in record.getMessage() for record in caplog.records)
        await view.click("one", {"id": "5", "text": "still works"})
        assert "still works" in view.html


async def test_each_diff_carries_only_its_own_rows() -> None:
    async with LiveViewTestClient(LiveViewApp(routes={"/": Feed})) as client:
        view = await client.live("/")
        diffs = recording(view)
        for n in range(2, 12):
            await view.click("one", {"id": str(n), "text": "x" * 60})
        sizes = {len(orjson.dumps(diff)) for diff in diffs}
        assert max(sizes) < 200, sizes


# --- temporary assigns ------------------------------------------------------------------------


class Notices(LiveView):
    temporary_assigns: ClassVar[dict[str, Any]] = {"notices": []}
    template = "<p>{% for n in notices %}{{ n }};{% endfor %}</p><i>{{ count }}</i>"

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        socket.assign(count=0)

    async def handle_event(self, event: str, payload: Any, socket: LiveViewSocket) -> None:
        if event == "notice":
            socket.assign(notices=[*socket.assigns.notices, payload["text"]])
        socket.assign(count=socket.assigns.count + 1)


async def test_temporary_assigns_go_back_to_their_default_after_each_render() -> None:
    async with LiveViewTestClient(LiveViewApp(routes={"/": Notices})) as client:
        view = await client.live("/")
        assert view.html == "<p></p><i>0</i>"
        await view.click("notice", {"text": "a"})
        assert view.html == "<p>a;</p><i>1</i>"
        # the list was reset after the render (not re-rendered), so the next notice is alone
        diffs = recording(view)
        await view.click("other")
        assert diffs == [{"1": "2"}]
        await view.click("notice", {"text": "b"})
        assert view.html == "<p>b;</p><i>3</i>"


def test_temporary_defaults_are_fresh_copies() -> None:
    socket = new_socket()
    socket.set_temporary({"rows": []})
    socket.assigns.rows.append(1)
    socket.rendered()
    assert socket.assigns.rows == []
    socket.assigns.rows.append(2)
    socket.rendered()
    assert socket.assigns.rows == []


def test_liveviews_given_the_same_message_share_one_render_and_each_forgets_it() -> None:
    template = Template(LIST)
    message = Row(5, "same object")
    states = [state_with(), state_with()]
    renders = [RenderState(), RenderState()]
    joins = [
        r.render_shared(template, {"streams": s.streams})
        for r, s in zip(renders, states, strict=True)
    ]
    assert joins[0] is joins[1]  # the join render shared: both hold the same prints
    for state in states:
        state.rendered()
        state.insert_many(
            "items",
            [message],
            at=-1,
            limit=None,
            update_only=False,
            reset=False,
            dom_id=None,
            create=False,
        )
    first, second = (
        r.render_shared(template, {"streams": s.streams}, {"streams"})
        for r, s in zip(renders, states, strict=True)
    )
    assert second is first and "stream" in first.diff["0"]
    assert [state.rendered() for state in states] == [[], []]  # both count as sent
    # an equal message that is another object is rendered anew
    for state in states:
        state.insert_many(
            "items",
            [Row(5, "same object")],
            at=-1,
            limit=None,
            update_only=False,
            reset=False,
            dom_id=None,
            create=False,
        )
    third, fourth = (
        r.render_shared(template, {"streams": s.streams}, {"streams"})
        for r, s in zip(renders, states, strict=True)
    )
    assert third is not fourth and third.diff == fourth.diff


class Log(LiveComponent):
    template = (
        '<div id="{{ id }}"><ol id="{{ id }}-lines" phx-update="stream">'
        '{% for dom_id, line in streams.lines %}<li id="{{ dom_id }}">{{ line.text }}</li>'
        '{% endfor %}</ol><button phx-click="add" phx-target="{{ myself }}">+</button></div>'
    )

    async def mount(self, socket: ComponentSocket) -> None:
        socket.stream("lines", [Row(1, "one")])

    async def handle_event(self, event: str, payload: Any, socket: ComponentSocket) -> None:
        socket.stream_insert("lines", Row(int(payload["id"]), "more"), at=0)


class Logs(LiveView):
    template = '{{ live_component(Log, id="log") }}'


async def test_a_live_component_streams_with_refs_of_its_own() -> None:
    async with LiveViewTestClient(LiveViewApp(routes={"/": Logs}, secret="t")) as client:
        view = await client.live("/")
        diffs = recording(view)
        cid = view.cid_of("log")
        assert cid is not None
        await view.click("add", {"id": "2"}, phx_target=cid)
        assert diffs[0]["c"][str(cid)]["2"]["stream"][0] == f"{cid}-0"
        assert '<li id="lines-2">more</li><li id="lines-1">one</li>' in view.html
