"""What a crash tells the browser, so that a failure is never silent there.

When a LiveView fails, the channel pushes `liveview:error` with a `CrashReport` just before the
error the client rejoins on; the layout's script shows it (`static/app.js`): a notice that the
page was reset, and in debug an overlay with the exception, the view, the callback and the
line of the user's code that raised. In debug, a crash while joining sends the browser to the
page again with the report in Phoenix's reload-status cookie, and the dead render shows the
error page instead of mounting into the same crash again (`error_page`).

Outside debug nothing of the exception leaves the server: the report says only that something
went wrong.
"""

from __future__ import annotations

import os
import sysconfig
import traceback
from dataclasses import asdict, dataclass
from types import TracebackType
from typing import Any

from markupsafe import Markup, escape

EVENT = "liveview:error"
"""The event pushed to the page (the browser gets `phx:liveview:error` on `window`)."""

RELOAD_COOKIE = "__phoenix_reload_status__"
"""The cookie the client sets from a join's `reload` reply before loading the page again."""

TRACEBACK_CHARS = 2_000
"""The end of a traceback kept in a report (it travels in a cookie: under 4 KB in all)."""

_PACKAGE = os.path.dirname(os.path.abspath(__file__)) + os.sep
_LIBRARIES = tuple(
    {
        os.path.abspath(path) + os.sep
        for name, path in sysconfig.get_paths().items()
        if name in ("stdlib", "platstdlib", "purelib", "platlib") and path
    }
)


@dataclass(frozen=True)
class CrashReport:
    """One crash, as the browser is told of it."""

    message: str
    """Always there: what happened, in words for anyone."""
    view: str = ""
    callback: str = ""
    exception: str = ""
    where: str = ""
    """The user's file and line that raised, `path:line`."""
    traceback: str = ""

    @property
    def debug(self) -> bool:
        return bool(self.exception)

    def to_json(self) -> dict[str, Any]:
        return {key: value for key, value in asdict(self).items() if value}

    @classmethod
    def from_json(cls, data: Any) -> CrashReport | None:
        if not isinstance(data, dict) or not isinstance(data.get("message"), str):
            return None
        fields = {name: data.get(name, "") for name in cls.__dataclass_fields__}
        if not all(isinstance(value, str) for value in fields.values()):
            return None
        return cls(**fields)


def report(error: BaseException, view: str, *, debug: bool, joining: bool = False) -> CrashReport:
    """The report of `error`, raised in LiveView `view`; details only in `debug`."""
    if not debug:
        return CrashReport("Something went wrong; the page was reset.")
    callback, where = _user_code(error.__traceback__)
    text = "".join(traceback.format_exception(error))
    return CrashReport(
        message=f"{view} crashed{' while joining' if joining else ''}",
        view=view,
        callback=callback,
        exception=f"{type(error).__qualname__}: {error}"[:500],
        where=where,
        traceback=text[-TRACEBACK_CHARS:],
    )


def _user_code(tb: TracebackType | None) -> tuple[str, str]:
    """The first function of the user's code the traceback passes through (the callback),
    and the last place in it (where the exception was raised, or left the user's code)."""
    callback = where = ""
    for frame, line in traceback.walk_tb(tb):
        filename = os.path.abspath(frame.f_code.co_filename)
        if not _is_user_code(filename, frame.f_code.co_filename):
            continue
        if not callback:
            callback = frame.f_code.co_name
        where = f"{frame.f_code.co_filename}:{line}"
    return callback, where


def _is_user_code(path: str, name: str) -> bool:
    if name.startswith("<") or path.startswith(_PACKAGE):
        return False
    parts = path.split(os.sep)
    if "site-packages" in parts or "dist-packages" in parts:
        return False
    return not path.startswith(_LIBRARIES)


def error_page(crash: CrashReport | None) -> str:
    """The page the dead render answers with after a crash while joining (debug: details)."""
    title = "Something went wrong"
    parts = [f"<h1>{escape(title)}</h1>"]
    if crash is not None and crash.debug:
        parts.append(f"<p><strong>{escape(crash.message)}</strong></p>")
        details = [
            ("Exception", crash.exception),
            ("Callback", crash.callback),
            ("Where", crash.where),
        ]
        rows = "".join(
            f"<dt>{name}</dt><dd><code>{escape(value)}</code></dd>"
            for name, value in details
            if value
        )
        parts.append(f"<dl>{rows}</dl>")
        parts.append(f"<pre>{escape(crash.traceback)}</pre>")
    else:
        parts.append("<p>The page could not be loaded. Please try again in a moment.</p>")
    parts.append('<p><a href="">Try again</a></p>')
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{escape(title)}</title><style>body{{font-family:system-ui,sans-serif;"
        "max-width:60rem;margin:2rem auto;padding:0 1rem}pre{background:#f6f6f6;padding:1rem;"
        "overflow:auto}dt{font-weight:600}</style></head><body>"
        + str(Markup("").join(Markup(part) for part in parts))
        + "</body></html>"
    )
