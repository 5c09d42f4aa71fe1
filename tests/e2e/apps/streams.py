"""The stream conformance page: a LiveView applying the stream operations it is sent
(`tests/conformance/stream_cases.py`)."""

from __future__ import annotations

from liveview import LiveViewApp
from tests.conformance.stream_cases import StreamSteps

app = LiveViewApp(routes={"/": StreamSteps}, secret="stream-conformance")
