"""What `liveview` and `liveview.pubsub` export, and the old imports that still work (warned)."""

from __future__ import annotations

import importlib

import pytest

import liveview
import liveview.pubsub


def test_the_top_level_exports_the_pubsub_names_once_listed() -> None:
    assert set(liveview.pubsub.__all__) <= set(liveview.__all__)
    assert len(liveview.__all__) == len(set(liveview.__all__))
    for name in liveview.__all__:
        assert getattr(liveview, name) is not None
    for name in ("from_url", "Timer", "TemplateSyntaxError"):
        assert name in liveview.__all__


@pytest.mark.parametrize(
    ("name", "module"),
    [
        ("BrokerPubSub", "liveview.pubsub.broker"),
        ("Handler", "liveview.pubsub.hub"),
        ("JSONValue", "liveview.pubsub.messages"),
        ("Envelope", "liveview.pubsub.wire"),
        ("decode_payload", "liveview.pubsub.wire"),
        ("channel_for", "liveview.pubsub.postgres"),
    ],
)
def test_names_that_moved_out_of_liveview_pubsub_still_import_with_a_warning(
    name: str, module: str
) -> None:
    assert name not in liveview.pubsub.__all__
    with pytest.warns(DeprecationWarning, match=f"import it from {module}"):
        moved = getattr(liveview.pubsub, name)
    assert moved is getattr(importlib.import_module(module), name)


def test_an_unknown_name_is_still_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_name"):
        liveview.pubsub.no_such_name  # type: ignore[attr-defined]  # noqa: B018
