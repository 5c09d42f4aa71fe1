"""docs/components.md's board: two pages, a rename in one shows in the other as that card's
cid only."""

from __future__ import annotations

from liveview import LiveViewApp, SingleProcessPubSub
from liveview.testing import LiveViewTestClient
from tests.docs.pages import run_page


async def test_the_board_keeps_two_pages_in_step() -> None:
    code = run_page("components.md")
    app = LiveViewApp(routes={"/": code["Board"]}, pubsub=SingleProcessPubSub())
    async with LiveViewTestClient(app) as client:
        ann, bob = await client.live("/"), await client.live("/")
        assert "Write the docs" in bob.html and "Ship it" in bob.html
        await ann.click("edit", phx_target="#card-c1")
        assert '<input name="title" value="Write the docs">' in ann.html
        await ann.submit("save", {"title": "Docs done"}, phx_target="#card-c1")
        push = await bob.receive_push()
        cid = bob.cid_of("#card-c1")
        assert push[4] == {"c": {str(cid): {"1": {"1": "Docs done"}}}}  # its title slot only
        assert "Docs done" in bob.html and "<input" not in bob.html
