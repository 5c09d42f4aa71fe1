import pytest

from liveview.channel import frames
from liveview.channel.frames import Frame, MalformedFrame


def test_roundtrip() -> None:
    text = frames.encode("1", "2", "lv:x", "event", {"a": [1, "b"]})
    assert frames.decode(text) == Frame("1", "2", "lv:x", "event", {"a": [1, "b"]}, len(text))


def test_reply_shape() -> None:
    text = frames.reply(None, "7", "phoenix", "ok", {})
    assert frames.decode(text) == Frame(
        None, "7", "phoenix", "phx_reply", {"status": "ok", "response": {}}, len(text)
    )


@pytest.mark.parametrize(
    ("text", "reason", "ref"),
    [
        ("not json", "frame is not JSON", None),
        ('{"a": 1}', "frame is not a five-element array", None),
        ("[1, 2, 3]", "frame is not a five-element array", None),
        ('[null, "1", "", "x", {}]', "topic must be a non-empty string", None),
        ('[null, 5, "lv:a", "x", {}]', "ref must be a string or null", None),
        ('[null, "1", "lv:a", "x", []]', "payload must be an object", "1"),
        ('[null, "1", "lv:a", 3, {}]', "event must be a non-empty string", "1"),
    ],
)
def test_malformed(text: str, reason: str, ref: str | None) -> None:
    with pytest.raises(MalformedFrame) as info:
        frames.decode(text)
    assert info.value.reason == reason
    assert info.value.ref == ref
