"""The gallery's three form pages on an app of their own, for tests that run them in-process
(the whole gallery also brings the kanban's `Card`, a live component name the README's own
example uses too)."""

from pathlib import Path

from liveview import LiveViewApp
from liveview.gallery.signup import ROUTES, SignupView
from liveview.gallery.team import TeamForm
from liveview.gallery.volunteers import Volunteers

FORMS_CSS = (Path(__file__).parent / "forms.css").read_text(encoding="utf-8")

app = LiveViewApp(
    routes={"/signup": SignupView, "/volunteers": Volunteers, "/team": TeamForm},
    title="liveview forms",
    head=f"<style>{FORMS_CSS}</style>",
    extra_routes=ROUTES,
)
