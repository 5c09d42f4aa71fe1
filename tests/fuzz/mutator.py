"""The seeded mutator: one connection's frames, from `random.Random(seed)` and the pages it got.

`Mutator.next()` returns the next frame to send (`Sent`: its kind and its text or bytes). The
choices depend only on the seed and on how many pages there are, never on what the server
answered, so a seed replays the same kinds, shapes and sizes (the tokens and view ids in them
are the server's, new on every run).

The kinds, by weight in `KINDS`:
- near-valid traffic that keeps LiveViews joined and busy: joins, clicks, form events, hook
  events, live patches, `cids_*`, heartbeats, leaves, the intended crash (rare);
- garbage: invalid or truncated JSON, wrong arity (0-50 elements), random values of any type
  in each of the five positions, huge numbers (10^25, -10^40, `1e99999`), deep nesting (1,000 /
  1,023 / 1,024 / 1,025 / 5,000 levels, of the frame and inside the payload), binary frames;
- protocol misuse: unknown topics and events, events before any join and on stale join_refs,
  duplicate joins, joins with tampered / non-string / foreign / other-secret session tokens, bad
  `url`, a `redirect`, bad `static`, form events with malformed url-encoded values, odd
  `_target`s and bracket keys (at most `MAX_BRACKETS` deep), `cid`s of every type,
  `lv:clear-flash`, `lv:x`, `live_patch` to bad URLs, `cids_destroyed` with random `cids`.

`OPEN_BUGS` names the inputs that trigger a bug found here and not fixed yet: the mutator leaves
them out unless asked (`include`), so that the suite keeps finding new ones; each has a test in
`test_known_bugs.py`.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from liveview.session import SessionToken, TokenSigner

MAX_BRACKETS = 50
"""Deepest form key generated (`a[b][c]...`). A fix for keys thousands of segments deep is in
progress elsewhere; `test_known_bugs.py` holds the 2,000-segment case."""

OPEN_BUGS: dict[str, str] = {}
"""Bug name -> what it is. Inputs that trigger these are generated only when included."""


@dataclass(frozen=True)
class Page:
    """One dead render: the page's path and URL, and its container's topic and tokens."""

    path: str
    url: str
    topic: str
    session: str
    static: str


@dataclass(frozen=True)
class Sent:
    """One frame to send: its kind (for the tally and the report) and its text or bytes."""

    kind: str
    data: str | bytes


@dataclass(frozen=True)
class Raw:
    """JSON text put into a frame as it is (numbers JSON cannot round-trip, deep nesting)."""

    text: str


def dump(value: Any) -> str:
    """JSON text of `value`, where `Raw` parts go in unchanged; strings are ASCII-escaped (so a
    lone surrogate goes out as `\\ud800`, which the server must refuse, not the transport)."""
    if isinstance(value, Raw):
        return value.text
    if isinstance(value, list | tuple):
        return "[" + ",".join(dump(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(str(k))}:{dump(v)}" for k, v in value.items()) + "}"
    return json.dumps(value)


HUGE_NUMBERS = (
    "10000000000000000000000000",  # 10^25
    "-" + "1" + "0" * 40,  # -10^40
    "1e99999",
    "-1e99999",
    "1e308",
    "18446744073709551615",
    "18446744073709551616",
    "-9223372036854775809",
    "1e-400",
    "123456789012345678901234567890.5",
    "0." + "1" * 400,
)

DEPTHS = (1000, 1023, 1024, 1025, 5000)
"""Nesting depths of the whole frame (orjson reads at most 1,024 levels)."""

STRINGS = (
    "",
    "a",
    "inc",
    "phx-",
    "lv:",
    "null",
    "0",
    "-1",
    "\u0000",
    "\ud800",  # a lone surrogate: escaped by `dump`, refused by the server's JSON decoder
    "名前",
    "😀" * 3,
    "<script>alert(1)</script>",
    "%zz%",
    "a[b][c]",
    "../../etc/passwd",
    "\r\n",
    "\\",
    '"',
)

TOPICS = (
    "lvu:x",
    "lv:",
    "lv:phx-nobody",
    "lv:" + "x" * 300,
    "t" * 10_000,
    "phoenix",
    "phx",
    "room:lobby",
    "lv:名前",
    "lv:\u0000",
    "lv: phx-a",
    "LV:phx-a",
)

EVENTS = (
    "allow_upload",
    "chunk",
    "progress",
    "phx_join",
    "phx_leave",
    "phx_reply",
    "phx_error",
    "phx_close",
    "diff",
    "event",
    "live_patch",
    "live_redirect",
    "redirect",
    "cids_will_destroy",
    "cids_destroyed",
    "heartbeat",
    "lv:x",
    "e" * 5_000,
    "Event",
    " event",
)

FORM_KEYS = ("user", "a", "_target", "x y", "名前", "_csrf_token", "__proto__", "0", "%5B", "")
SEGMENTS = ("", "name", "0", "b", "tags", "x" * 8, "-1", "__class__", "a b", "é")
BAD_URLS = (
    "",
    "/",
    "not a url",
    "http://",
    "http:///counter",
    "//counter",
    "javascript:alert(1)",
    "http://elsewhere.example/counter",
    "http://testserver/nope",
    "http://testserver/params/%ff%fe",
    "http://testserver/params/%",
    "http://testserver/counter?%zz=1&&=&a=%ff",
    "http://testserver/params/" + "9" * 2_000,
    "http://testserver:99999999/counter",
    "http://testserver/counter#frag",
    "http://user:pass@testserver/counter",
    "\u0000",
    "http://testserver/../counter",
    "http://testserver/params/a/b/c",
)
UNSPLITTABLE_URLS = ("http://[::1", "http://[x]/counter", "//[/params")
"""URLs `urllib.parse.urlsplit` raises ValueError on (bugs `bad-url-join`, `bad-url-patch`,
fixed: they resolve to no route)."""


@dataclass
class Mutator:
    """The frames of one connection. `pages` are the dead renders this connection joins,
    `foreign` other renders of the same routes (their tokens belong to other views)."""

    rng: random.Random
    pages: list[Page]
    foreign: list[Page]
    include: frozenset[str] = frozenset()
    """Names from `OPEN_BUGS` whose inputs to generate as well."""
    joins_allowed: bool = True
    """False while a connection sends events before any join."""
    _ref: int = 0
    _joined: dict[str, str] = field(default_factory=dict)
    """Topic -> the join_ref of the last valid join sent for it, while it should still be up."""

    def sends(self, bug: str) -> bool:
        """Whether to generate the inputs of `bug`: always once it is fixed (not in
        `OPEN_BUGS`), else only when included."""
        return bug not in OPEN_BUGS or bug in self.include

    _old_refs: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.base = self.pages[0].url.rsplit(self.pages[0].path, 1)[0]
        self._kinds, weights = zip(*KINDS, strict=True)
        self._weights = list(weights)

    # the next frame ----------------------------------------------------------------------

    def next(self) -> Sent:
        kind: str = self.rng.choices(self._kinds, self._weights)[0]
        make: Callable[[Mutator], str | bytes] = getattr(Mutator, f"_{kind.replace('-', '_')}")
        return Sent(kind, make(self))

    def ref(self) -> str:
        self._ref += 1
        return str(self._ref)

    # values --------------------------------------------------------------------------------

    def any_value(self, depth: int = 0) -> Any:
        """A value of any JSON type (some not JSON at all: NaN, 1e99999), nested a little."""
        rng = self.rng
        roll = rng.randrange(12 if depth < 3 else 9)
        if roll == 0:
            return None
        if roll == 1:
            return rng.choice((True, False))
        if roll == 2:
            return rng.choice((0, 1, -1, 7, 2**31, 2**53 + 1, 2**63 - 1, -(2**63), 2**64))
        if roll == 3:
            return (
                rng.choice((0.5, -0.0, 1e300, 3.14, Raw("NaN"), Raw("Infinity")))
                if (rng.random() < 0.9)
                else Raw(rng.choice(HUGE_NUMBERS))
            )
        if roll in (4, 5, 6):
            return self.any_string()
        if roll == 7:
            return Raw(rng.choice(HUGE_NUMBERS))
        if roll == 8:
            return rng.choice(({}, [], "", [[]], {"": {}}))
        if roll in (9, 10):
            return [self.any_value(depth + 1) for _ in range(rng.randrange(5))]
        return {self.any_string()[:20]: self.any_value(depth + 1) for _ in range(rng.randrange(5))}

    def any_string(self) -> str:
        rng = self.rng
        roll = rng.randrange(10)
        if roll < 6:
            return rng.choice(STRINGS)
        if roll < 8:
            return "".join(chr(rng.randrange(32, 0x2FF)) for _ in range(rng.randrange(1, 30)))
        if roll < 9:
            return rng.choice(self.pages).topic
        return "s" * rng.choice((256, 4_096, 65_536))

    def deep(self, depth: int) -> Raw:
        """A value nested `depth` levels: arrays, objects, or both in turn."""
        shape = self.rng.randrange(3)
        if shape == 0:
            return Raw("[" * depth + "]" * depth)
        if shape == 1:
            return Raw('{"a":' * (depth - 1) + "{}" + "}" * (depth - 1))
        half = depth // 2
        return Raw('{"a":[' * half + "1" + "]}" * half)

    def page(self) -> Page:
        return self.rng.choice(self.pages)

    def join_ref_for(self, page: Page) -> str | None:
        return self._joined.get(page.topic)

    def _forget(self, topic: str) -> None:
        ref = self._joined.pop(topic, None)
        if ref is not None:
            self._old_refs.append(ref)

    def join_payload(self, page: Page, **changes: Any) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "url": page.url,
            "params": {"_csrf_token": "x", "_mounts": 0, "_mount_attempts": 0},
            "session": page.session,
            "static": page.static,
            "sticky": False,
        }
        payload.update(changes)
        return payload

    def frame(self, join_ref: Any, ref: Any, topic: Any, event: Any, payload: Any) -> str:
        return dump([join_ref, ref, topic, event, payload])

    def joined_page(self) -> tuple[Page, str | None]:
        """A page to send an event to, and its join_ref; mostly one that is joined, joining it
        first when needed would be a kind of its own, so None when it is not."""
        joined = [page for page in self.pages if page.topic in self._joined]
        page = self.rng.choice(joined) if joined and self.rng.random() < 0.9 else self.page()
        return page, self.join_ref_for(page)

    # near-valid traffic ----------------------------------------------------------------------

    def _join(self) -> str:
        """A valid join (or, before joins are allowed, an event on a page not joined yet)."""
        if not self.joins_allowed:
            return self._click()
        unjoined = [page for page in self.pages if page.topic not in self._joined]
        page = self.rng.choice(unjoined) if unjoined else self.page()
        self._forget(page.topic)
        join_ref = self.ref()
        self._joined[page.topic] = join_ref
        payload = self.join_payload(page)
        roll = self.rng.random()
        if roll < 0.2 and page.path == "/params":
            payload["url"] = f"{self.base}/params/{self.rng.randrange(100)}?q={self.any_string()}"
        elif roll < 0.05 and page.path == "/crash":  # mount crashes on purpose
            payload["url"] = f"{page.url}?crash=mount"
            self._forget(page.topic)
        return self.frame(join_ref, join_ref, page.topic, "phx_join", payload)

    def _click(self) -> str:
        page, join_ref = self.joined_page()
        roll = self.rng.random()
        if page.path == "/counter" and roll < 0.3:
            event = "publish"
        elif page.path == "/params" and roll < 0.3:
            event = self.rng.choice(("next", "next", "later", "later", "away", "leave"))
            if event in ("away", "leave"):
                self._forget(page.topic)
        elif page.path == "/crash" and roll < 0.03:
            event = "crash" if roll < 0.025 else "crash-info"
            self._forget(page.topic)
        elif page.path == "/form" and roll < 0.3:
            return self._form_valid(page, join_ref)
        elif page.path == "/components" and roll < 0.5:
            return self._component_event(page, join_ref)
        else:
            event = "inc"
        payload = {"type": "click", "event": event, "value": {"value": ""}}
        return self.frame(join_ref, self.ref(), page.topic, "event", payload)

    def _component_event(self, page: Page, join_ref: str | None) -> str:
        """An event for the page's components (a cid that may be there, gone or never was), or
        one that adds and removes some, or sends them updates."""
        roll = self.rng.random()
        payload: dict[str, Any]
        if roll < 0.6:
            event = self.rng.choice(("inc", "inc", "tell", "nope"))
            payload = {"type": "click", "event": event, "value": {}, "cid": self.rng.randrange(12)}
        else:
            event = "show" if roll < 0.85 else "update"
            payload = {"type": "click", "event": event, "value": {}}
        return self.frame(join_ref, self.ref(), page.topic, "event", payload)

    def _form_valid(self, page: Page, join_ref: str | None) -> str:
        event = self.rng.choice(("validate", "validate", "save"))
        value = "user%5Bname%5D=Al&user%5Btags%5D%5B%5D=x&user%5Btags%5D%5B%5D=y"
        payload = {
            "type": "form",
            "event": event,
            "value": value,
            "meta": {"_target": "user[name]"},
        }
        return self.frame(join_ref, self.ref(), page.topic, "event", payload)

    def _heartbeat(self) -> str:
        event = "heartbeat" if self.rng.random() < 0.7 else self.rng.choice(EVENTS)
        payload = {} if self.rng.random() < 0.9 else self.any_value()
        return self.frame(None, self.ref(), "phoenix", event, payload)

    def _leave(self) -> str:
        page, join_ref = self.joined_page()
        self._forget(page.topic)
        return self.frame(join_ref, self.ref(), page.topic, "phx_leave", {})

    def _live_patch(self) -> str:
        page, join_ref = self.joined_page()
        roll = self.rng.random()
        url: Any
        if roll < 0.4:
            url = f"{self.base}/params/{self.rng.randrange(1000)}?q={self.any_string()[:50]}"
        elif roll < 0.42 and page.path == "/crash":  # handle_params crashes on purpose
            url = f"{page.url}?crash=params"
            self._forget(page.topic)
        elif roll < 0.5:
            url = f"{self.base}{self.rng.choice(self.pages).path}"
        elif roll < 0.85:
            url = self.bad_url()
        else:
            url = self.any_value()
        payload: Any = {"url": url} if self.rng.random() < 0.95 else self.any_value()
        return self.frame(join_ref, self.ref(), page.topic, "live_patch", payload)

    def bad_url(self) -> str:
        """A URL for a live_patch that no route takes, or that is no URL at all."""
        urls = BAD_URLS + UNSPLITTABLE_URLS if self.sends("bad-url-patch") else BAD_URLS
        return self.rng.choice(urls).replace("http://testserver", self.base)

    def _cids(self) -> str:
        page, join_ref = self.joined_page()
        event = self.rng.choice(("cids_will_destroy", "cids_destroyed"))
        roll = self.rng.random()
        cids: Any
        if roll < 0.4:
            cids = [self.rng.randrange(-5, 100) for _ in range(self.rng.randrange(6))]
        elif roll < 0.9:
            cids = self.any_value()
        else:
            limit = 1024 - 4 if self.sends("deep-cids") else 250
            cids = self.deep(self.rng.randrange(1, limit))
        payload = {"cids": cids} if self.rng.random() < 0.9 else self.any_value()
        return self.frame(join_ref, self.ref(), page.topic, event, payload)

    # garbage -------------------------------------------------------------------------------

    def _bad_json(self) -> str:
        rng = self.rng
        text = self._click() if rng.random() < 0.5 else self._form()
        roll = rng.randrange(9)
        if roll == 0:
            return text[: rng.randrange(len(text))]  # truncated
        if roll == 1:
            at = rng.randrange(len(text))
            return text[:at] + text[at + 1 :]
        if roll == 2:
            at = rng.randrange(len(text))
            return text[:at] + rng.choice('[]{}",:\\ \t\nx0-.e') + text[at:]
        if roll == 3:
            at = rng.randrange(len(text))
            return text[:at] + rng.choice('[]{}",:\\') + text[at + 1 :]
        if roll == 4:
            return text + rng.choice(("]", ",", " x", "\u0000", "[", "}"))
        if roll == 5:
            return rng.choice(("\ufeff", " ", "x", "[", "//")) + text
        if roll == 6:
            return rng.choice(
                (
                    "",
                    " ",
                    "null",
                    "5",
                    '"str"',
                    "{}",
                    "[]",
                    "true",
                    "[1,]",
                    "NaN",
                    "[NaN]",
                    "Infinity",
                    "'a'",
                    '["a"\u0000]',
                )
            )
        if roll == 7:
            return text.replace('"', "'", rng.randrange(1, 4))
        return '["1","2","phoenix","heartbeat",{"a":"\\ud800"}]'

    def _arity(self) -> str:
        size = self.rng.choice((0, 1, 2, 3, 4, 6, 7, self.rng.randrange(8, 51)))
        head: list[Any] = [None, self.ref(), self.page().topic, "event", {}]
        items = head[:size] + [self.any_value() for _ in range(size - len(head))]
        return dump(items)

    def _positions(self) -> str:
        page, join_ref = self.joined_page()
        slots: list[Any] = [
            join_ref,
            self.ref(),
            page.topic,
            "event",
            {"type": "click", "event": "inc", "value": {}},
        ]
        for position in self.rng.sample(range(5), self.rng.randrange(1, 6)):
            slots[position] = self.any_value()
        return dump(slots)

    def _huge_numbers(self) -> str:
        page, join_ref = self.joined_page()
        huge = Raw(self.rng.choice(HUGE_NUMBERS))
        slots: list[Any] = [
            join_ref,
            self.ref(),
            page.topic,
            "event",
            {"type": "hook", "event": "hook", "value": huge},
        ]
        roll = self.rng.randrange(6)
        if roll < 3:
            slots[roll] = huge
        elif roll == 3:
            slots[4] = {"type": "click", "event": "inc", "value": {"n": huge}, "cid": huge}
        elif roll == 4:
            slots[4] = {"cids": [huge, huge]}
            slots[3] = "cids_destroyed"
        return dump(slots)

    def _deep(self) -> str:
        page, join_ref = self.joined_page()
        depth = self.rng.choice(DEPTHS)
        roll = self.rng.randrange(4)
        if roll == 0:  # the whole frame
            return self.deep(depth).text
        # inside the payload: [.., {"type": "hook", "event": "hook", "value": <deep>}] puts the
        # value at level 3; the whole frame is `depth` levels deep
        value = self.deep(depth - 2)
        if roll == 1:
            payload: Any = {"type": "hook", "event": "hook", "value": value}
        elif roll == 2:
            payload = {"type": "form", "event": "validate", "value": "a=1", "meta": value}
        else:
            return self.frame(join_ref, self.ref(), page.topic, "event", value)
        return self.frame(join_ref, self.ref(), page.topic, "event", payload)

    def _binary(self) -> bytes:
        roll = self.rng.randrange(4)
        if roll == 0:
            return b""
        if roll == 1:
            return self._click().encode()
        size = self.rng.choice((1, 2, 16, 1_000, 4_096))
        return self.rng.randbytes(size)

    # protocol misuse -------------------------------------------------------------------------

    def _unknown(self) -> str:
        rng = self.rng
        page, join_ref = self.joined_page()
        topic = rng.choice(TOPICS) if rng.random() < 0.6 else page.topic
        event = rng.choice(EVENTS) if rng.random() < 0.8 else self.any_string()
        payload = {} if rng.random() < 0.5 else {"ref": "0", "entries": [self.any_value()]}
        return self.frame(join_ref or self.ref(), self.ref(), topic, event or "x", payload)

    def _before_join(self) -> str:
        """An event on a page this connection has not joined (or no longer has)."""
        page = self.page()
        join_ref = self.rng.choice((None, "1", self.ref()))
        payload = {"type": "click", "event": "inc", "value": {}}
        return self.frame(join_ref, self.ref(), page.topic, "event", payload)

    def _stale_ref(self) -> str:
        page = self.page()
        stale = self.rng.choice(self._old_refs) if self._old_refs else "0"
        join_ref = self.rng.choice((stale, "999999", "", self.ref()))
        payload = {"type": "click", "event": "inc", "value": {}}
        return self.frame(join_ref, self.ref(), page.topic, "event", payload)

    def _duplicate_join(self) -> str:
        joined = [page for page in self.pages if page.topic in self._joined]
        if not joined or not self.joins_allowed:
            return self._join()
        page = self.rng.choice(joined)
        if self.rng.random() < 0.5:  # the very same join again
            join_ref = self._joined[page.topic]
        else:
            self._forget(page.topic)
            join_ref = self.ref()
            self._joined[page.topic] = join_ref
        return self.frame(
            join_ref,
            self.rng.choice((join_ref, self.ref())),
            page.topic,
            "phx_join",
            self.join_payload(page),
        )

    def _bad_join(self) -> str:
        rng = self.rng
        page = self.page()
        foreign = rng.choice(self.foreign) if self.foreign else page
        roll = rng.randrange(12)
        changes: dict[str, Any]
        if roll == 0:  # tampered session
            at = rng.randrange(len(page.session))
            flipped = "A" if page.session[at] != "A" else "B"
            changes = {"session": page.session[:at] + flipped + page.session[at + 1 :]}
        elif roll == 1:
            changes = {"session": page.session[: rng.randrange(len(page.session))]}
        elif roll == 2:  # not a string
            changes = {
                "session": rng.choice(
                    (None, 0, 1.5, True, [], {}, [page.session], {"s": page.session})
                )
            }
        elif roll == 3:  # another view's token (same route)
            changes = {"session": foreign.session}
        elif roll == 4:  # signed with another secret
            token = SessionToken(page.topic.removeprefix("lv:"), page.path)
            changes = {"session": TokenSigner("not-the-secret").sign_session(token)}
        elif roll == 5:  # this token, another route's URL
            other = rng.choice([p for p in self.pages if p.path != page.path] or self.pages)
            changes = {"url": other.url}
        elif roll == 6:
            changes = {"url": self.bad_join_url()}
        elif roll == 7:
            changes = {"url": self.any_value()}
        elif roll == 8:  # a live navigation
            target = rng.choice((rng.choice(self.pages).url, self.bad_join_url(), self.any_value()))
            changes = {"redirect": target}
        elif roll == 9:
            changes = {
                "static": rng.choice(
                    (
                        foreign.static,
                        page.static[:-2] + "xx",
                        0,
                        [],
                        {"f": {}},
                        "",
                        self.any_string(),
                    )
                )
            }
        elif roll == 10:
            changes = {"params": self.any_value()}
        else:
            payload = rng.choice(({}, {"url": page.url}, self.any_value()))
            return self.frame(self.ref(), self.ref(), page.topic, "phx_join", payload)
        topic = page.topic if rng.random() < 0.5 else f"lv:phx-{rng.randrange(10**6)}"
        if topic == page.topic:
            self._forget(topic)  # a failed join replaces (ends) the LiveView on its topic
        join_ref: Any = self.ref() if rng.random() < 0.9 else rng.choice((None, 5, [], ""))
        return self.frame(
            join_ref, self.ref(), topic, "phx_join", self.join_payload(page, **changes)
        )

    def bad_join_url(self) -> str:
        urls = BAD_URLS + UNSPLITTABLE_URLS if self.sends("bad-url-join") else BAD_URLS
        return self.rng.choice(urls).replace("http://testserver", self.base)

    def _form(self) -> str:
        rng = self.rng
        page, join_ref = self.joined_page()
        if rng.random() < 0.5:
            page = next((p for p in self.pages if p.path == "/form"), page)
            join_ref = self.join_ref_for(page)
        payload: dict[str, Any] = {
            "type": "form" if rng.random() < 0.9 else self.any_value(),
            "event": rng.choice(("validate", "save")) if rng.random() < 0.85 else self.any_value(),
            "value": self.form_value() if rng.random() < 0.85 else self.any_value(),
        }
        roll = rng.random()
        if roll < 0.7:
            payload["meta"] = {"_target": self.odd_target()}
            if rng.random() < 0.3:
                payload["meta"][self.any_string()[:30]] = self.any_value()
        elif roll < 0.8:
            payload["meta"] = self.any_value()
        if rng.random() < 0.15:
            payload["cid"] = self.any_cid()
        return self.frame(join_ref, self.ref(), page.topic, "event", payload)

    def form_value(self) -> str:
        rng = self.rng
        parts = []
        for _ in range(rng.randrange(9)):
            roll = rng.randrange(10)
            if roll < 5:
                parts.append(f"{self.form_key()}={self.form_text()}")
            elif roll == 5:
                parts.append(self.form_key())
            elif roll == 6:
                parts.append("=" + self.form_text())
            else:
                parts.append(
                    rng.choice(
                        (
                            "%",
                            "%zz",
                            "%ff%fe=%c3%28",
                            "a=b=c",
                            "&",
                            ";",
                            "+",
                            "%00=%00",
                            "[]=x",
                            "]=x",
                            "[=x",
                            "a[=1",
                            "a]=1",
                            "a[b]c=1",
                            "a[][]=1",
                            "a[][b]=1&a[][b]=2",
                        )
                    )
                )
        return rng.choice(("&", "&", "&&", ";")).join(parts)

    def form_key(self) -> str:
        rng = self.rng
        key = rng.choice(FORM_KEYS)
        depth = rng.randrange(4) if rng.random() < 0.9 else rng.randrange(4, MAX_BRACKETS - 1)
        key += "".join(f"[{rng.choice(SEGMENTS)}]" for _ in range(depth))
        if rng.random() < 0.1:
            key += rng.choice(("[", "]", "[a", "a]b", "[[", "]]"))
        if rng.random() < 0.5:  # as a browser sends it
            key = key.replace("[", "%5B").replace("]", "%5D").replace(" ", "+")
        return key

    def form_text(self) -> str:
        return self.rng.choice(("", "Al", "x+y", "%20", "%", "%e2%82%ac", "a%26b", "=", "%ff"))

    def odd_target(self) -> Any:
        rng = self.rng
        roll = rng.randrange(6)
        if roll < 2:
            return rng.choice(
                (
                    "user[name]",
                    "undefined",
                    "",
                    "[",
                    "a[",
                    "]",
                    "a[b][c][",
                    "[]",
                    "a[]",
                    "user[tags][]",
                    "x" * 1_000,
                )
            )
        if roll < 4:
            return self.form_key().replace("%5B", "[").replace("%5D", "]")
        return self.any_value()

    def any_cid(self) -> Any:
        return self.rng.choice(
            (
                None,
                0,
                1,
                -1,
                "1",
                "",
                1.5,
                [],
                {},
                True,
                False,
                [1],
                {"a": 1},
                Raw("10000000000000000000000000"),
                2**63,
            )
        )

    def _flash(self) -> str:
        page, join_ref = self.joined_page()
        rng = self.rng
        event = rng.choice(("lv:clear-flash", "lv:clear-flash", "lv:x", "lv:", "lv:clear"))
        value = rng.choice(({"key": "info"}, {"key": self.any_value()}, {}, self.any_value()))
        payload: dict[str, Any] = {
            "type": rng.choice(("click", "hook", "form")),
            "event": event,
            "value": value,
        }
        if payload["type"] == "form":
            payload["value"] = rng.choice(("key=info", "", self.form_value()))
        return self.frame(join_ref, self.ref(), page.topic, "event", payload)

    def _hook(self) -> str:
        rng = self.rng
        page, join_ref = self.joined_page()
        if rng.random() < 0.6:
            page = next((p for p in self.pages if p.path == "/form"), page)
            join_ref = self.join_ref_for(page)
        roll = rng.random()
        value: Any
        if roll < 0.85:
            value = self.any_value()
        else:  # deep, yet within what the server reads (the value is at level 3 of the frame)
            value = self.deep(rng.choice((10, 100, 254, 255, 256, 500, 1000, 1021)))
        event = rng.choice(("hook", "hook", "ping", "inc", "nope"))
        payload: dict[str, Any] = {"type": "hook", "event": event, "value": value}
        if rng.random() < 0.1:
            payload["cid"] = self.any_cid()
        return self.frame(join_ref, self.ref(), page.topic, "event", payload)


KINDS: tuple[tuple[str, int], ...] = (
    # near-valid traffic
    ("join", 8),
    ("click", 14),
    ("heartbeat", 3),
    ("leave", 1),
    ("live-patch", 4),
    ("cids", 3),
    ("form", 8),
    ("hook", 6),
    ("flash", 2),
    # garbage
    ("bad-json", 6),
    ("arity", 4),
    ("positions", 5),
    ("huge-numbers", 3),
    ("deep", 2),
    ("binary", 2),
    # protocol misuse
    ("unknown", 5),
    ("before-join", 2),
    ("stale-ref", 3),
    ("duplicate-join", 2),
    ("bad-join", 6),
)
"""Each kind of frame and its weight; `Mutator._<kind>` makes one."""
