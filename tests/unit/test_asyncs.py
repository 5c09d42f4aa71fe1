"""Async work in-process, through liveview.testing: `assign_async`, `start_async`,
`handle_async` (on a LiveView and on a live component), `cancel_async`, tasks replaced under
one name, failures and results of the wrong shape, and tasks ending with their LiveView."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from liveview import (
    AsyncCancelled,
    AsyncResult,
    ComponentSocket,
    LiveComponent,
    LiveView,
    LiveViewApp,
    LiveViewSocket,
    SingleProcessPubSub,
    Template,
)
from liveview.testing import LiveViewCrashed, LiveViewTestClient

log: list[str] = []
"""What the tasks did: "<name> started", "<name> finished", "<name> cancelled"."""
gates: dict[str, asyncio.Event] = {}
results: list[tuple[Any, AsyncResult]] = []
"""What `handle_async` received."""


def gate(name: str) -> asyncio.Event:
    return gates.setdefault(name, asyncio.Event())


async def until(condition: Callable[[], bool], what: str, timeout: float = 10.0) -> None:
    """Wait for `condition` (a loaded machine may take a while; never a sleep as an assert)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"{what}: not within {timeout} s (log: {log})")
        await asyncio.sleep(0.01)


def gated(name: str, value: Any) -> Callable[[], Any]:
    """An async function that logs, waits for its gate, and returns `value` (or raises it)."""

    async def work() -> Any:
        log.append(f"{name} started")
        try:
            await gate(name).wait()
        except asyncio.CancelledError:
            log.append(f"{name} cancelled")
            raise
        log.append(f"{name} finished")
        if isinstance(value, BaseException):
            raise value
        return value

    return work


ORG = (
    '<div id="org">{% if org.ok %}<b>{{ org.result }}</b>{% endif %}'
    "{% if org.loading %}<i>loading…</i>{% endif %}"
    "{% if org.failed %}<em>failed: {{ org.failed }}</em>{% endif %}</div>"
    '<p id="note">{{ note }}</p>'
)


async def named(name: str, how: str) -> dict[str, str]:
    log.append(f"{how} in {threading.current_thread().name}")
    return {"org": name}


def named_blocking(name: str) -> dict[str, str]:
    log.append(f"sync in {threading.current_thread().name}")
    return {"org": name}


class OrgPage(LiveView):
    """`assign_async("org", ...)` in mount; `?mode=` picks what the function does."""

    template = ORG

    async def mount(self, socket: LiveViewSocket, session: dict[str, Any], params: Any) -> None:
        socket.assign(note="")
        mode = params.get("mode", "ok")
        fn: Callable[[], Any]
        if mode == "ok":
            fn = gated("org", {"org": "Acme"})
        elif mode == "raise":
            fn = gated("org", LookupError("no such org"))
        elif mode == "not-a-dict":
            fn = gated("org", ["Acme"])
        elif mode == "missing":
            fn = gated("org", {"organisation": "Acme"})
        elif mode == "extra":
            fn = gated("org", {"org": "Acme", "rank": 1})
        elif mode == "sync":

            def fn() -> dict[str, str]:
                log.append(f"sync in {threading.current_thread().name}")
                return {"org": "Blocking Inc"}

        elif mode == "args":
            socket.assign_async("org", named, "Args Co", "async")
            return
        elif mode == "sync-args":
            socket.assign_async("org", named_blocking, "Sync Args Co")
            return
        elif mode == "crash-in-mount":
            socket.assign_async("org", gated("org", {"org": "Acme"}))
            if socket.connected:
                await asyncio.sleep(0.05)  # the task starts
                raise RuntimeError("mount exploded after starting a task")
            return
        elif mode == "lambda":
            fn = lambda: gated("org", {"org": "Lambda Ltd"})()  # noqa: E731
        else:
            raise AssertionError(mode)
        socket.assign_async("org", fn)

    async def handle_event(self, event: str, payload: dict[str, Any], socket: Any) -> None:
        if event == "reload":
            socket.assign_async(
                "org", gated("reload", {"org": "Acme 2"}), reset=payload == {"x": 1}
            )
        elif event == "cancel-result":
            socket.cancel_async(socket.assigns.org, reason="user")
        elif event == "cancel-name":
            socket.cancel_async("org")
        elif event == "note":
            socket.assign(note=payload["text"])
        elif event == "away":
            socket.push_navigate("/two")
        elif event == "boom":
            raise RuntimeError("view exploded")


class TwoKeys(LiveView):
    template = "<p>{{ a.result }}-{{ b.result }}-{{ 'loading' if a.loading else 'done' }}</p>"

    async def mount(self, socket: LiveViewSocket, session: dict[str, Any], params: Any) -> None:
        socket.assign_async(["a", "b"], gated("ab", {"a": 1, "b": 2}))


class Fetcher(LiveView):
    """`start_async` from events; `handle_async` records what it gets and shows it."""

    template = '<p id="got">{{ got }}</p>'

    async def mount(self, socket: LiveViewSocket, session: dict[str, Any], params: Any) -> None:
        socket.assign(got="nothing")

    async def handle_event(self, event: str, payload: dict[str, Any], socket: Any) -> None:
        if event == "fetch":
            socket.start_async("fetch", gated(payload["gate"], payload.get("value", "data")))
        elif event == "fail":
            socket.start_async("fetch", gated(payload["gate"], ValueError("bad fetch")))
        elif event == "cancel":
            socket.cancel_async("fetch", reason=payload.get("reason"))
        elif event == "wait-then-cancel":
            log.append("holding")
            await gate(payload["hold"]).wait()
            socket.cancel_async("fetch", reason="late")
        elif event == "tuple-name":
            socket.start_async(("row", 7), gated("row", 7))
        elif event == "blocking":
            socket.start_async("fetch", blocking_wait)
        elif event == "with-args":
            socket.start_async("sum", add, 2, 3)

    async def handle_async(self, name: Any, result: AsyncResult, socket: Any) -> None:
        results.append((name, result))
        if result.ok:
            socket.assign(got=f"ok {result.result}")
        else:
            socket.assign(got=f"failed {type(result.failed).__name__}: {result.failed}")


released = threading.Event()


def blocking_wait() -> str:
    """A plain function (run in a worker thread) that blocks until `released`."""
    log.append("blocking started")
    released.wait(30)
    log.append("blocking finished")
    return "from the thread"


async def add(a: int, b: int) -> int:
    return a + b


class NoHandler(LiveView):
    template = "<p>{{ x }}</p>"

    async def mount(self, socket: LiveViewSocket, session: dict[str, Any], params: Any) -> None:
        socket.assign(x=1)
        socket.start_async("orphan", gated("orphan", 1))


class Loader(LiveComponent):
    """A component with an `assign_async` from its mount and a `start_async` from an event."""

    template = (
        '<div id="loader-{{ id }}">{% if rows.ok %}{{ rows.result }}{% else %}…{% endif %}'
        '<span class="got">{{ got }}</span></div>'
    )

    async def mount(self, socket: ComponentSocket) -> None:
        socket.assign(got="")
        socket.assign_async("rows", gated("rows", {"rows": "3 rows"}))

    async def handle_event(self, event: str, payload: dict[str, Any], socket: Any) -> None:
        if event == "count":
            socket.start_async("count", gated("count", 42))
        elif event == "cancel":
            socket.cancel_async("count", reason="enough")

    async def handle_async(self, name: Any, result: AsyncResult, socket: Any) -> None:
        results.append((name, result))
        socket.assign(got=f"{name}={result.result if result.ok else result.failed}")


class Host(LiveView):
    template = "{% if shown %}{{ live_component(Loader, id='l1') }}{% endif %}<p>{{ shown }}</p>"

    async def mount(self, socket: LiveViewSocket, session: dict[str, Any], params: Any) -> None:
        socket.assign(shown=True)

    async def handle_event(self, event: str, payload: dict[str, Any], socket: Any) -> None:
        socket.assign(shown=False)


class Busy(LiveView):
    """Subscribed to "busy"; its `hold` handler waits for a gate while infos pile up."""

    template = "{% if org.ok %}<b>{{ org.result }}</b>{% endif %}<p>{{ infos }} {{ gap }}</p>"

    async def mount(self, socket: LiveViewSocket, session: dict[str, Any], params: Any) -> None:
        socket.assign(infos=0, gap="")
        await socket.subscribe("busy")
        socket.assign_async("org", gated("org", {"org": "Acme"}))

    async def handle_event(self, event: str, payload: dict[str, Any], socket: Any) -> None:
        log.append("holding")
        await gate("hold").wait()

    async def handle_info(self, info: Any, socket: Any) -> None:
        socket.assign(infos=socket.assigns.infos + 1)

    async def handle_gap(self, topic: str | None, socket: Any) -> None:
        socket.assign(gap="gap")


class Switching(LiveView):
    """Renders one of two templates (each with the `Loader`): a switch renders a complete
    tree, where every live component starts over."""

    first = Template("<section>{{ live_component(Loader, id='l1') }}</section>")
    second = Template("<article>{{ live_component(Loader, id='l1') }}</article>")

    async def mount(self, socket: LiveViewSocket, session: dict[str, Any], params: Any) -> None:
        socket.assign(alt=False)

    def render(self, assigns: Any) -> Template:
        return self.second if assigns.alt else self.first

    async def handle_event(self, event: str, payload: dict[str, Any], socket: Any) -> None:
        socket.assign(alt=not socket.assigns.alt)


class Two(LiveView):
    template = "<p>page two</p>"


def make_app() -> LiveViewApp:
    return LiveViewApp(
        routes={
            "/": OrgPage,
            "/two": Two,
            "/keys": TwoKeys,
            "/fetch": Fetcher,
            "/orphan": NoHandler,
            "/host": Host,
            "/busy": Busy,
            "/switching": Switching,
        },
        pubsub=SingleProcessPubSub(),
        secret="s",
    )


@pytest.fixture
async def client() -> AsyncIterator[LiveViewTestClient]:
    log.clear()
    gates.clear()
    results.clear()
    released.clear()
    async with LiveViewTestClient(make_app()) as client:
        yield client
    for event in gates.values():
        event.set()
    released.set()


def click(name: str, value: dict[str, Any] | None = None, cid: int | None = None) -> dict[str, Any]:
    payload: dict[str, Any] = {"type": "click", "event": name, "value": value or {}}
    if cid is not None:
        payload["cid"] = cid
    return payload


# AsyncResult --------------------------------------------------------------------------------


def test_async_result_follows_phoenix() -> None:
    loading = AsyncResult.pending(("org",))
    assert (loading.ok, loading.loading, loading.failed, loading.result) == (
        False,
        ("org",),
        None,
        None,
    )
    done = loading.resolve("Acme")
    assert done == AsyncResult(ok=True, result="Acme")
    again = done.reload(("org",))
    assert again.ok and again.result == "Acme" and again.loading == ("org",)
    error = KeyError("x")
    failed = again.fail(error)
    assert failed.failed is error and failed.loading is None
    assert failed.ok and failed.result == "Acme"  # the value from before stays, as Phoenix
    assert failed.reload().failed is None  # loading again forgets the failure
    assert AsyncResult.of(5) == AsyncResult(ok=True, result=5)
    with pytest.raises(AttributeError):
        done.ok = False  # type: ignore[misc]


# assign_async -------------------------------------------------------------------------------


async def test_dead_render_shows_loading_and_starts_nothing(client: LiveViewTestClient) -> None:
    page = (await client.get("/")).text
    assert "<i>loading…</i>" in page and "<b>" not in page
    await asyncio.sleep(0.05)  # a task, had one been started, would have logged by now
    assert log == []


async def test_loading_at_join_then_the_result(client: LiveViewTestClient) -> None:
    view = await client.live("/")
    assert '<div id="org"><i>loading…</i></div>' in view.html
    await until(lambda: log == ["org started"], "the task started in the connected mount")
    gate("org").set()
    html = await view.wait_for(lambda html: "<b>Acme</b>" in html)
    assert '<div id="org"><b>Acme</b></div>' in html
    assert log == ["org started", "org finished"]


async def test_events_are_answered_while_the_task_runs(client: LiveViewTestClient) -> None:
    view = await client.live("/")
    await view.click("note", {"text": "still here"})
    assert '<p id="note">still here</p>' in view.html and "loading…" in view.html


async def test_a_raising_function_shows_failed_and_the_view_carries_on(
    client: LiveViewTestClient,
) -> None:
    view = await client.live("/?mode=raise")
    gate("org").set()
    html = await view.wait_for(lambda html: "<em>" in html)
    assert "<em>failed: no such org</em>" in html and "loading" not in html
    await view.click("note", {"text": "alive"})
    assert '<p id="note">alive</p>' in view.html


@pytest.mark.parametrize(
    ("mode", "message"),
    [
        ("not-a-dict", "assign_async(&#39;org&#39;) expected its function to return a dict"),
        ("missing", "exactly the keys [&#39;org&#39;]: missing [&#39;org&#39;]; not asked for"),
        ("extra", "exactly the keys [&#39;org&#39;]: not asked for [&#39;rank&#39;]"),
    ],
)
async def test_a_result_of_the_wrong_shape_fails_with_a_clear_error(
    client: LiveViewTestClient, mode: str, message: str
) -> None:
    view = await client.live(f"/?mode={mode}")
    gate("org").set()
    html = await view.wait_for(lambda html: "<em>" in html)
    assert message in html, html
    assert "<b>" not in html  # nothing of the wrong result is assigned


async def test_a_plain_function_runs_in_a_thread(client: LiveViewTestClient) -> None:
    view = await client.live("/?mode=sync")
    await view.wait_for(lambda html: "<b>Blocking Inc</b>" in html)
    assert len(log) == 1 and log[0].startswith("sync in ")
    assert log[0] != f"sync in {threading.main_thread().name}"


async def test_arguments_go_to_the_function(client: LiveViewTestClient) -> None:
    view = await client.live("/?mode=args")
    await view.wait_for(lambda html: "<b>Args Co</b>" in html)
    assert log == [f"async in {threading.main_thread().name}"]  # awaited: no thread
    view = await client.live("/?mode=sync-args")
    await view.wait_for(lambda html: "<b>Sync Args Co</b>" in html)
    assert log[1].startswith("sync in ") and log[1] != log[0]


async def test_a_lambda_returning_a_coroutine_is_awaited(client: LiveViewTestClient) -> None:
    view = await client.live("/?mode=lambda")
    gate("org").set()
    await view.wait_for(lambda html: "<b>Lambda Ltd</b>" in html)


async def test_several_keys_from_one_function(client: LiveViewTestClient) -> None:
    view = await client.live("/keys")
    assert "<p>--loading</p>" in view.html  # None prints as nothing
    gate("ab").set()
    await view.wait_for(lambda html: "<p>1-2-done</p>" in html)


async def test_a_reload_keeps_the_result_until_the_new_one(client: LiveViewTestClient) -> None:
    view = await client.live("/")
    gate("org").set()
    await view.wait_for(lambda html: "<b>Acme</b>" in html)
    await view.click("reload")
    assert '<div id="org"><b>Acme</b><i>loading…</i></div>' in view.html
    gate("reload").set()
    await view.wait_for(lambda html: '<div id="org"><b>Acme 2</b></div>' in html)


async def test_a_reload_with_reset_forgets_the_result(client: LiveViewTestClient) -> None:
    view = await client.live("/")
    gate("org").set()
    await view.wait_for(lambda html: "<b>Acme</b>" in html)
    await view.click("reload", {"x": 1})
    assert '<div id="org"><i>loading…</i></div>' in view.html


async def test_a_second_assign_async_of_the_same_key_replaces_the_first(
    client: LiveViewTestClient,
) -> None:
    view = await client.live("/")
    await until(lambda: "org started" in log, "the first task started")
    await view.click("reload")
    await until(lambda: "org cancelled" in log, "the first task cancelled")
    gate("org").set()
    gate("reload").set()
    await view.wait_for(lambda html: "<b>Acme 2</b>" in html)
    assert "org finished" not in log


async def test_cancel_async_of_the_result_fails_it_at_once(client: LiveViewTestClient) -> None:
    view = await client.live("/")
    await until(lambda: "org started" in log, "the task started")
    await view.click("cancel-result")
    assert "<em>failed: cancelled: user</em>" in view.html and "loading" not in view.html
    await until(lambda: "org cancelled" in log, "the task cancelled")
    gate("org").set()
    await view.click("note", {"text": "later"})
    assert "<b>" not in view.html and "org finished" not in log


async def test_cancel_async_by_the_assign_name(client: LiveViewTestClient) -> None:
    view = await client.live("/")
    await until(lambda: "org started" in log, "the task started")
    await view.click("cancel-name")
    assert "<em>failed: cancelled</em>" in view.html
    await until(lambda: "org cancelled" in log, "the task cancelled")


# start_async / handle_async -----------------------------------------------------------------


async def test_start_async_hands_the_result_to_handle_async(client: LiveViewTestClient) -> None:
    view = await client.live("/fetch")
    await view.click("fetch", {"gate": "g1", "value": "rows"})
    gate("g1").set()
    await view.wait_for(lambda html: '<p id="got">ok rows</p>' in html)
    assert results == [("fetch", AsyncResult(ok=True, result="rows"))]


async def test_a_raising_task_reaches_handle_async_as_failed(client: LiveViewTestClient) -> None:
    view = await client.live("/fetch")
    await view.click("fail", {"gate": "g1"})
    gate("g1").set()
    await view.wait_for(lambda html: "failed ValueError: bad fetch" in html)
    [(name, result)] = results
    assert name == "fetch" and not result.ok and isinstance(result.failed, ValueError)


async def test_any_hashable_names_a_task(client: LiveViewTestClient) -> None:
    view = await client.live("/fetch")
    await view.click("tuple-name")
    gate("row").set()
    await view.wait_for(lambda html: "ok 7" in html)
    assert results[0][0] == ("row", 7)


async def test_start_async_passes_arguments(client: LiveViewTestClient) -> None:
    view = await client.live("/fetch")
    await view.click("with-args")
    await view.wait_for(lambda html: "ok 5" in html)
    assert results == [("sum", AsyncResult(ok=True, result=5))]


async def test_cancel_async_stops_the_task_and_tells_handle_async(
    client: LiveViewTestClient,
) -> None:
    view = await client.live("/fetch")
    await view.click("fetch", {"gate": "g1"})
    await until(lambda: "g1 started" in log, "the task started")
    await view.click("cancel", {"reason": "too slow"})
    await view.wait_for(lambda html: "failed AsyncCancelled: cancelled: too slow" in html)
    await until(lambda: "g1 cancelled" in log, "the task cancelled")
    [(_, result)] = results
    assert isinstance(result.failed, AsyncCancelled) and result.failed.reason == "too slow"
    gate("g1").set()
    await view.click("cancel")  # nothing runs now: nothing happens
    assert len(results) == 1 and "g1 finished" not in log


async def test_cancelling_a_function_in_a_thread_drops_its_result(
    client: LiveViewTestClient,
) -> None:
    view = await client.live("/fetch")
    await view.click("blocking")
    await until(lambda: "blocking started" in log, "the thread started")
    await view.click("cancel", {"reason": "bored"})
    await view.wait_for(lambda html: "AsyncCancelled: cancelled: bored" in html)
    released.set()  # the thread runs to its end (Python cannot stop it)...
    await until(lambda: "blocking finished" in log, "the thread finished")
    await view.click("cancel")  # a round trip: its result would have come by now
    assert [type(result.failed) for _, result in results] == [AsyncCancelled]  # ...unheard
    assert "from the thread" not in view.html


async def test_a_second_start_with_the_same_name_cancels_the_first(
    client: LiveViewTestClient,
) -> None:
    view = await client.live("/fetch")
    await view.click("fetch", {"gate": "first", "value": "one"})
    await until(lambda: "first started" in log, "the first task started")
    await view.click("fetch", {"gate": "second", "value": "two"})
    await until(lambda: "first cancelled" in log, "the first task cancelled")
    gate("first").set()
    gate("second").set()
    await view.wait_for(lambda html: "ok two" in html)
    await view.click("cancel")  # a round trip: anything else waiting would have come by now
    assert results == [("fetch", AsyncResult(ok=True, result="two"))]


async def test_a_result_that_came_before_cancel_async_is_ignored(
    client: LiveViewTestClient,
) -> None:
    view = await client.live("/fetch")
    await view.click("fetch", {"gate": "g1"})
    # the LiveView is busy in a handler when the task ends: its outcome waits in the mailbox
    # while that handler cancels the task; the cancel wins
    holding = asyncio.create_task(view.click("wait-then-cancel", {"hold": "h"}))
    await until(lambda: "holding" in log, "the handler waits")
    gate("g1").set()
    await until(lambda: "g1 finished" in log, "the task finished")
    gate("h").set()
    await holding
    await view.wait_for(lambda html: "AsyncCancelled: cancelled: late" in html)
    await view.click("cancel")
    assert [type(result.failed) for _, result in results] == [AsyncCancelled]


async def test_start_async_without_handle_async_fails_the_view_clearly(
    client: LiveViewTestClient,
) -> None:
    view = await client.live("/orphan")
    gate("orphan").set()
    with pytest.raises(LiveViewCrashed) as info:
        await view.wait_for(lambda html: False)
    assert "NoHandler started a task with start_async('orphan') but has no handle_async" in str(
        info.value
    )


# live components ----------------------------------------------------------------------------


async def test_a_component_assign_async_and_handle_async(client: LiveViewTestClient) -> None:
    view = await client.live("/host")
    assert '<div id="loader-l1">…<span class="got"></span></div>' in view.html
    gate("rows").set()
    await view.wait_for(lambda html: '<div id="loader-l1">3 rows' in html)
    cid = view.cid_of("loader-l1")
    assert cid is not None
    await view.push("event", click("count", cid=cid))
    gate("count").set()
    await view.wait_for(lambda html: '<span class="got">count=42</span>' in html)
    assert results == [("count", AsyncResult(ok=True, result=42))]


async def test_a_component_starts_nothing_in_the_dead_render(
    client: LiveViewTestClient,
) -> None:
    page = (await client.get("/host")).text
    assert '<div id="loader-l1">…<span class="got"></span></div>' in page
    await asyncio.sleep(0.05)  # a task, had one been started, would have logged by now
    assert log == []


async def test_a_component_cancel_async(client: LiveViewTestClient) -> None:
    view = await client.live("/host")
    cid = view.cid_of("loader-l1")
    assert cid is not None
    await view.push("event", click("count", cid=cid))
    await until(lambda: "count started" in log, "the component's task started")
    await view.push("event", click("cancel", cid=cid))
    await view.wait_for(lambda html: "count=cancelled: enough" in html)
    await until(lambda: "count cancelled" in log, "the component's task cancelled")


async def test_a_component_leaving_the_page_cancels_its_tasks(
    client: LiveViewTestClient,
) -> None:
    view = await client.live("/host")
    cid = view.cid_of("loader-l1")
    assert cid is not None
    await until(lambda: "rows started" in log, "the component's task started")
    await view.click("hide")
    await view.push("cids_will_destroy", {"cids": [cid]})
    await view.push("cids_destroyed", {"cids": [cid]})
    await until(lambda: "rows cancelled" in log, "the component's task cancelled")


async def test_components_starting_over_cancel_their_tasks(client: LiveViewTestClient) -> None:
    view = await client.live("/switching")
    await until(lambda: "rows started" in log, "the component's task started")
    await view.click("switch")  # another template: a complete tree, components anew
    await until(lambda: "rows cancelled" in log, "the old component's task cancelled")
    await until(lambda: log.count("rows started") == 2, "the new component's task started")
    gate("rows").set()
    await view.wait_for(lambda html: "<article><div" in html and "3 rows" in html)


# nothing outlives its view ------------------------------------------------------------------


async def test_leaving_cancels_the_tasks(client: LiveViewTestClient) -> None:
    view = await client.live("/")
    await until(lambda: "org started" in log, "the task started")
    await view.leave()
    await until(lambda: "org cancelled" in log, "the task cancelled")


async def test_navigating_away_cancels_the_tasks(client: LiveViewTestClient) -> None:
    view = await client.live("/")
    await until(lambda: "org started" in log, "the task started")
    response = await view.push("event", click("away"))
    assert response == {"live_redirect": {"to": "/two", "kind": "push"}}
    await until(lambda: "org cancelled" in log, "the task cancelled")


async def test_a_crash_cancels_the_tasks(client: LiveViewTestClient) -> None:
    view = await client.live("/")
    await until(lambda: "org started" in log, "the task started")
    with pytest.raises(LiveViewCrashed):
        await view.click("boom")
    await until(lambda: "org cancelled" in log, "the task cancelled")


async def test_a_crash_in_mount_cancels_what_it_started(client: LiveViewTestClient) -> None:
    with pytest.raises(LiveViewCrashed):
        await client.live("/?mode=crash-in-mount")
    await until(lambda: "org cancelled" in log, "the task cancelled")


async def test_closing_the_websocket_cancels_the_tasks(client: LiveViewTestClient) -> None:
    view = await client.live("/")
    await view.click("reload")  # a second task, of another name
    await until(lambda: {"org started", "reload started"} <= set(log), "the tasks started")
    await view.socket.close()
    await until(lambda: {"org cancelled", "reload cancelled"} <= set(log), "both tasks cancelled")


async def test_an_outcome_is_never_shed_with_the_infos_of_a_full_mailbox(
    client: LiveViewTestClient,
) -> None:
    client.app.channel_config.mailbox_size = 5  # type: ignore[attr-defined]
    view = await client.live("/busy")
    holding = asyncio.create_task(view.click("hold"))
    await until(lambda: "holding" in log, "the handler waits")
    gate("org").set()
    await until(lambda: "org finished" in log, "the task finished")
    for n in range(20):  # the mailbox holds 5: the infos are shed for a notice
        await client.app.pubsub.publish("busy", {"n": n})  # type: ignore[attr-defined]
    gate("hold").set()
    await holding
    html = await view.wait_for(lambda html: "gap" in html)
    assert "<b>Acme</b>" in html  # the task's outcome survived the shedding


# bad input ----------------------------------------------------------------------------------


def test_bad_arguments_are_refused_at_once() -> None:
    socket = LiveViewSocket(view_id="v", pubsub=SingleProcessPubSub(), connected=False)
    with pytest.raises(TypeError, match=r"takes a function \(and its arguments\), got 'x'"):
        socket.assign_async("org", "x")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="takes an assign name or names, got"):
        socket.assign_async([], gated("x", {}))
    with pytest.raises(TypeError, match="takes an assign name or names, got"):
        socket.assign_async(["a", 1], gated("x", {}))  # type: ignore[list-item]
    with pytest.raises(TypeError, match="unhashable"):
        socket.start_async(["a"], gated("x", 1))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="takes a function"):
        socket.start_async("a", None)  # type: ignore[arg-type]
    assert "org" not in socket.assigns  # a refused call assigns nothing


def test_handle_async_must_be_async() -> None:
    with pytest.raises(TypeError, match=r"handle_async must be `async def`"):

        class Bad(LiveView):
            template = "x"

            def handle_async(self, name: Any, result: Any, socket: Any) -> None:  # type: ignore[override]
                pass

    with pytest.raises(TypeError, match=r"handle_async must be `async def`"):

        class BadComponent(LiveComponent):
            template = "<p>x</p>"

            def handle_async(self, name: Any, result: Any, socket: Any) -> None:  # type: ignore[override]
                pass
