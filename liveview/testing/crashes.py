"""Which exception made a LiveView crash, read from the app's log.

The channel logs every crash with its traceback on the `liveview` logger, naming the topic
("LiveView %s crashed", topic), before it sends `phx_error` or `join crashed`. `CrashLog`
keeps those exceptions while it listens, so that the test client can raise `LiveViewCrashed`
from the LiveView's own exception.
"""

from __future__ import annotations

import logging
from collections import deque

LOGGER = "liveview"


class CrashLog(logging.Handler):
    """The exceptions logged on the `liveview` logger, by the topic their message names."""

    def __init__(self, size: int = 100) -> None:
        super().__init__(logging.ERROR)
        self._logged: deque[tuple[list[str], BaseException]] = deque(maxlen=size)

    def listen(self) -> None:
        logging.getLogger(LOGGER).addHandler(self)

    def close(self) -> None:
        logging.getLogger(LOGGER).removeHandler(self)
        super().close()

    def emit(self, record: logging.LogRecord) -> None:
        error = record.exc_info[1] if record.exc_info else None
        if error is None:
            return
        try:
            args = record.args if isinstance(record.args, tuple) else ()
            names = [arg for arg in args if isinstance(arg, str)] + record.getMessage().split()
        except Exception:
            self.handleError(record)
            return
        self._logged.append((names, error))

    def take(self, topic: str) -> BaseException | None:
        """The last exception logged for `topic`, if any (it is then forgotten)."""
        for entry in reversed(self._logged):
            names, error = entry
            if topic in names:
                self._logged.remove(entry)
                return error
        return None
