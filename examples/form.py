"""A form validated as you type (`phx-change`) and saved on submit (`phx-submit`)."""

from typing import Any

from liveview import LiveView, LiveViewSocket


class SignupForm(LiveView):
    template = """
    <h1>Sign up</h1>
    <form id="signup" phx-change="validate" phx-submit="save">
      <label>Name <input id="name" name="user[name]" value="{{ name }}" phx-debounce="0"></label>
      <label>Email <input id="email" name="user[email]" value="{{ email }}"></label>
      <button id="save" type="submit">Save</button>
    </form>
    <p>Hello, <span id="echo">{{ name }}</span>!</p>
    {% if errors %}
    <ul id="errors">{% for error in errors %}<li>{{ error }}</li>{% endfor %}</ul>
    {% endif %}
    {% if saved %}<p id="saved">Saved {{ saved }}.</p>{% endif %}
    """

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        socket.assign(name="", email="", errors=[], saved=None)

    async def handle_event(
        self, event: str, payload: dict[str, Any], socket: LiveViewSocket
    ) -> None:
        user = payload.get("user", {})
        name, email = user.get("name", ""), user.get("email", "")
        errors = []
        if event == "save" and not name:
            errors.append("Name can't be blank")
        if email and "@" not in email:
            errors.append("Email must contain @")
        socket.assign(name=name, email=email, errors=errors)
        if event == "save" and not errors:
            socket.assign(saved=name)
