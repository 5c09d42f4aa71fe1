"""One live component case: the real server, the official client, and Jinja, step by step.

The case runs against the real app (``component_app``: dead render, join, events, the
``cids_will_destroy`` / ``cids_destroyed`` exchange), and every message the server sends goes,
as JSON, to a client view in the harness (``ClientSession``: the official client's
``Rendered``) and to the test client's model (``liveview.testing.tree``). After each one:

- the client's HTML equals Jinja's rendering of the page with each component inline
  (``component_oracle``), the client's ``data-phx-*`` attributes included, exactly where it
  writes them; the model renders the same without them; the dead render equals it too;
- the cids the client shows are the server's: a component keeps its cid while the server has
  it, a new one gets a cid never seen before;
- wire facts (``component_wire``): a component's slot holds an integer cid; nothing is re-sent
  that the client holds; a component is sent only if its assigns changed, and whole (with
  statics) only if the client does not hold it or told the server it would destroy it.

The client's side of a component's lifetime is simulated as ``view.ts`` does it: after a diff,
the components that left its HTML get ``resetRender`` and a ``cids_will_destroy``; once that is
answered, those still gone get a ``cids_destroyed``, whose answer (the cids the server deleted:
exactly those still marked) the client prunes (``pruneCIDs``). Each action says how many actions
later those two messages reach the server, so components come back before, between and after.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from liveview.template.wire import COMPONENTS, STATIC
from liveview.testing import DiffRejected, LiveViewCrashed, ReplyError
from liveview.testing.tree import extract, merge_diff, to_html
from tests.conformance.client import ClientError, ClientHarness, ClientSession, encode
from tests.conformance.component_app import ComponentServer, RecordingView
from tests.conformance.component_oracle import Key, PageModel, Rendering
from tests.conformance.component_strategies import NAMES, Action, ComponentCase
from tests.conformance.component_wire import bad_slot_values, resent

STATS: Counter[str] = Counter()
"""What the component cases exercised, for the terminal summary."""

Tamper = Callable[[dict[str, Any], int], dict[str, Any]]
"""Changes a server message before the client gets it (a wrong server, for the checker's own
tests): the decoded message and its number (0: the join tree)."""

_CID_ATTRIBUTE = re.compile(r' data-phx-component="(\d+)"')


@dataclass
class _ClientMessage:
    """A ``cids_will_destroy`` or ``cids_destroyed`` on its way: it reaches the server before
    action ``due``."""

    due: int
    event: str
    cids: list[int]
    later: int  # for cids_will_destroy: actions until the client's cids_destroyed arrives


class CaseFailed(AssertionError):
    """The server, the client or the model disagreed; the message reproduces the case."""


def check_component_case(
    harness: ClientHarness,
    server: ComponentServer,
    case: ComponentCase,
    tamper: Tamper | None = None,
) -> Counter[str]:
    """Run ``case`` and check every message (see the module docstring); returns what the case
    exercised (the counts ``STATS`` sums)."""
    run = _CaseRun(harness, server, case, tamper)
    server.runner.run(run.run())
    return run.stats


class _CaseRun:
    def __init__(
        self,
        harness: ClientHarness,
        server: ComponentServer,
        case: ComponentCase,
        tamper: Tamper | None,
    ) -> None:
        self.harness = harness
        self.server = server
        self.case = case
        self.tamper = tamper
        self.model = PageModel(case)
        self.session: ClientSession | None = None
        self.view: RecordingView | None = None
        self.tree: dict[str, Any] | None = None  # the test client's model of the client
        self.rendering = Rendering((), "")
        self.cids: dict[Key, int] = {}  # components the server has, by the client's cids
        self.keys: dict[int, Key] = {}
        self.seen: dict[Key, None] = {}  # every component shown so far, in order
        self.top_cid = 0
        self.dom: set[int] = set()  # the cids in the client's HTML now
        self.marked: set[Key] = set()  # those the server has marked (cids_will_destroy)
        self.snapshot: dict[Key, dict[str, Any]] = {}
        self.pending: list[_ClientMessage] = []
        self.clock = 0
        self.log: list[str] = []
        self.html = ""
        self.stats: Counter[str] = Counter()

    # the case ---------------------------------------------------------------------------------

    async def run(self) -> None:
        try:
            dead, self.view = await self.server.open(self.case)
            self.session = self.harness.session()
            self._count("cases")
            for message in self.view.take():
                self._receive(message, "join")
            if dead != self.rendering.plain():
                self._fail("the dead render differs from Jinja's", self.rendering.plain(), dead)
            for clock, action in enumerate(self.case.actions):
                self.clock = clock
                await self._deliver(clock)
                await self._perform(action)
                self.snapshot = self.model.snapshot()
            self.clock = len(self.case.actions)
            await self._deliver(None)
            await self.view.leave()
        except (LiveViewCrashed, ReplyError) as error:
            self._fail(f"the server failed: {error!r} (its exception is chained below)")
        finally:
            if self.session is not None:
                self.session.end()

    async def _perform(self, action: Action) -> None:
        on_page = list(self.rendering.order)
        if action.kind == "step":
            self.model.page_assigns = self.case.steps[action.target]
            await self._event(None, "step", {"i": action.target}, action)
            return
        if action.kind in ("inc", "note"):
            if not on_page:
                return
            key = on_page[action.target % len(on_page)]
            self.model.event(key, action.kind, action.text)
            self._count(f"event {action.kind}")
            await self._event(self.cids[key], action.kind, {"v": action.text}, action)
            return
        # send_update, to a component on the page, deleted, or off the page but held by the
        # client (one that calls no other: see README, "Live components")
        leaves = NAMES[len(self.case.components) - 1]
        targets = [
            key
            for key in self.seen
            if key in on_page or key not in self.model.assigns or key[0] == leaves
        ]
        if not targets or (action.kind == "cpoke" and not on_page):
            return
        key = targets[action.other % len(targets)]
        payload = {"cls": key[0], "id": key[1], "v": action.text}
        where = "on the page" if key in on_page else "gone" if key not in self.cids else "off"
        self._count(f"send_update to a component {where}")
        if action.kind == "poke":
            await self._event(None, "poke", payload, action)
        else:
            source = on_page[action.target % len(on_page)]
            await self._event(self.cids[source], "poke", payload, action)
        self.model.send_update(key, action.text)
        await self._request("cids_will_destroy", {"cids": []})  # the update's push comes first
        self._receive_all(action)

    async def _event(
        self, cid: int | None, event: str, value: dict[str, Any], action: Action
    ) -> None:
        payload: dict[str, Any] = {"type": "click", "event": event, "value": value}
        if cid is not None:
            payload["cid"] = cid
        await self._request("event", payload)
        self._receive_all(action)

    async def _request(self, event: str, payload: dict[str, Any]) -> dict[str, Any]:
        assert self.view is not None
        self.log.append(f"  -> {event} {orjson.dumps(payload).decode()}")
        response: dict[str, Any] = await self.view.push(event, payload)
        return response

    def _receive_all(self, action: Action) -> None:
        assert self.view is not None
        for message in self.view.take():
            self._receive(message, action.kind, action.later)

    # the client's side of component lifetimes ------------------------------------------------

    async def _deliver(self, until: int | None) -> None:
        """The client messages due before action ``until`` (None: all) reach the server."""
        while True:
            ready = [m for m in self.pending if until is None or m.due <= until]
            if not ready:
                return
            message = min(ready, key=lambda m: m.due)
            self.pending.remove(message)
            if message.event == "cids_will_destroy":
                await self._will_destroy(message)
            else:
                await self._destroyed(message)
            assert self.view is not None
            if self.view.received:
                self._fail(f"a diff came with the reply to {message.event}")

    async def _will_destroy(self, message: _ClientMessage) -> None:
        await self._request("cids_will_destroy", {"cids": message.cids})
        for cid in message.cids:
            key = self.keys.get(cid)
            if key is not None:
                self.marked.add(key)
        still = [cid for cid in message.cids if cid not in self.dom]
        self._count("cids_will_destroy")
        if len(still) < len(message.cids):
            self._count("components back before cids_destroyed")
        if still:
            due = self.clock + message.later
            self.pending.append(_ClientMessage(due, "cids_destroyed", still, 0))

    async def _destroyed(self, message: _ClientMessage) -> None:
        response = await self._request("cids_destroyed", {"cids": message.cids})
        deleted: list[int] = response.get("cids", [])
        expected = [cid for cid in message.cids if self.keys.get(cid) in self.marked]
        if sorted(deleted) != sorted(expected):
            self._fail(
                "cids_destroyed deleted other components than those still marked",
                str(expected),
                str(deleted),
            )
        assert self.session is not None and self.tree is not None
        self.log.append(f"  <- deleted {deleted}; client: pruneCIDs")
        self.session.prune(deleted)
        held = self.tree.get(COMPONENTS, {})
        for cid in deleted:
            held.pop(str(cid), None)
            key = self.keys.pop(cid)
            del self.cids[key]
            self.marked.discard(key)
            self.model.delete(key)
        self._count("components deleted and pruned", len(deleted))
        kept = len(message.cids) - len(deleted)
        self._count("cids_destroyed for components not deleted (revived, or gone)", kept)

    # each message -----------------------------------------------------------------------------

    def _receive(self, sent: dict[str, Any], label: str, later: tuple[int, int] = (0, 0)) -> None:
        assert self.session is not None
        number = len([line for line in self.log if line.startswith("  <-")])
        message: dict[str, Any] = orjson.loads(encode(sent))  # as on the wire
        if self.tamper is not None:
            message = self.tamper(message, number)
        wire = encode(message)
        self.log.append(f"  <- {label}: {wire.decode()}")
        first = self.tree is None
        try:
            html = self.session.join(wire) if first else self.session.diff(wire)
        except ClientError as error:
            self._fail(f"the client threw: {error.message}", None, "(none)")
        self._count("messages")
        rest, _ = extract(message)
        self._check_wire(rest)
        try:
            tree = merge_diff(self.tree, rest)
        except DiffRejected as error:
            self._fail(f"the client model rejected it: {error}", None, html)
        rendering = self._cids(self.model.render(self.cids), html)
        expected = rendering.html(self.cids)
        if html != expected:
            self._fail("the client's HTML differs from Jinja's", expected, html)
        if to_html(tree) != rendering.plain():
            self._fail("the client model renders otherwise", rendering.plain(), to_html(tree))
        self._check_components(rest)
        self.tree, self.rendering, self.html = tree, rendering, html
        self._track_dom(later)
        self.snapshot = self.model.snapshot()

    def _cids(self, rendering: Rendering, html: str) -> Rendering:
        """Map the components of ``rendering`` to the cids the client shows (in document order)
        and check them: known ones keep theirs, new ones get new ones. Returns the rendering
        with every ``myself`` right."""
        shown = [int(cid) for cid in _CID_ATTRIBUTE.findall(html)]
        if len(shown) != len(rendering.order):
            self._fail(
                "the client shows another number of components",
                rendering.html(dict.fromkeys(rendering.order, 0)),
                html,
            )
        new: dict[Key, int] = {}
        for key, cid in zip(rendering.order, shown, strict=True):
            if key in self.cids:
                if self.cids[key] != cid:
                    self._fail(f"{key} changed its cid from {self.cids[key]}", None, html)
            elif cid <= self.top_cid or cid in new.values() or cid in self.keys:
                self._fail(f"{key}, new, got cid {cid}, not a new one", None, html)
            else:
                new[key] = cid
        if not new:
            return rendering
        for key, cid in new.items():
            if any(k[0] == key[0] for k in self.seen) and all(k[0] != key[0] for k in self.cids):
                self._count("components new after all of their class were deleted")
            self.cids[key], self.keys[cid] = cid, key
            self.seen[key] = None
        self.top_cid = max(self.top_cid, *new.values())
        return self.model.render(self.cids)  # again, with their `myself`

    def _check_wire(self, message: Mapping[str, Any]) -> None:
        bad = list(bad_slot_values(message))
        if bad:
            self._fail(f"slot values that are not a string, a node or an integer cid: {bad}")
        if self.tree is None:
            return
        page = {key: value for key, value in message.items() if key != COMPONENTS}
        again = list(resent(self.tree, page))
        held = self.tree.get(COMPONENTS, {})
        for cid, component in (message.get(COMPONENTS) or {}).items():
            if cid in held:
                again += resent(held[cid], component, (COMPONENTS, cid))
        if again:
            self._fail(f"the diff re-sends what the client holds, at {again}")

    def _check_components(self, message: Mapping[str, Any]) -> None:
        """Each component sent: one the server has, changed, whole only when it must be."""
        held = (self.tree or {}).get(COMPONENTS, {})
        for cid_text, component in (message.get(COMPONENTS) or {}).items():
            key = self.keys.get(int(cid_text))
            if key is None:
                self._fail(f"component {cid_text} sent, which the page does not show")
            whole = STATIC in component
            if isinstance(component.get(STATIC), int):
                self._count("shared statics " + ("in-diff" if component[STATIC] > 0 else "held"))
            if cid_text not in held:
                self._count("components sent whole, new")
                continue
            if whole:
                if key not in self.marked:
                    self._fail(f"component {cid_text} sent whole, but the client holds it")
                self.marked.discard(key)  # the server revived it
                self._count("components sent whole, revived")
                continue
            before, now = self.snapshot.get(key), self.model.assigns.get(key)
            if before is not None and now is not None and not _changed(before, now):
                self._fail(f"component {cid_text} sent, but its assigns did not change")
            self._count("component diffs")

    def _track_dom(self, later: tuple[int, int]) -> None:
        """The components that came and went in the client's HTML: those that left get
        ``resetRender`` now and a ``cids_will_destroy`` ``later[0]`` actions later."""
        assert self.session is not None
        shown = {int(cid) for cid in _CID_ATTRIBUTE.findall(self.html)}
        for cid in shown - self.dom:
            self.marked.discard(self.keys[cid])  # shown again: a render called it
        removed = sorted(self.dom - shown)
        self.dom = shown
        if removed:
            self.session.reset(removed)
            due = self.clock + 1 + later[0]
            self.pending.append(_ClientMessage(due, "cids_will_destroy", removed, later[1]))
            self.log.append(f"  client: resetRender {removed}; cids_will_destroy before {due}")

    def _count(self, what: str, count: int = 1) -> None:
        self.stats[what] += count
        STATS[what] += count

    # failures ---------------------------------------------------------------------------------

    def _fail(self, what: str, expected: str | None = None, shown: str | None = None) -> Any:
        lines = [what, describe(self.case), "messages (-> to the server, <- from it):"]
        lines += self.log[-40:]
        lines.append(f"client HTML: {self.html if shown is None else shown!r}")
        if expected is not None:
            lines.append(f"expected:    {expected!r}")
        raise CaseFailed("\n".join(lines))


def _changed(before: Mapping[str, Any], now: Mapping[str, Any]) -> bool:
    """The socket's rule: a name whose value's type or value differs."""
    return before.keys() != now.keys() or any(
        type(before[name]) is not type(value) or before[name] != value
        for name, value in now.items()
    )


def describe(case: ComponentCase) -> str:
    """A reproduction: the case as Python literals."""
    lines = [f"page = {case.page!r}", "components = ["]
    lines += [f"    {spec!r}," for spec in case.components]
    lines += ["]", "steps = ["]
    lines += [f"    {dict(step)!r}," for step in case.steps]
    lines += ["]", "actions = ["]
    lines += [f"    {action!r}," for action in case.actions]
    lines.append("]")
    return "\n".join(lines)
