"""docs/pubsub.md: the shared counter in two tabs and a tab opened later, the dashboard fed by
the app's lifespan, the broker apps constructed as written, the `handle_gap` samples reloading
from the source of truth, and the publish-from-a-script sample (run against a real Redis in
tests/integration/test_docs_brokers.py)."""

from __future__ import annotations

from liveview import LiveViewApp, SingleProcessPubSub
from liveview.testing import LiveViewTestClient
from tests.docs.pages import run_page


async def test_the_shared_counter_and_the_dashboard_fed_by_the_lifespan() -> None:
    code = run_page("pubsub.md")
    async with LiveViewTestClient(code["app"]) as client:
        ann, bob = await client.live("/counter"), await client.live("/counter")
        await ann.click("inc")
        await ann.wait_for(lambda html: '<h1 id="count">1</h1>' in html)  # through pub/sub
        await bob.wait_for(lambda html: '<h1 id="count">1</h1>' in html)
        late = await client.live("/counter")  # a tab opened later starts from the truth
        assert '<h1 id="count">1</h1>' in late.html
        dashboard = await client.live("/dashboard")
        await dashboard.wait_for(lambda html: '<p id="load">0.10</p>' in html, timeout=3)


async def test_the_broker_apps_construct_as_written() -> None:
    code = run_page("pubsub.md")
    assert isinstance(code["redis_app"], LiveViewApp)
    assert isinstance(code["postgres_app"], LiveViewApp)
    assert isinstance(code["any_app"], LiveViewApp)


async def test_handle_gap_samples_reload_from_the_source_of_truth() -> None:
    code = run_page("pubsub.md")
    pubsub = SingleProcessPubSub()
    routes = {"/count": code["Count"], "/orders": code["Orders"]}
    app = LiveViewApp(routes=routes, pubsub=pubsub)
    async with LiveViewTestClient(app) as client:
        view = await client.live("/count")
        assert "<p>7</p>" in view.html
        await pubsub.publish("count", {"count": 8})
        await view.wait_for(lambda html: "<p>8</p>" in html)
        page = await client.live("/orders")
        assert "<li>2 tea</li>" in page.html
        order = {"type": "order", "order": {"quantity": 1, "item": "cake"}}
        await pubsub.publish("orders", order)
        await page.wait_for(lambda html: "<li>1 cake</li>" in html)
