"""docs/navigation-and-auth.md: the sign-in flow (a guarded page, a wrong and a right password,
the flash, the sign-out reaching the open tab) and the live sessions' app."""

from __future__ import annotations

from liveview import LiveViewApp
from liveview.testing import LiveViewTestClient
from tests.docs.pages import run_page


async def test_the_authentication_flow() -> None:
    code = run_page("navigation-and-auth.md", run_tests=False)
    app = code["app"]
    async with LiveViewTestClient(app) as client:
        refused = await client.get("/profile")
        assert refused.status_code == 302 and refused.headers["location"] == "/sign-in"
        wrong = await client.http.post("/session", data={"name": "alice", "password": "no"})
        assert wrong.headers["location"] == "/sign-in"
        signed = await client.http.post(
            "/session", data={"name": "alice", "password": "wonderland"}
        )
        assert signed.headers["location"] == "/"
        view = await client.live("/profile")
        assert view.html.startswith("<p>Signed in as alice</p>") and "Welcome, alice!" in view.html
        await client.http.post("/sign-out")
        frame = await view.socket.receive_frame()  # the open tab loads its page over HTTP
        assert frame[3] == "redirect"
        assert (await client.get("/profile")).status_code == 302


async def test_live_sessions() -> None:
    app = run_page("navigation-and-auth.md", run_tests=False)["admin_app"]
    assert isinstance(app, LiveViewApp)
    async with LiveViewTestClient(app) as client:
        assert "<p>home</p>" in (await client.live("/")).html
        assert 'data-phx-link="redirect"' in (await client.live("/admin")).html
