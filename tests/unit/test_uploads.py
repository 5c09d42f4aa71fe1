"""Uploads over the real protocol, in-process: the preflight, the `lvu:` channel and its binary
chunks, progress, consume and cancel — and every way a client can get them wrong."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from liveview import LiveView, LiveViewApp, LiveViewSocket
from liveview.channel.frames import encode_binary
from liveview.testing import LiveViewCrashed, LiveViewTest, LiveViewTestClient
from liveview.uploads import TEMP_PREFIX, UPLOAD_DIR_ENV, UploadEntry, UploadInProgress

CONSUMED: list[dict[str, Any]] = []


class Lab(LiveView):
    """An upload whose limits come from the query string; "save" consumes what is done."""

    template = """
    {% if "files" in uploads %}
    <form id="f" phx-change="validate" phx-submit="save">{{ live_file_input(uploads.files) }}</form>
    <ul>{% for e in uploads.files.entries %}
      <li id="e{{ e.ref }}">{{ e.client_name }}|{{ e.progress }}|
        {{- "True" if e.done else "False" }}|{{ e.errors|join(",") }}</li>
    {% endfor %}</ul>
    <p id="errors">{{ uploads.files.errors|join(",") }}</p>
    {% endif %}
    <p id="report">{{ report }}</p>
    """

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        socket.assign(report="")
        accept = params.get("accept", "any")
        socket.allow_upload(
            "files",
            accept=accept if accept == "any" else accept.split(","),
            max_entries=int(params.get("entries", 3)),
            max_file_size=int(params.get("max", 1000)),
            chunk_size=int(params.get("chunk", 100)),
            chunk_timeout=int(params.get("timeout", 10_000)),
            external=presign if params.get("external") else None,
        )

    async def handle_event(
        self, event: str, payload: dict[str, Any], socket: LiveViewSocket
    ) -> None:
        if event == "save":
            CONSUMED.extend(await socket.consume_uploaded_entries("files", record))
        elif event == "cancel":
            socket.cancel_upload("files", payload["ref"])
        elif event == "boom":
            raise RuntimeError("boom")
        elif event == "entries":
            done, going = socket.uploaded_entries("files")
            socket.assign(
                report=",".join(e.ref for e in done) + "/" + ",".join(e.ref for e in going)
            )
        elif event == "disallow":
            try:
                socket.disallow_upload("files")
                socket.assign(report="disallowed " + ",".join(socket.uploads))
            except UploadInProgress as error:
                socket.assign(report=str(error))


def record(path: Any, entry: UploadEntry) -> dict[str, Any]:
    data = Path(path).read_bytes() if isinstance(path, str) else None
    return {"path": path, "data": data, "name": entry.client_name, "entry": entry}


def presign(entry: UploadEntry, socket: LiveViewSocket) -> dict[str, Any]:
    return {"uploader": "Store", "key": "k" + entry.ref}


@pytest.fixture
def temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(UPLOAD_DIR_ENV, str(tmp_path))
    CONSUMED.clear()
    return tmp_path


@pytest.fixture
async def client(temp: Path) -> AsyncIterator[LiveViewTestClient]:
    async with LiveViewTestClient(LiveViewApp(routes={"/lab": Lab})) as client:
        yield client


def leftovers(temp: Path) -> list[str]:
    return [name for name in os.listdir(temp) if name.startswith(TEMP_PREFIX)]


def upload_ref(view: LiveViewTest) -> str:
    html = view.html
    start = html.index('data-phx-upload-ref="') + len('data-phx-upload-ref="')
    return html[start : html.index('"', start)]


def entry(
    ref: str, name: str = "a.txt", size: int = 10, kind: str = "text/plain"
) -> dict[str, Any]:
    return {"ref": ref, "name": name, "size": size, "type": kind, "last_modified": 1}


async def preflight(view: LiveViewTest, *entries: dict[str, Any]) -> dict[str, Any]:
    return await view.push("allow_upload", {"ref": upload_ref(view), "entries": list(entries)})


class Channel:
    """One `lvu:` channel of the view's websocket, spoken frame by frame."""

    def __init__(self, view: LiveViewTest, ref: str) -> None:
        self.view = view
        self.topic = f"lvu:{ref}"
        self.join_ref = ""

    async def join(self, token: Any) -> list[Any]:
        socket = self.view.socket
        self.join_ref = socket.next_ref()
        await socket.send_frame(
            [self.join_ref, self.join_ref, self.topic, "phx_join", {"token": token}]
        )
        reply: list[Any] = await socket.receive_reply(self.join_ref, self.view._on_push)
        return reply[4]

    async def chunk(self, data: bytes) -> dict[str, Any]:
        socket = self.view.socket
        ref = socket.next_ref()
        await socket.send_bytes(encode_binary(self.join_ref, ref, self.topic, "chunk", data))
        reply = await socket.receive_reply(ref, self.view._on_push)
        result: dict[str, Any] = reply[4]
        return result


async def progress(view: LiveViewTest, ref: str, value: Any) -> None:
    await view.push("progress", {"ref": upload_ref(view), "entry_ref": ref, "progress": value})


async def started(view: LiveViewTest, ref: str, size: int, **kw: Any) -> Channel:
    reply = await preflight(view, entry(ref, size=size, **kw))
    channel = Channel(view, ref)
    assert (await channel.join(reply["entries"][ref]))["status"] == "ok"
    return channel


# the happy paths -------------------------------------------------------------------------------


async def test_view_upload_streams_to_a_temp_file_then_consume_removes_it(
    client: LiveViewTestClient, temp: Path
) -> None:
    view = await client.live("/lab?max=5000")
    data = os.urandom(2345)
    html = await view.upload("files", [("a.bin", data), ("b.bin", b"bb")])
    assert "a.bin|100|True|" in html and "b.bin|100|True|" in html
    assert len(leftovers(temp)) == 2  # done, waiting to be consumed
    await view.submit("save", {})
    assert [(c["name"], c["data"]) for c in CONSUMED] == [("a.bin", data), ("b.bin", b"bb")]
    assert all(Path(c["path"]).parent == temp for c in CONSUMED)
    assert leftovers(temp) == []  # consumed: deleted
    assert "<li" not in view.html


async def test_preflight_reply_carries_config_tokens_and_errors(client: LiveViewTestClient) -> None:
    view = await client.live("/lab?max=50&chunk=20&timeout=3000")
    reply = await preflight(view, entry("0", size=10), entry("1", size=99))
    assert reply["ref"] == upload_ref(view)
    assert reply["config"] == {
        "max_file_size": 50,
        "max_entries": 3,
        "chunk_size": 20,
        "chunk_timeout": 3000,
    }
    assert list(reply["entries"]) == ["0"] and isinstance(reply["entries"]["0"], str)
    assert reply["errors"] == {"1": ["too_large"]}
    assert 'data-phx-preflighted-refs="0"' in view.html
    assert 'data-phx-error-refs="1"' in view.html


async def test_zero_byte_file(client: LiveViewTestClient, temp: Path) -> None:
    view = await client.live("/lab")
    channel = await started(view, "0", 0)
    assert await channel.chunk(b"") == {"status": "ok", "response": {}}
    await progress(view, "0", 100)
    assert "a.txt|100|True|" in view.html
    await view.submit("save", {})
    assert CONSUMED[0]["data"] == b""
    assert leftovers(temp) == []


async def test_external_upload_gets_the_callbacks_meta_and_no_channel(
    client: LiveViewTestClient, temp: Path
) -> None:
    view = await client.live("/lab?external=1")
    reply = await preflight(view, entry("0"))
    assert reply["entries"] == {"0": {"uploader": "Store", "key": "k0"}}
    assert (await Channel(view, "0").join("whatever"))["response"] == {"reason": "invalid_token"}
    await progress(view, "0", 50)
    await progress(view, "0", 100)  # the client's uploader says so: trusted (storage checks)
    await view.submit("save", {})
    assert CONSUMED[0]["path"] == {"uploader": "Store", "key": "k0"}
    assert leftovers(temp) == []


async def test_max_entries_one_replaces_the_selected_file(client: LiveViewTestClient) -> None:
    view = await client.live("/lab?entries=1")
    await view.upload("files", [("first.txt", b"1")])
    ref = upload_ref(view)
    change = {"type": "form", "event": "validate", "value": "", "meta": {}}
    await view.push("event", {**change, "uploads": {ref: [entry("90", name="x.txt")]}})
    await view.push("event", {**change, "uploads": {ref: [entry("91", name="y.txt")]}})
    assert "x.txt" not in view.html and "y.txt" in view.html
    assert "first.txt" in view.html  # uploading (preflighted) entries stay


# limits -----------------------------------------------------------------------------------------


async def test_declared_too_large_is_refused_at_preflight(client: LiveViewTestClient) -> None:
    view = await client.live("/lab?max=100")
    reply = await preflight(view, entry("0", size=101))
    assert (reply["ref"], reply["error"]) == (upload_ref(view), [["0", "too_large"]])
    assert "|too_large</li>" in view.html


async def test_a_file_growing_past_max_file_size_is_stopped_at_that_byte(
    client: LiveViewTestClient, temp: Path
) -> None:
    view = await client.live("/lab?max=100")
    channel = await started(view, "0", 100)  # declares the limit, then sends more
    assert (await channel.chunk(b"x" * 60))["status"] == "ok"
    (path,) = leftovers(temp)
    refused = await channel.chunk(b"x" * 60)
    assert refused == {
        "status": "error",
        "response": {"reason": "file_size_limit_exceeded", "limit": 100},
    }
    assert not (temp / path).exists() or (temp / path).stat().st_size <= 100
    html = await view.wait_for(lambda html: "too_large" in html)
    assert "a.txt|0|False|too_large" in html
    assert leftovers(temp) == []


async def test_a_file_longer_than_declared_is_stopped_at_the_declared_size(
    client: LiveViewTestClient, temp: Path
) -> None:
    view = await client.live("/lab?max=1000")
    channel = await started(view, "0", 10)  # says 10 bytes, sends 11
    refused = await channel.chunk(b"x" * 11)
    assert refused["response"] == {"reason": "file_size_limit_exceeded", "limit": 10}
    await view.wait_for(lambda html: "too_large" in html)
    assert leftovers(temp) == []


async def test_too_many_files(client: LiveViewTestClient) -> None:
    view = await client.live("/lab?entries=2")
    reply = await preflight(view, entry("0"), entry("1"), entry("2"))
    assert sorted(reply["entries"]) == ["0", "1"]
    assert reply["errors"] == {"2": ["too_many_files"]}
    assert '<p id="errors">too_many_files</p>' in view.html
    assert f'data-phx-error-refs="{upload_ref(view)}"' in view.html
    await view.click("cancel", {"ref": "2"})
    assert '<p id="errors"></p>' in view.html


@pytest.mark.parametrize(
    ("accept", "name", "kind", "ok"),
    [
        (".png,.jpg", "a.png", "image/png", True),
        (".png,.jpg", "A.JPG", "image/jpeg", True),
        (".png,.jpg", "a.gif", "image/gif", False),  # extension not listed
        (".png,.jpg", "a.png", "text/html", False),  # declared type of another kind
        (".png,.jpg", "png", "image/png", False),  # no extension
        ("image/*", "photo", "image/heic", True),
        ("image/*", "a.png", "text/plain", False),
        ("application/pdf", "x.pdf", "application/pdf", True),
    ],
)
async def test_accept_by_extension_and_declared_type(
    client: LiveViewTestClient, accept: str, name: str, kind: str, ok: bool
) -> None:
    view = await client.live(f"/lab?accept={accept}")
    reply = await preflight(view, entry("0", name=name, kind=kind))
    assert ("entries" in reply) is ok
    if not ok:
        assert reply["error"] == [["0", "not_accepted"]]


async def test_chunk_timeout_fails_the_entry_and_closes_its_channel(
    client: LiveViewTestClient, temp: Path
) -> None:
    view = await client.live("/lab?timeout=100")
    channel = await started(view, "0", 10)
    await channel.chunk(b"12345")
    html = await view.wait_for(lambda html: "timeout" in html, timeout=10)
    assert "a.txt|0|False|timeout" in html
    assert leftovers(temp) == []
    closed = [f for f in view.pushes if f[2] == "lvu:0" and f[3] == "phx_close"]
    if not closed:  # it may still be on its way
        closed = [await view.socket.receive_frame()]
    assert closed[0][2:4] == ["lvu:0", "phx_close"]


async def test_progress_100_before_the_bytes_is_not_done(client: LiveViewTestClient) -> None:
    view = await client.live("/lab")
    channel = await started(view, "0", 10)
    await channel.chunk(b"12345")
    await progress(view, "0", 100)  # a lie
    assert "a.txt|99|False|" in view.html
    await channel.chunk(b"67890")
    await progress(view, "0", 100)
    assert "a.txt|100|True|" in view.html


# tokens and joins -------------------------------------------------------------------------------


async def test_tampered_or_foreign_tokens_are_invalid(client: LiveViewTestClient) -> None:
    view = await client.live("/lab")
    reply = await preflight(view, entry("0"), entry("1"))
    token0 = reply["entries"]["0"]
    assert (await Channel(view, "1").join(token0))["response"] == {"reason": "invalid_token"}
    assert (await Channel(view, "0").join(token0 + "x"))["response"] == {"reason": "invalid_token"}
    assert (await Channel(view, "0").join(None))["response"] == {"reason": "invalid_token"}
    other = await client.live("/lab")  # another view on its own websocket
    assert (await Channel(other, "0").join(token0))["response"] == {"reason": "invalid_token"}
    assert (await Channel(view, "0").join(token0))["status"] == "ok"
    again = await Channel(view, "0").join(token0)
    assert again["response"] == {"reason": "already_registered"}


async def test_a_token_of_an_earlier_mount_is_disallowed(client: LiveViewTestClient) -> None:
    view = await client.live("/lab")
    token = (await preflight(view, entry("0")))["entries"]["0"]
    await view.rejoin()  # a new mount: new upload refs
    assert (await Channel(view, "0").join(token))["response"] == {"reason": "disallowed"}


async def test_join_after_cancel_is_disallowed(client: LiveViewTestClient, temp: Path) -> None:
    view = await client.live("/lab")
    token = (await preflight(view, entry("0")))["entries"]["0"]
    await view.click("cancel", {"ref": "0"})
    assert (await Channel(view, "0").join(token))["response"] == {"reason": "disallowed"}
    assert leftovers(temp) == []


async def test_cancel_mid_upload_closes_the_channel_and_removes_the_file(
    client: LiveViewTestClient, temp: Path
) -> None:
    view = await client.live("/lab")
    channel = await started(view, "0", 10)
    await channel.chunk(b"12345")
    assert len(leftovers(temp)) == 1
    await view.click("cancel", {"ref": "0"})
    assert leftovers(temp) == []
    frame = await view.socket.receive_frame()
    assert frame[2:4] == ["lvu:0", "phx_close"]
    refused = await channel.chunk(b"67890")  # too late: the channel is gone
    assert refused == {"status": "error", "response": {"reason": "unmatched topic"}}


# bad frames -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "garbage",
    [
        b"",
        b"\x00",
        b"\x07abcdefgh",  # not a push
        b"\x00\x05\x05\x05\x05ab",  # lengths past the end
        b"\x00\x01\x01\x01\x01\xff\xfe\xfd\xfcdata",  # fields not UTF-8
        b"\x00\x00\x00\x00\x00payload",  # no topic, event or ref
        os.urandom(300),
    ],
)
async def test_garbage_binary_frames_are_dropped_and_the_socket_lives(
    client: LiveViewTestClient, garbage: bytes
) -> None:
    view = await client.live("/lab")
    await view.socket.send_bytes(garbage)
    reply, _ = await view.socket.request("phoenix", "heartbeat", {})
    assert reply[4]["status"] == "ok"
    await view.click("cancel", {"ref": "none"})  # the LiveView is fine too


async def test_chunks_for_unknown_refs_get_an_error_reply(client: LiveViewTestClient) -> None:
    view = await client.live("/lab")
    socket = view.socket
    await socket.send_bytes(encode_binary("1", "77", "lvu:999", "chunk", b"data"))
    reply = await socket.receive_reply("77", view._on_push)
    assert reply[4] == {"status": "error", "response": {"reason": "unmatched topic"}}
    channel = await started(view, "0", 10)
    wrong_join = encode_binary("nope", "78", channel.topic, "chunk", b"data")
    await socket.send_bytes(wrong_join)
    reply = await socket.receive_reply("78", view._on_push)
    assert reply[4]["response"] == {"reason": "unmatched topic"}
    await socket.send_bytes(encode_binary(channel.join_ref, "79", channel.topic, "other", b""))
    reply = await socket.receive_reply("79", view._on_push)
    assert reply[4]["response"] == {"reason": "unknown event 'other'"}


async def test_chunks_after_completion_are_refused_and_the_file_kept(
    client: LiveViewTestClient,
) -> None:
    view = await client.live("/lab")
    channel = await started(view, "0", 4)
    assert (await channel.chunk(b"abcd"))["status"] == "ok"
    assert (await channel.chunk(b"more"))["response"] == {"reason": "already_complete"}
    await progress(view, "0", 100)
    await view.submit("save", {})
    assert CONSUMED[0]["data"] == b"abcd"


async def test_progress_and_preflight_for_unknown_refs(client: LiveViewTestClient) -> None:
    view = await client.live("/lab")
    await view.push("progress", {"ref": "phx-nope", "entry_ref": "0", "progress": 50})
    await view.push("progress", {"ref": upload_ref(view), "entry_ref": "0", "progress": 50})
    await view.push("progress", {"ref": upload_ref(view), "entry_ref": 5, "progress": "x"})
    reply = await view.push("allow_upload", {"ref": "phx-nope", "entries": []})
    assert reply["error"] == [["phx-nope", "disallowed"]]
    reply = await view.push("allow_upload", {"ref": upload_ref(view), "entries": [1, {"ref": 2}]})
    assert reply["error"] == [[upload_ref(view), "disallowed"]]
    assert "<li" not in view.html


async def test_client_failure_is_recorded(client: LiveViewTestClient, temp: Path) -> None:
    view = await client.live("/lab")
    channel = await started(view, "0", 10)
    await channel.chunk(b"12")
    await progress(view, "0", {"error": "<script>"})
    assert "a.txt|0|False|external_client_failure" in view.html
    assert leftovers(temp) == []


async def test_a_hostile_file_name_is_shown_without_control_characters_never_a_path(
    client: LiveViewTestClient, temp: Path
) -> None:
    view = await client.live("/lab")
    name = "../../etc/\x00pass\x1bwd\n\u202e.txt"
    await view.upload("files", [(name, b"secret")])
    await view.submit("save", {})
    (consumed,) = CONSUMED
    assert consumed["name"] == "../../etc/passwd.txt"
    path = Path(consumed["path"])
    assert path.parent == temp and path.name.startswith(TEMP_PREFIX)
    assert consumed["data"] == b"secret"
    assert not (temp.parent / "etc").exists()


# the LiveView ends: its files go -------------------------------------------------------------


async def test_socket_killed_mid_upload_leaves_no_temp_file(
    client: LiveViewTestClient, temp: Path
) -> None:
    view = await client.live("/lab?max=100000")
    channel = await started(view, "0", 50_000)
    await channel.chunk(os.urandom(20_000))
    assert len(leftovers(temp)) == 1
    await view.socket.close()
    for _ in range(200):  # the connection's teardown runs on the app's side
        if not leftovers(temp):
            break
        await asyncio.sleep(0.01)
    assert leftovers(temp) == []


@pytest.mark.parametrize("how", ["crash", "leave"])
async def test_a_liveview_that_ends_leaves_no_temp_file(
    client: LiveViewTestClient, temp: Path, how: str
) -> None:
    view = await client.live("/lab")
    channel = await started(view, "0", 10)
    await channel.chunk(b"12345")
    if how == "crash":
        with pytest.raises(LiveViewCrashed):
            await view.click("boom")
    else:
        await view.leave()
    for _ in range(200):
        if not leftovers(temp):
            break
        await asyncio.sleep(0.01)
    assert leftovers(temp) == []


async def test_uploaded_entries_and_disallow(client: LiveViewTestClient, temp: Path) -> None:
    view = await client.live("/lab")
    channel = await started(view, "0", 4)
    await preflight(view, entry("1", size=4))
    await channel.chunk(b"abcd")
    await progress(view, "0", 100)
    assert '<p id="report">0/1</p>' in await view.click("entries")
    html = await view.click("disallow")
    assert "disallow_upload(&#39;files&#39;): entries are still uploading" in html
    await view.click("cancel", {"ref": "1"})
    assert '<p id="report">disallowed </p>' in await view.click("disallow")
    assert leftovers(temp) == []
