"""SingleProcessPubSub: the shared contract, plus what only the in-process backend promises."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import orjson
import pytest

from liveview.pubsub import SingleProcessPubSub
from tests.pubsub_contract import Inbox, PubSubContract


class TestSingleProcessPubSubContract(PubSubContract):
    @pytest.fixture
    def make_pubsub(self) -> type[SingleProcessPubSub]:
        return SingleProcessPubSub


@pytest.fixture
async def instances() -> AsyncIterator[list[SingleProcessPubSub]]:
    """Instances a test makes (started or not); all closed afterwards."""
    made: list[SingleProcessPubSub] = []
    yield made
    for pubsub in made:
        await pubsub.close()


def make(instances: list[SingleProcessPubSub]) -> SingleProcessPubSub:
    pubsub = SingleProcessPubSub()
    instances.append(pubsub)
    return pubsub


async def test_instances_share_one_hub_without_being_started(
    instances: list[SingleProcessPubSub],
) -> None:
    app, model = make(instances), make(instances)
    received: list[Any] = []
    await app.subscribe("room", received.append)
    await model.publish("room", {"from": "model"})
    assert received == [{"from": "model"}]


async def test_subscribe_and_publish_before_start_then_start(
    instances: list[SingleProcessPubSub],
) -> None:
    pubsub = make(instances)
    received: list[Any] = []
    await pubsub.subscribe("t", received.append)
    await pubsub.publish("t", 1)
    await pubsub.start()
    await pubsub.publish("t", 2)
    assert received == [1, 2]


async def test_close_without_start_removes_the_instances_subscriptions(
    instances: list[SingleProcessPubSub],
) -> None:
    closing, staying = make(instances), make(instances)
    gone: list[Any] = []
    kept: list[Any] = []
    await closing.subscribe("t", gone.append)
    await staying.subscribe("t", kept.append)
    await closing.close()
    await staying.publish("t", "x")
    assert (gone, kept) == ([], ["x"])


async def test_sync_handlers_have_run_when_publish_returns(
    instances: list[SingleProcessPubSub],
) -> None:
    pubsub = make(instances)
    received: list[Any] = []
    await pubsub.subscribe("t", received.append)
    await pubsub.publish("t", {"n": 1})
    assert received == [{"n": 1}]


async def test_no_serialization_subscribers_get_a_normalized_copy(
    instances: list[SingleProcessPubSub], monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> Any:
        raise AssertionError("the in-process backend must not serialize")

    monkeypatch.setattr(orjson, "dumps", refuse)
    monkeypatch.setattr(orjson, "loads", refuse)
    pubsub = make(instances)
    first: list[Any] = []
    second: list[Any] = []
    await pubsub.subscribe("t", first.append)
    await pubsub.subscribe("t", second.append)
    inner = [1, 2]
    message = {"inner": inner, "pair": (3, 4)}
    await pubsub.publish("t", message)
    (received,) = first
    assert received == {"inner": [1, 2], "pair": [3, 4]}
    assert received is not message
    assert received["inner"] is not inner
    assert second[0] is received  # one copy per publish, shared by subscribers (read-only)


async def test_fan_out_to_a_thousand_sync_subscribers_makes_no_tasks(
    instances: list[SingleProcessPubSub],
) -> None:
    pubsub = make(instances)
    inboxes = [Inbox(5.0) for _ in range(1000)]
    for inbox in inboxes:
        await pubsub.subscribe("crowd", inbox)
    tasks_before = len(asyncio.all_tasks())
    for n in range(10):
        await pubsub.publish("crowd", {"n": n})
    assert len(asyncio.all_tasks()) == tasks_before
    assert all(len(inbox.messages) == 10 for inbox in inboxes)
    assert inboxes[-1].messages == [{"n": n} for n in range(10)]


async def test_async_handler_task_exists_only_while_messages_wait(
    instances: list[SingleProcessPubSub],
) -> None:
    pubsub = make(instances)
    inbox = Inbox(5.0)
    await pubsub.subscribe("t", inbox.receive_async)
    tasks_before = len(asyncio.all_tasks())
    for n in range(5):
        await pubsub.publish("t", n)
    assert len(asyncio.all_tasks()) == tasks_before + 1  # one drain task, not one per message
    assert await inbox.wait_for(5) == [0, 1, 2, 3, 4]
    for _ in range(3):
        await asyncio.sleep(0)  # let the drain task finish
    assert len(asyncio.all_tasks()) == tasks_before


async def test_unsubscribe_drops_messages_queued_for_an_async_handler(
    instances: list[SingleProcessPubSub],
) -> None:
    pubsub = make(instances)
    inbox = Inbox(5.0)
    subscription_id = await pubsub.subscribe("t", inbox.receive_async)
    for n in range(3):
        await pubsub.publish("t", n)  # queued: the handler has not run yet
    await pubsub.unsubscribe("t", subscription_id)
    witness = Inbox(5.0)
    await pubsub.subscribe("t", witness.receive_async)
    await pubsub.publish("t", "marker")
    await witness.wait_for(1)
    assert inbox.messages == []


async def test_unsubscribe_with_the_wrong_topic_does_nothing(
    instances: list[SingleProcessPubSub],
) -> None:
    pubsub = make(instances)
    received: list[Any] = []
    subscription_id = await pubsub.subscribe("a", received.append)
    await pubsub.unsubscribe("b", subscription_id)
    await pubsub.publish("a", 1)
    assert received == [1]
    assert pubsub.subscription_count == 1


async def test_unsubscribe_through_another_instance_does_nothing(
    instances: list[SingleProcessPubSub],
) -> None:
    """Ids are global, but an instance only ends its own subscriptions (as on every backend)."""
    owner, stranger = make(instances), make(instances)
    received: list[Any] = []
    subscription_id = await owner.subscribe("t", received.append)
    await stranger.unsubscribe("t", subscription_id)
    await stranger.publish("t", 1)
    assert received == [1]


async def test_exclude_works_across_instances(instances: list[SingleProcessPubSub]) -> None:
    subscriber, publisher = make(instances), make(instances)
    skipped: list[Any] = []
    kept: list[Any] = []
    skipped_id = await subscriber.subscribe("t", skipped.append)
    await subscriber.subscribe("t", kept.append)
    await publisher.publish("t", "x", exclude=skipped_id)
    assert (skipped, kept) == ([], ["x"])


async def test_subscription_ids_carry_a_process_token(
    instances: list[SingleProcessPubSub],
) -> None:
    pubsub = make(instances)
    first = await pubsub.subscribe("t", print)
    second = await pubsub.subscribe("t", print)
    token, _, number = first.rpartition(".")
    assert len(token) == 16 and number.isdigit()
    assert second.startswith(token + ".") and second != first


async def test_close_from_inside_an_async_handler(instances: list[SingleProcessPubSub]) -> None:
    pubsub = make(instances)
    done = asyncio.Event()

    async def close_myself(message: Any) -> None:
        await pubsub.close()
        done.set()

    await pubsub.subscribe("t", close_myself)
    await pubsub.publish("t", "close")
    async with asyncio.timeout(5):
        await done.wait()
    assert pubsub.subscription_count == 0
