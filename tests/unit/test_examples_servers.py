"""The servers example through `liveview.testing`: the selection in the URL through patch links,
a validated form that adds a server and selects it, and every tab following through pub/sub."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest

from liveview import LiveViewApp
from liveview.gallery import servers
from liveview.gallery.servers import Servers
from liveview.testing import LiveViewTestClient, assert_patch


@pytest.fixture
async def client() -> AsyncIterator[LiveViewTestClient]:
    servers.SERVERS.clear()
    servers.SERVERS.update(servers.seed())
    async with LiveViewTestClient(LiveViewApp(routes={"/servers": Servers}, secret="s")) as client:
        yield client


def selected(html: str) -> str:
    found = re.search(r'<section id="details"[^>]*>\s*<h2>([^<]*)</h2>', html)
    return found[1] if found else ""


async def test_a_link_in_the_list_selects_a_server_by_url(client: LiveViewTestClient) -> None:
    view = await client.live("/servers")
    assert selected(view.html) == "dancing-lizard" and view.title == "Servers: dancing-lizard"
    link = re.search(r'<a id="server-3" href="([^"]+)" data-phx-link="patch"', view.html)
    assert link is not None and link[1] == "/servers?id=3"
    html = await view.element("a#server-3").click()  # a patch link: no remount
    assert await assert_patch(view, "/servers?id=3")
    assert selected(html) == "curious-raven" and view.title == "Servers: curious-raven"
    assert re.search(r'id="server-3"[^>]*\s+aria-current="page"', html)
    assert '<dd id="status" class="status down">down</dd>' in html
    assert selected((await client.get("/servers?id=4")).text) == "tranquil-otter"  # dead render


@pytest.mark.parametrize("asked", ["999", "abc", ""])
async def test_an_unknown_server_in_the_url_shows_the_first_and_says_so(
    client: LiveViewTestClient, asked: str
) -> None:
    view = await client.live(f"/servers?id={asked}")
    assert selected(view.html) == "dancing-lizard"
    assert f"There is no server &#39;{asked}&#39;: showing the first." in view.html
    assert 'id="notice"' not in await view.element("nav#server-list a#server-2").click()


async def test_toggle_takes_a_server_down_on_every_tab(client: LiveViewTestClient) -> None:
    one = await client.live("/servers?id=2")
    two = await client.live("/servers?id=2")
    html = await one.element("button#toggle").click()  # the selected server: 2
    assert '<dd id="status" class="status down">down</dd>' in html and "Bring up" in html
    await two.wait_for(lambda html: '<dd id="status" class="status down">down</dd>' in html)
    await one.element("button#toggle").click({"id": "12345"})  # no such server: nothing happens
    assert "Bring up" in one.html


async def test_the_form_validates_then_adds_and_selects_the_server(
    client: LiveViewTestClient,
) -> None:
    view = await client.live("/servers?id=1")
    other = await client.live("/servers")
    form = view.form("#new_server")
    await form.change({"new_server": {"name": "Lively-Frog"}})
    assert form.errors == {"new_server[name]": ["is already taken"]}
    await form.submit({"new_server": {"name": "a b", "framework": "", "size": "-1"}})
    assert set(form.errors) == {"new_server[name]", "new_server[framework]", "new_server[size]"}
    assert form.errors["new_server[name]"] == [
        "use lowercase letters, digits and dashes, like brave-badger"
    ]
    assert len(servers.SERVERS) == 5  # nothing saved
    await form.submit({"new_server": {"name": "brave-badger", "framework": "Django", "size": "12"}})
    assert selected(view.html) == "brave-badger" and view.title == "Servers: brave-badger"
    assert re.fullmatch(r"/servers\?id=\d+", await assert_patch(view))
    assert form.errors == {} and 'value="brave-badger"' not in view.html  # an empty form again
    await other.wait_for(lambda html: "brave-badger" in html)
    assert selected(other.html) == "dancing-lizard"  # the other tab keeps its selection


async def test_a_full_list_refuses_more_servers(client: LiveViewTestClient) -> None:
    for n in range(len(servers.SERVERS), servers.MAX_SERVERS):
        servers.SERVERS[10_000 + n] = {**servers.SERVERS[1], "id": 10_000 + n, "name": f"s{n}"}
    view = await client.live("/servers")
    await view.form("#new_server").submit(
        {"new_server": {"name": "one-too-many", "framework": "Flask", "size": "1"}}
    )
    assert "The list is full (50 servers): a demo keeps it short." in view.html
    assert len(servers.SERVERS) == servers.MAX_SERVERS and "one-too-many" not in view.html
