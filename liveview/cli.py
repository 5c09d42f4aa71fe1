"""The `liveview` command: serve the example gallery or any app."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence


def _serve(app: str, host: str, port: int, reload: bool) -> int:
    import uvicorn

    sys.path.insert(0, os.getcwd())
    uvicorn.run(app, host=host, port=port, reload=reload, ws_per_message_deflate=False)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="liveview", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    gallery = commands.add_parser("gallery", help="serve the example gallery (run from the repo)")
    run = commands.add_parser("run", help="serve an app given as module:attribute")
    run.add_argument("app", help="e.g. myproject.web:app")
    for sub in (gallery, run):
        sub.add_argument("--host", default="127.0.0.1")
        sub.add_argument("--port", type=int, default=8000)
        sub.add_argument("--reload", action="store_true", help="restart on code changes")

    args = parser.parse_args(argv)
    if args.command == "gallery":
        if not os.path.isfile(os.path.join(os.getcwd(), "examples", "gallery.py")):
            parser.error("run `liveview gallery` from the repository root (examples/ not found)")
        return _serve("examples.gallery:app", args.host, args.port, args.reload)
    return _serve(args.app, args.host, args.port, args.reload)


if __name__ == "__main__":
    sys.exit(main())
