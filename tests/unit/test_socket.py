"""The socket's record of a callback (`Effects`) and its assigns mapping."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from liveview import JS, LiveViewSocket, SingleProcessPubSub
from liveview.socket import Effects, Navigation


def new_socket() -> LiveViewSocket:
    return LiveViewSocket(view_id="v", pubsub=SingleProcessPubSub(), connected=False)


def test_take_effects_gives_what_the_callback_did_and_starts_a_clean_record() -> None:
    socket = new_socket()
    socket.assign(count=1, name="a")
    socket.assign(count=2)
    socket.push_event("saved", {"id": 1})
    socket.page_title = "Hi"
    socket.push_patch("/x?page=2", replace=True)
    effects = socket.take_effects()
    assert list(effects.changed) == ["count", "name"]
    assert effects.events == (("saved", {"id": 1}),)
    assert effects.title == "Hi"
    assert effects.navigation == Navigation("patch", "/x?page=2", True)
    assert socket.take_effects() == Effects({}, (), None, None)


def test_a_cleared_title_is_an_empty_title_and_an_unchanged_one_is_none() -> None:
    socket = new_socket()
    socket.page_title = "Hi"
    socket.take_effects()
    socket.page_title = "Hi"
    assert socket.take_effects().title is None
    socket.page_title = None
    assert socket.take_effects().title == ""


def test_effects_then_follows_with_later_effects() -> None:
    first = Effects({"a": None}, (("e1", {}),), "T1", Navigation("patch", "/p"))
    later = Effects({"b": None, "a": None}, (("e2", {}),), None, None)
    assert first.then(later) == Effects(
        {"a": None, "b": None}, (("e1", {}), ("e2", {})), "T1", None
    )


@pytest.mark.parametrize("name", ["items", "keys", "values", "get"])
def test_an_assign_named_like_a_mapping_method_is_the_assign(name: str) -> None:
    socket = new_socket()
    socket.assign(**{name: ["x", "y"]})
    assert getattr(socket.assigns, name) == ["x", "y"]
    assert socket.assigns[name] == ["x", "y"]
    assert dict(Mapping.items(socket.assigns)) == {"flash": {}, name: ["x", "y"]}


def test_without_such_assigns_the_mapping_methods_work() -> None:
    socket = new_socket()
    socket.assign(a=1, b=2)
    assigns = socket.assigns
    assert dict(assigns.items()) == {"flash": {}, "a": 1, "b": 2}  # flash: always assigned
    assert list(assigns.keys()) == ["flash", "a", "b"] and list(assigns.values()) == [{}, 1, 2]
    assert assigns.get("a") == 1 and assigns.get("zzz", 3) == 3
    assert dict(assigns) == {"flash": {}, "a": 1, "b": 2} and isinstance(assigns, Mapping)
    with pytest.raises(AttributeError, match="no assign named 'zzz'"):
        _ = assigns.zzz


def test_an_equal_value_is_no_change_an_equal_js_chain_neither_a_list_always_is() -> None:
    socket = new_socket()
    socket.assign(n=1, name="a", close=JS.hide(to="#modal"), rows=[1])
    socket.take_effects()
    socket.assign(n=1, name="a", close=JS.hide(to="#modal"))  # JS chains are immutable
    assert not socket.take_effects().changed
    socket.assign(n=True)  # equal, another type: prints otherwise
    socket.assign(close=JS.hide(to="#other"), rows=socket.assigns.rows)
    assert set(socket.take_effects().changed) == {"n", "close", "rows"}
