"""What decoding a hostile form costs the event loop: long bracket keys, and the worst forms
within the caps (`liveview/channel/params.py`).

    .venv/bin/python bench/form_keys.py
    git show fa3abd7:liveview/channel/params.py > /tmp/params_before.py
    .venv/bin/python bench/form_keys.py --module /tmp/params_before.py   # the decoder before

Each figure is the best of `--repeat` runs, in seconds, with what the call returned or raised.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from collections.abc import Callable
from types import ModuleType
from typing import Any

SEGMENTS = (20_000, 60_000, 240_000)
MIB = 1_048_576


def load(path: str | None) -> ModuleType:
    if path is None:
        from liveview.channel import params

        return params
    spec = importlib.util.spec_from_file_location("params_under_test", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def best(call: Callable[[], Any], repeat: int) -> tuple[float, str]:
    times = []
    outcome = ""
    for _ in range(repeat):
        start = time.perf_counter()
        try:
            call()
            outcome = "decoded"
        except Exception as exc:  # what it raised is part of the figure
            outcome = type(exc).__name__
        times.append(time.perf_counter() - start)
    return min(times), outcome


def within_caps() -> dict[str, str]:
    """Forms of about 1 MiB that stay under every cap: what a legitimate-looking event can cost."""
    deep = "a" + "[b]" * 100 + "=1"
    encoded_deep = "a" + "%5Bb%5D" * 100 + "=1"  # as the client encodes brackets
    wide = "x" * 95
    return {
        "one 1 MiB value": "a=" + "x" * (MIB - 2),
        "10,000 fields of 100 chars": "&".join(f"f{n}={wide}" for n in range(9_999)),
        "3,400 keys 100 levels deep": "&".join([deep] * 3_400),
        "1,400 keys 100 levels deep, %-encoded": "&".join([encoded_deep] * 1_400),
        "10,000 list entries `a[][b]=`": "&".join(["a%5B%5D%5Bb%5D="] * 9_999),
        "1 MiB of non-ASCII text, %-encoded": "a=" + "%E4%B8%AD" * ((MIB - 2) // 9),
        "1 MiB of `%`": "a=" + "%" * (MIB - 2),  # urllib's unquote: a Python step per `%`
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--module", help="a params.py to time instead of liveview's")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    params = load(args.module)
    sys.setrecursionlimit(1_000)  # CPython's default, as a server runs

    print("| key `a[b][b]…=1` | chars | split_key | decode_form |")
    print("|---|---|---|---|")
    for segments in SEGMENTS:
        key = "a" + "[b]" * segments
        split, split_outcome = best(lambda key=key: params.split_key(key), args.repeat)
        decode, decode_outcome = best(lambda key=key: params.decode_form(key + "=1"), args.repeat)
        print(
            f"| {segments:,} segments | {len(key):,} | {split:.4f} s ({split_outcome}) "
            f"| {decode:.4f} s ({decode_outcome}) |"
        )
    print()
    print("| form within the caps | chars | decode_form |")
    print("|---|---|---|")
    for name, encoded in within_caps().items():
        decode, outcome = best(lambda encoded=encoded: params.decode_form(encoded), args.repeat)
        print(f"| {name} | {len(encoded):,} | {decode:.4f} s ({outcome}) |")


if __name__ == "__main__":
    main()
