"""Live components in-process, through liveview.testing: rendering, events, updates, the
wire format of `"c"`, their lifetime on the page, and bad input."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from liveview import (
    ComponentSocket,
    DuplicateComponent,
    LiveComponent,
    LiveView,
    LiveViewApp,
    LiveViewSocket,
    SingleProcessPubSub,
)
from liveview.testing import LiveViewCrashed, LiveViewTestClient, ReplyError

updates_many_calls: list[list[Any]] = []
infos: list[Any] = []


class Tally(LiveComponent):
    """A card with its own count; `+` targets itself."""

    template = (
        '<div id="tally-{{ id }}"><b>{{ label }}</b> <i>{{ n }}</i>'
        '<button phx-click="inc" phx-target="{{ myself }}">+</button></div>'
    )

    async def mount(self, socket: ComponentSocket) -> None:
        socket.assign(n=0)

    async def update(self, assigns: dict[str, Any], socket: ComponentSocket) -> None:
        if assigns.get("label") == "explode":
            raise ValueError("update exploded")
        await super().update(assigns, socket)

    async def handle_event(
        self, event: str, payload: dict[str, Any], socket: ComponentSocket
    ) -> Any:
        if event == "inc":
            socket.assign(n=socket.assigns.n + 1)
        elif event == "tell":
            socket.send_parent(("told", socket.assigns.id, socket.assigns.n))
        elif event == "poke":
            socket.send_update(Tally, payload["other"], n=100)
        elif event == "ping":
            socket.push_event("pinged", {"id": socket.assigns.id})
            return {"pong": socket.assigns.id}
        elif event == "go":
            socket.push_navigate("/elsewhere")
        elif event == "boom":
            raise RuntimeError("component exploded")
        else:
            return await super().handle_event(event, payload, socket)
        return None


class Board(LiveView):
    template = (
        "<main><h1>{{ title }}</h1>"
        "{% for t in tallies %}{{ live_component(Tally, id=t, label=t|upper) }}{% endfor %}"
        "{% if extra %}{{ live_component(Tally, id='extra', label='X') }}{% endif %}</main>"
    )

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        socket.assign(title="Board", tallies=["a", "b", "c"], extra=False)
        await socket.subscribe("board")

    async def handle_event(
        self, event: str, payload: dict[str, Any], socket: LiveViewSocket
    ) -> Any:
        if event == "retitle":
            socket.assign(title=payload["title"])
        elif event == "set":
            socket.assign(tallies=payload["tallies"])
        elif event == "extra":
            socket.assign(extra=payload["on"])
        elif event == "relabel":
            socket.send_update(Tally, payload["id"], label=payload["label"])

    async def handle_info(self, info: Any, socket: LiveViewSocket) -> None:
        infos.append(info)
        if isinstance(info, dict) and info.get("set") is not None:
            socket.send_update(Tally, info["id"], n=info["set"])


class Row(LiveComponent):
    template = '<li id="row-{{ id }}">{{ name }}</li>'

    @classmethod
    async def update_many(cls, updates: list[tuple[dict[str, Any], ComponentSocket]]) -> None:
        updates_many_calls.append(sorted(assigns["id"] for assigns, _ in updates))
        for assigns, socket in updates:
            socket.assign(id=assigns["id"], name=assigns["name"].title())


class Rows(LiveView):
    template = "<ul>{% for n in names %}{{ live_component(Row, id=n, name=n) }}{% endfor %}</ul>"

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        socket.assign(names=["ann", "bob"])

    async def handle_event(
        self, event: str, payload: dict[str, Any], socket: LiveViewSocket
    ) -> Any:
        socket.assign(names=payload["names"])


class Inner(LiveComponent):
    template = '<span id="inner-{{ id }}">{{ n }}</span>'

    async def mount(self, socket: ComponentSocket) -> None:
        socket.assign(n=0)

    async def handle_event(
        self, event: str, payload: dict[str, Any], socket: ComponentSocket
    ) -> Any:
        socket.assign(n=socket.assigns.n + 1)


class Outer(LiveComponent):
    template = (
        '<section id="outer-{{ id }}">{{ label }}'
        "{{ live_component(Inner, id=id ~ '-inner') }}</section>"
    )


class Nested(LiveView):
    template = "<div>{{ live_component(Outer, id='o', label=label) }}</div>"

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        socket.assign(label="L")

    async def handle_event(
        self, event: str, payload: dict[str, Any], socket: LiveViewSocket
    ) -> Any:
        socket.assign(label=payload["label"])


class Flashy(LiveComponent):
    template = '<p id="flashy">{{ id }}</p>'

    async def update(self, assigns: dict[str, Any], socket: ComponentSocket) -> None:
        socket.assign(**assigns)
        socket.put_flash("info", f"updated {assigns['id']}")


class FlashPage(LiveView):
    template = "<div>{{ flash.info }}{{ live_component(Flashy, id='f') }}</div>"

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        socket.assign(flash={})


class TwoRoots(LiveComponent):
    template = "<p>one</p><p>two</p>"


class NoTag(LiveComponent):
    template = "just {{ id }}"


class BadRootPage(LiveView):
    template = "<div>{{ live_component(component, id='x') }}</div>"

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        socket.assign(component=TwoRoots if params.get("kind") == "two" else NoTag)


class Twice(LiveView):
    template = (
        "<div>{{ live_component(Tally, id='same', label='1') }}"
        "{{ live_component(Tally, id='same', label='2') }}</div>"
    )


def make_app() -> LiveViewApp:
    return LiveViewApp(
        routes={
            "/": Board,
            "/rows": Rows,
            "/nested": Nested,
            "/flash": FlashPage,
            "/bad": BadRootPage,
            "/twice": Twice,
        },
        pubsub=SingleProcessPubSub(),
    )


@pytest.fixture
async def client() -> AsyncIterator[LiveViewTestClient]:
    updates_many_calls.clear()
    infos.clear()
    async with LiveViewTestClient(make_app()) as client:
        yield client


def event(name: str, value: dict[str, Any] | None = None, cid: int | None = None) -> dict[str, Any]:
    payload: dict[str, Any] = {"type": "click", "event": name, "value": value or {}}
    if cid is not None:
        payload["cid"] = cid
    return payload


# rendering ------------------------------------------------------------------------------------


async def test_dead_render_has_each_component_inline(client: LiveViewTestClient) -> None:
    page = (await client.get("/")).text
    assert '<div id="tally-a"><b>A</b> <i>0</i><button phx-click="inc" phx-target="1">' in page
    assert '<div id="tally-c"><b>C</b> <i>0</i><button phx-click="inc" phx-target="3">' in page
    assert "\x00" not in page


async def test_join_sends_cids_and_component_trees_sharing_statics(
    client: LiveViewTestClient,
) -> None:
    view = await client.live("/")
    assert view.join_reply is not None
    rendered = view.join_reply["rendered"]
    entries = rendered["1"]["k"]
    assert [entries[str(i)]["0"] for i in range(3)] == [1, 2, 3]
    components = rendered["c"]
    assert components["1"]["r"] == 1 and isinstance(components["1"]["s"], list)
    # the other two share the first one's statics, in the same diff: a positive cid
    assert components["2"]["s"] == 1 and components["3"]["s"] == 1
    assert components["2"]["0"] == "b" and components["2"]["1"] == "B"
    assert view.html.count('phx-target="') == 3


# events -------------------------------------------------------------------------------------


async def test_an_event_for_a_component_changes_only_its_slot(client: LiveViewTestClient) -> None:
    view = await client.live("/")
    response = await view.push("event", event("inc", cid=2))
    assert response["diff"] == {"c": {"2": {"2": "1"}}}
    assert "<b>B</b> <i>1</i>" in view.html and "<b>A</b> <i>0</i>" in view.html


async def test_phx_target_selector_finds_the_component_around_an_element(
    client: LiveViewTestClient,
) -> None:
    view = await client.live("/")
    assert view.cid_of("#tally-c") == 3
    assert view.cid_of("#tally-a") == 1
    await view.click("inc", phx_target="#tally-c")
    assert "<b>C</b> <i>1</i>" in view.html
    with pytest.raises(LookupError):
        view.cid_of("#nothing")


async def test_component_hook_reply_and_pushed_event_reach_the_page(
    client: LiveViewTestClient,
) -> None:
    view = await client.live("/")
    assert await view.hook_event("ping", phx_target=1) == {"pong": "a"}
    assert view.events[-1] == ["pinged", {"id": "a"}]


async def test_component_navigation_navigates_the_page(client: LiveViewTestClient) -> None:
    view = await client.live("/")
    response = await view.push("event", event("go", cid=1))
    assert response == {"live_redirect": {"to": "/elsewhere", "kind": "push"}}


async def test_unknown_event_of_a_component_is_an_error_reply(client: LiveViewTestClient) -> None:
    view = await client.live("/")
    with pytest.raises(ReplyError, match="unknown event 'nope'"):
        await view.push("event", event("nope", cid=1))
    await view.click("inc", phx_target=1)
    assert "<b>A</b> <i>1</i>" in view.html


# change tracking ------------------------------------------------------------------------------


async def test_parent_change_elsewhere_sends_nothing_for_components(
    client: LiveViewTestClient,
) -> None:
    view = await client.live("/")
    response = await view.push("event", event("retitle", {"title": "New"}))
    assert response["diff"] == {"0": "New"}


async def test_parent_rerender_with_same_attrs_sends_nothing_and_keeps_state(
    client: LiveViewTestClient,
) -> None:
    view = await client.live("/")
    await view.click("inc", phx_target=2)
    response = await view.push("event", event("set", {"tallies": ["a", "b", "c"]}))
    assert "diff" not in response or "c" not in response["diff"]
    assert "<b>B</b> <i>1</i>" in view.html


async def test_one_changed_attr_sends_only_that_components_slot(
    client: LiveViewTestClient,
) -> None:
    view = await client.live("/")
    response = await view.push("event", event("relabel", {"id": "b", "label": "Bee"}))
    assert response == {}  # the update comes after this callback, as Phoenix's send_update
    push = await view.receive_push()
    assert push[4] == {"c": {"2": {"1": "Bee"}}}
    assert "<b>Bee</b>" in view.html


async def test_update_many_gets_every_component_of_a_render_at_once(
    client: LiveViewTestClient,
) -> None:
    view = await client.live("/rows")
    assert updates_many_calls == [["ann", "bob"], ["ann", "bob"]]  # dead render, then joined
    assert '<li id="row-ann">Ann</li><li id="row-bob">Bob</li>' in view.html
    await view.push("event", event("set", {"names": ["ann", "cy", "bob"]}))
    assert updates_many_calls[-1] == ["ann", "bob", "cy"]
    assert '<li id="row-cy">Cy</li>' in view.html


# send_update, send_parent --------------------------------------------------------------------


async def test_send_update_from_a_pubsub_message(client: LiveViewTestClient) -> None:
    view = await client.live("/")
    await client.app.pubsub.publish("board", {"id": "c", "set": 7})
    await view.wait_for(lambda html: "<b>C</b> <i>7</i>" in html)
    assert {"id": "c", "set": 7} in infos


async def test_send_update_from_a_component_to_another(client: LiveViewTestClient) -> None:
    view = await client.live("/")
    await view.push("event", event("poke", {"other": "a"}, cid=3))
    await view.wait_for(lambda html: "<b>A</b> <i>100</i>" in html)


async def test_send_update_to_no_such_component_does_nothing(client: LiveViewTestClient) -> None:
    view = await client.live("/")
    await client.app.pubsub.publish("board", {"id": "zzz", "set": 1})
    await client.app.pubsub.publish("board", {"id": "a", "set": 2})
    await view.wait_for(lambda html: "<b>A</b> <i>2</i>" in html)


async def test_send_parent_reaches_handle_info(client: LiveViewTestClient) -> None:
    view = await client.live("/")
    await view.click("inc", phx_target=1)
    await view.push("event", event("tell", cid=1))
    for _ in range(50):
        if ("told", "a", 1) in infos:
            break
        await asyncio.sleep(0.01)
    assert ("told", "a", 1) in infos


# nesting, follow-ups ---------------------------------------------------------------------------


async def test_nested_components_render_and_take_events(client: LiveViewTestClient) -> None:
    view = await client.live("/nested")
    assert '<section id="outer-o">L<span id="inner-o-inner">0</span></section>' in view.html
    cid = view.cid_of("#inner-o-inner")
    assert cid is not None and cid != view.cid_of("#outer-o")
    response = await view.push("event", event("bump", cid=cid))
    assert response["diff"] == {"c": {str(cid): {"1": "1"}}}
    response = await view.push("event", event("label", {"label": "M"}))
    assert response["diff"] == {"c": {str(view.cid_of("#outer-o")): {"1": "M"}}}
    assert '<section id="outer-o">M<span id="inner-o-inner">1</span></section>' in view.html


async def test_a_component_changing_the_page_while_rendering_is_followed(
    client: LiveViewTestClient,
) -> None:
    view = await client.live("/flash")
    await view.wait_for(lambda html: "updated f" in html)


# lifetime --------------------------------------------------------------------------------------


async def test_removed_component_is_destroyed_after_the_clients_two_steps(
    client: LiveViewTestClient,
) -> None:
    view = await client.live("/")
    await view.push("event", event("set", {"tallies": ["b", "c"]}))
    assert "tally-a" not in view.html
    await view.click("inc", phx_target=1)  # not destroyed yet: it still takes events
    assert await view.push("cids_will_destroy", {"cids": [1]}) == {}
    assert await view.push("cids_destroyed", {"cids": [1]}) == {"cids": [1]}
    with pytest.raises(ReplyError, match="no component with cid 1"):
        await view.push("event", event("inc", cid=1))
    # added back: a new component (new cid, fresh state), whose tree shares old statics
    response = await view.push("event", event("set", {"tallies": ["a", "b", "c"]}))
    (cid,) = response["diff"]["c"]
    assert int(cid) > 3 and response["diff"]["c"][cid]["s"] in (-2, -3)
    assert "<b>A</b> <i>0</i>" in view.html


async def test_component_readded_before_destroyed_keeps_its_state(
    client: LiveViewTestClient,
) -> None:
    view = await client.live("/")
    await view.click("inc", phx_target=1)
    await view.push("event", event("set", {"tallies": ["b", "c"]}))
    assert await view.push("cids_will_destroy", {"cids": [1]}) == {}
    response = await view.push("event", event("set", {"tallies": ["a", "b", "c"]}))
    tree = response["diff"]["c"]["1"]
    assert tree["r"] == 1 and "s" in tree  # a complete tree: the client reset it
    assert await view.push("cids_destroyed", {"cids": [1]}) == {"cids": []}
    assert "<b>A</b> <i>1</i>" in view.html
    await view.click("inc", phx_target=1)
    assert "<b>A</b> <i>2</i>" in view.html


async def test_component_in_an_if_comes_and_goes(client: LiveViewTestClient) -> None:
    view = await client.live("/")
    await view.push("event", event("extra", {"on": True}))
    assert '<div id="tally-extra"><b>X</b>' in view.html
    await view.push("event", event("extra", {"on": False}))
    assert "tally-extra" not in view.html


# failures and bad input ------------------------------------------------------------------------


async def test_a_crash_in_a_component_fails_the_view_and_a_rejoin_remounts(
    client: LiveViewTestClient,
) -> None:
    view = await client.live("/")
    other = await client.live("/rows", socket=view.socket)
    await view.click("inc", phx_target=1)
    with pytest.raises(LiveViewCrashed, match="component exploded"):
        await view.push("event", event("boom", cid=1))
    await view.rejoin()
    assert "<b>A</b> <i>0</i>" in view.html
    await other.push("event", event("set", {"names": ["zed"]}))
    assert "Zed" in other.html


@pytest.mark.parametrize("cid", ["1", 999, -1, 1.5, True, [1], {"a": 1}], ids=lambda cid: repr(cid))
async def test_events_for_bad_or_unknown_cids_get_an_error_reply(
    client: LiveViewTestClient, cid: Any
) -> None:
    view = await client.live("/")
    with pytest.raises(ReplyError, match="no component"):
        await view.push("event", {"type": "click", "event": "inc", "value": {}, "cid": cid})
    await view.click("inc", phx_target=1)
    assert "<b>A</b> <i>1</i>" in view.html


@pytest.mark.parametrize(
    "payload",
    [{}, {"cids": None}, {"cids": "1"}, {"cids": [None, "x", 1.5, [2], {"c": 3}]}, {"cids": 5}],
    ids=repr,
)
async def test_junk_cids_messages_are_answered_and_change_nothing(
    client: LiveViewTestClient, payload: dict[str, Any]
) -> None:
    view = await client.live("/")
    assert await view.push("cids_will_destroy", payload) == {}
    assert await view.push("cids_destroyed", payload) == {"cids": []}
    assert await view.push("cids_destroyed", {"cids": [1, 2, 3]}) == {"cids": []}  # not marked
    await view.click("inc", phx_target=2)
    assert "<b>B</b> <i>1</i>" in view.html


async def test_duplicate_ids_fail_with_a_message_naming_both(client: LiveViewTestClient) -> None:
    with pytest.raises(DuplicateComponent) as error:
        await client.get("/twice")
    message = str(error.value)
    assert "two Tally components with id='same' in one render" in message
    assert "live_component(Tally, id='same', label='1') from LiveView Twice" in message
    assert "live_component(Tally, id='same', label='2') from LiveView Twice" in message


@pytest.mark.parametrize(
    ("kind", "words"),
    [
        ("two", "renders '<p>two</p>' after its root tag <p>"),
        ("none", "must render one HTML tag at its root"),
    ],
)
async def test_a_component_without_one_root_tag_is_a_clear_error(
    client: LiveViewTestClient, kind: str, words: str
) -> None:
    with pytest.raises(Exception, match="live component") as error:
        await client.get(f"/bad?kind={kind}")
    assert words in str(error.value)


async def test_a_cid_of_another_liveview_on_the_socket_is_not_this_ones(
    client: LiveViewTestClient,
) -> None:
    board = await client.live("/")
    rows = await client.live("/rows", socket=board.socket)  # cids 1 and 2 are its rows
    with pytest.raises(ReplyError, match="no component with cid 3"):
        await rows.push("event", event("inc", cid=3))
    await board.click("inc", phx_target=3)
    assert "<b>C</b> <i>1</i>" in board.html


async def test_a_crash_in_update_fails_the_view_like_any_callback(
    client: LiveViewTestClient,
) -> None:
    view = await client.live("/")
    await view.push("event", event("relabel", {"id": "b", "label": "explode"}))
    with pytest.raises(LiveViewCrashed, match="update exploded"):
        for _ in range(2):  # the page is told (liveview:error), then the error
            await view.receive_push()
    await view.rejoin()
    assert "<b>B</b> <i>0</i>" in view.html
