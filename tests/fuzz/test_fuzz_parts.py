"""The fuzz suite's own parts can fail when they should: the protocol oracle rejects frames the
client could not take, the log recorder tells the intended crash from any other traceback, the
mutator replays a seed and leaves out the inputs of open bugs, and a run that meets a bad frame
reports it with its seed, the frames before it and a replay command."""

from __future__ import annotations

import logging
import random
from typing import Any

import orjson
import pytest

from liveview.channel.params import split_key
from tests.fuzz.app import IntendedCrash
from tests.fuzz.driver import Config, fuzz
from tests.fuzz.mutator import MAX_BRACKETS, OPEN_BUGS, UNSPLITTABLE_URLS, Mutator, Page, Sent
from tests.fuzz.oracles import LogRecorder, ProtocolViolation, check_frame
from tests.fuzz.targets import InProcess, Socket

PAGES = [
    Page(path, f"http://testserver{path}", f"lv:phx-{path[1:]}", f"session{path}", "static")
    for path in ("/counter", "/form", "/crash", "/params", "/components")
]


def frames(seed: str, count: int, include: frozenset[str] = frozenset()) -> list[Sent]:
    mutator = Mutator(random.Random(seed), PAGES, PAGES[:1], include=include)
    return [mutator.next() for _ in range(count)]


@pytest.mark.parametrize(
    ("frame", "label"),
    [
        ([None, "1", "phoenix", "phx_reply", {"status": "ok", "response": {}}], "phx_reply ok"),
        (["1", "2", "lv:a", "phx_reply", {"status": "ok", "response": {"rendered": {}}}],
         "phx_reply ok: joined"),
        ([None, "3", "lv:a", "phx_reply", {"status": "error", "response": {
            "reason": "unknown event 'x'"}}], "phx_reply error: unknown event"),
        (["1", None, "lv:a", "diff", {"0": "1"}], "diff"),
        (["1", "1", "lv:a", "phx_error", {}], "phx_error"),
        (["1", None, "lv:a", "phx_close", {}], "phx_close"),
        (["1", None, "lv:a", "live_patch", {"to": "/a", "kind": "push"}], "live_patch"),
        (["1", None, "lv:a", "live_redirect", {"to": "/a", "kind": "push"}], "live_redirect"),
        (["1", None, "lv:a", "redirect", {"to": "/a"}], "redirect"),
    ],
)  # fmt: skip
def test_check_frame_accepts_every_event_a_server_sends(frame: list[Any], label: str) -> None:
    assert check_frame(orjson.dumps(frame).decode()) == label


@pytest.mark.parametrize(
    "data",
    [
        b'[null,"1","phoenix","phx_reply",{"status":"ok","response":{}}]',  # binary
        "not json",
        '[null,"1","phoenix","phx_reply"]',
        '[null,"1","phoenix","phx_reply",{"status":"ok","response":{}},1]',
        '[null,"1","lv:a","phx_join",{}]',  # a client's event
        '[null,"1","lv:a","heartbeat",{}]',
        '[null,"1","lv:a","diff",[]]',
        '[null,1,"lv:a","diff",{}]',
        '[5,"1","lv:a","diff",{}]',
        '[null,"1","","diff",{}]',
        '[null,"1","lv:a","phx_reply",{"response":{}}]',
        '[null,"1","lv:a","phx_reply",{"status":"maybe","response":{}}]',
        '[null,"1","lv:a","phx_reply",{"status":"ok","response":[]}]',
    ],
)
def test_check_frame_rejects_what_the_official_client_could_not_take(data: str | bytes) -> None:
    with pytest.raises(ProtocolViolation):
        check_frame(data)


def test_the_log_recorder_tells_the_intended_crash_from_any_other_traceback() -> None:
    recorder = LogRecorder(intended=IntendedCrash)
    logger = logging.getLogger("liveview")
    with recorder.installed():
        assert logger.propagate is False
        for error in (IntendedCrash("on purpose"), ValueError("not on purpose")):
            try:
                raise error
            except Exception:
                logger.exception("LiveView lv:x crashed")
        logging.getLogger("uvicorn.error").error("Exception in ASGI application", exc_info=True)
        logger.warning("malformed frame: %s", "frame is not JSON")
    assert logger.propagate is True
    assert recorder.intended_count == 1
    assert recorder.unexpected_count == 1  # the uvicorn.error record had no exception to show
    assert recorder.unexpected[0].exception == "ValueError('not on purpose')"
    assert recorder.levels == {"ERROR": 3, "WARNING": 1}


def test_the_mutator_replays_the_same_frames_for_the_same_seed() -> None:
    first, again, other = frames("13:0", 2_000), frames("13:0", 2_000), frames("13:1", 2_000)
    # tokens signed with another secret carry the time: compare those by size only
    assert [(s.kind, len(s.data)) for s in first] == [(s.kind, len(s.data)) for s in again]
    assert [s for s in first if s.kind != "bad-join"] == [s for s in again if s.kind != "bad-join"]
    assert [s.kind for s in first] != [s.kind for s in other]


def _depth(text: str) -> int:
    """How deep the brackets of a JSON text nest (outside strings)."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            escaped = not escaped and char == "\\"
            in_string = escaped or char != '"'
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def _cids_depth(sent: list[Sent]) -> int:
    return max(_depth(s.data) for s in sent if isinstance(s.data, str) and s.kind == "cids")


def test_the_mutator_sends_the_inputs_of_fixed_bugs() -> None:
    """The bugs found so far are fixed (`OPEN_BUGS` is empty): their inputs are in the mix."""
    assert OPEN_BUGS == {}
    plain = frames("13:0", 20_000)
    assert any(
        isinstance(s.data, str) and url in s.data for s in plain for url in UNSPLITTABLE_URLS
    )
    assert _cids_depth(plain) > 300


def test_form_keys_stay_within_max_brackets() -> None:
    deepest = 0
    for sent in frames("13:2", 20_000):
        if sent.kind != "form" or not isinstance(sent.data, str):
            continue
        try:
            payload = orjson.loads(sent.data)[4]
        except (orjson.JSONDecodeError, IndexError, TypeError):
            continue
        value = payload.get("value") if isinstance(payload, dict) else None
        if isinstance(value, str):
            for pair in value.replace(";", "&").split("&"):
                key = pair.split("=", 1)[0].replace("%5B", "[").replace("%5D", "]")
                deepest = max(deepest, len(split_key(key)))
    assert 10 < deepest <= MAX_BRACKETS


class _LyingSocket:
    """Passes everything through, but makes up a frame no server may send as its 3rd one."""

    def __init__(self, inner: Socket) -> None:
        self.inner = inner
        self.received = 0

    async def send(self, data: str | bytes) -> None:
        await self.inner.send(data)

    async def receive(self) -> str | bytes:
        self.received += 1
        if self.received == 3:
            return '[null,"1","lv:x","made_up",{}]'
        return await self.inner.receive()

    async def close(self) -> None:
        await self.inner.close()


class _Lying(InProcess):
    async def connect(self) -> Socket:
        return _LyingSocket(await super().connect())


async def test_a_run_reports_a_bad_frame_with_its_seed_the_frames_before_it_and_a_replay() -> None:
    async with _Lying() as target:
        report = await fuzz(target, Config(seed=99, connections=2, frames_per_connection=30))
    assert not report.ok
    assert report.non_protocol >= 2
    text = report.format()
    assert "FAILED (a: protocol frames only): event 'made_up' is not one of the protocol's" in text
    assert "seed 99, connection 0" in text
    assert "  sent #" in text
    assert "replay: .venv/bin/python -m tests.fuzz.run --seed 99 --frames-per-connection 30" in text
