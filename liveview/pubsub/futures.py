"""Settling the futures that wait on a broker connection: acknowledgements, confirmations.

A connection that fails leaves many waiters at once; `fail` settles them all. Either helper
skips a future already settled: its waiter may have given up (cancelled) meanwhile.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any


def fail(futures: Iterable[asyncio.Future[Any]], error: BaseException) -> None:
    """Settle the futures still pending with `error`.

    Each is marked retrieved: whoever awaits it still gets the error, and one nobody awaits
    any more (its publisher gave up) is not logged as never retrieved.
    """
    for future in futures:
        if not future.done():
            future.set_exception(error)
            future.exception()


def succeed(future: asyncio.Future[None]) -> None:
    """Settle a future with None, unless it is settled."""
    if not future.done():
        future.set_result(None)
