"""The `liveview` command: serve the example gallery or any app; publish to a topic; name a
PostgreSQL channel; write a new project."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence


def _serve(app: str, args: argparse.Namespace) -> int:
    from liveview.app import DEBUG_ENV
    from liveview.channel.connection import MAX_FRAME_SIZE
    from liveview.server import serve
    from liveview.session import DEVELOPMENT_SECRET, SECRET_ENV, development_secret

    if args.debug:  # in the environment, for the processes `--reload` starts
        os.environ[DEBUG_ENV] = "1"
    if args.workers > 1:
        refusals = _refusals_for_workers(app, args)
        if refusals:
            for refusal in refusals:
                print(f"liveview {args.command}: {refusal}", file=sys.stderr)
            return 2
    if not os.environ.get(SECRET_ENV):
        # Set in the environment, so the processes `--reload` starts inherit it.
        os.environ[SECRET_ENV] = development_secret(os.getcwd())
        print(
            f"liveview: {SECRET_ENV} is not set: using the development secret kept in "
            f"{DEVELOPMENT_SECRET} (open tabs survive restarts); set {SECRET_ENV} in production",
            file=sys.stderr,
        )
    serve(
        app,
        args.host,
        args.port,
        args.reload,
        args.max_frame_size or MAX_FRAME_SIZE,
        log_level=args.log_level,
        workers=args.workers,
        drain_timeout=args.drain_timeout,
        ws_per_message_deflate=args.ws_per_message_deflate,
        proxy_headers=args.proxy_headers,
        forwarded_allow_ips=args.forwarded_allow_ips,
    )
    return 0


def _refusals_for_workers(app: str, args: argparse.Namespace) -> list[str]:
    """Why `app` cannot run in several workers, before any starts: each worker must verify the
    others' tokens (one secret) and hear their publishes (a broker), since any request may
    land on any worker."""
    from uvicorn.importer import ImportFromStringError, import_from_string

    from liveview.pubsub import SingleProcessPubSub
    from liveview.server import find_live_app

    workers = f"--workers {args.workers}"
    if args.reload:
        return [f"{workers} cannot be combined with --reload (which runs one process)"]
    sys.path.insert(0, os.getcwd())
    try:
        live_app = find_live_app(import_from_string(app))
    except ImportFromStringError as error:
        return [f"cannot import {app}: {error}"]
    if live_app is None:
        return []  # not ours to check (a custom ASGI app): the user knows what it shares
    refusals = []
    if isinstance(live_app.pubsub, SingleProcessPubSub):
        refusals.append(
            f"{workers} needs a pub/sub all workers share, and {app} uses SingleProcessPubSub "
            "(its messages stay in one process). Give the app pubsub=RedisPubSub(url) or "
            "pubsub=PostgresPubSub(dsn), or pubsub=from_url(os.environ.get("
            '"LIVEVIEW_PUBSUB_URL")) and set LIVEVIEW_PUBSUB_URL=redis://... (or '
            "postgresql://...); or run one worker."
        )
    if live_app.random_secret:
        refusals.append(
            f"{workers} needs one secret for all workers, and LIVEVIEW_SECRET is not set "
            "(nor secret= given to the app): each worker would sign pages with its own, and a "
            "page rendered by one could not join another. Set LIVEVIEW_SECRET to the same "
            "value for every worker and host, e.g. LIVEVIEW_SECRET=$(python -c 'import "
            "secrets; print(secrets.token_urlsafe(32))')."
        )
    return refusals


def _on_off(text: str) -> bool:
    value = text.lower()
    if value in ("on", "true", "yes", "1"):
        return True
    if value in ("off", "false", "no", "0"):
        return False
    raise argparse.ArgumentTypeError(f"expected on or off, not {text!r}")


def _at_least_one(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("liveview")
    except PackageNotFoundError:  # run from a checkout that is not installed
        return "(not installed)"


def _positive(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive number of bytes, not {value}")
    return value


def _publish(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    """One JSON message to one topic, for scripts, cron jobs and debugging."""
    import asyncio
    import json

    from liveview.pubsub import MessageTooLarge, PubSubUnavailable, from_url
    from liveview.pubsub.messages import to_json_value
    from liveview.pubsub.url import Backend

    try:  # the standard library keeps an integer beyond 64 bits an int, for the check to refuse
        message = to_json_value(json.loads(args.json))
    except json.JSONDecodeError as error:
        parser.error(f'the message is not JSON ({error}); e.g. \'{{"type": "inc"}}\'')
    except TypeError as error:
        parser.error(str(error))
    if not args.topic:
        parser.error("TOPIC must not be empty")
    url = args.redis or args.postgres or os.environ.get("LIVEVIEW_PUBSUB_URL")
    if not url:
        parser.error(
            "say where to publish: --redis URL or --postgres DSN (or set LIVEVIEW_PUBSUB_URL)"
        )
    backend: Backend | None = "redis" if args.redis else "postgres" if args.postgres else None
    try:
        pubsub = from_url(url, prefix=args.prefix, backend=backend)
    except (ImportError, ValueError) as error:
        parser.error(str(error) if backend else f"LIVEVIEW_PUBSUB_URL: {error}")

    async def publish() -> None:
        async with pubsub:
            await pubsub.publish(args.topic, message)

    try:
        asyncio.run(publish())
    except MessageTooLarge as error:
        print(f"liveview publish: {error}", file=sys.stderr)
        return 2
    except PubSubUnavailable as error:
        print(f"liveview publish: {error}", file=sys.stderr)
        return 1
    return 0


def _channel(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    """Print the PostgreSQL channel of a topic, for psql and triggers."""
    from liveview.pubsub.postgres import channel_for

    try:
        print(channel_for(args.topic, args.prefix))
    except ValueError as error:
        parser.error(str(error))
    return 0


def _new(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    """Write a runnable project and say how to install, run and test it."""
    from pathlib import Path

    from liveview.scaffold import Backend, ProjectError, install_source, write_project

    folder = Path(args.dir) if args.dir else Path(args.name)
    backend: Backend | None = "redis" if args.redis else "postgres" if args.postgres else None
    try:
        written = write_project(args.name, folder, backend)
    except ProjectError as error:
        parser.error(str(error))
    for path in written:
        print(f"wrote {path}")
    source = install_source() or "/path/to/liveview (a checkout, or its wheel)"
    print(
        f"""
next, in {folder}:
  python3 -m venv .venv && . .venv/bin/activate
  pip install {source}     # liveview is not on PyPI yet
  pip install -e . && liveview run {args.name}.app:app
  pip install -e '.[test]' && pytest"""
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="liveview", description=__doc__)
    parser.add_argument("--version", action="version", version=f"liveview {_version()}")
    commands = parser.add_subparsers(dest="command", required=True)

    serving = (
        "Serve with uvicorn as liveview recommends (its websocket protocol, no compression). "
        "Without $LIVEVIEW_SECRET a development secret is kept in .liveview/secret, so restarts "
        "keep open tabs working; set LIVEVIEW_SECRET in production."
    )
    defaults = argparse.ArgumentDefaultsHelpFormatter
    gallery = commands.add_parser(
        "gallery",
        help="serve the example gallery (it ships in the package)",
        description=serving,
        formatter_class=defaults,
    )
    run = commands.add_parser(
        "run",
        help="serve an app given as module:attribute",
        description=serving,
        formatter_class=defaults,
    )
    run.add_argument("app", help="e.g. myproject.web:app")
    for sub in (gallery, run):
        sub.add_argument("--host", default="127.0.0.1", help="the address to listen on")
        sub.add_argument("--port", type=int, default=8000, help="the port to listen on")
        sub.add_argument(
            "--reload", action="store_true", help="restart on code or template changes"
        )
        sub.add_argument(
            "--debug",
            action="store_true",
            help="show crashes in the browser with the exception and your line "
            "($LIVEVIEW_DEBUG=1); never in production",
        )
        sub.add_argument(
            "--log-level",
            default="info",
            choices=["critical", "error", "warning", "info", "debug"],
            help="what the server and liveview log",
        )
        sub.add_argument(
            "--max-frame-size",
            type=_positive,
            metavar="BYTES",
            default=1_048_576,
            help="the largest message a client may send (1 MiB); a larger one closes its "
            "websocket with code 1009",
        )
        sub.add_argument(
            "--workers",
            type=_at_least_one,
            default=1,
            metavar="N",
            help="server processes sharing the port; more than 1 needs $LIVEVIEW_SECRET and a "
            "shared pub/sub (RedisPubSub or PostgresPubSub); kill -TERM a worker to restart it",
        )
        sub.add_argument(
            "--drain-timeout",
            type=_at_least_one,
            default=5,
            metavar="SECONDS",
            help="on SIGTERM: how long open websockets get to close (their clients reconnect, "
            "to another worker), and then the app's shutdown callbacks, before exiting",
        )
        sub.add_argument(
            "--ws-per-message-deflate",
            type=_on_off,
            default=False,
            metavar="on|off",
            help="accept websocket compression (off: it costs memory and CPU per connection "
            "to shrink diffs that are small already; on for few users on slow links)",
        )
        sub.add_argument(
            "--proxy-headers",
            action="store_true",
            help="trust X-Forwarded-For, -Proto and -Host from --forwarded-allow-ips (behind "
            "nginx): the client address, scheme and host the origin check uses",
        )
        sub.add_argument(
            "--forwarded-allow-ips",
            default=None,
            metavar="IPS",
            help="comma-separated addresses or networks trusted with --proxy-headers "
            "(default: $FORWARDED_ALLOW_IPS, else 127.0.0.1; * trusts any)",
        )

    publish = commands.add_parser(
        "publish",
        help="publish one JSON message to a topic",
        description="Publish one JSON message to TOPIC, as a LiveView's handle_info gets it, "
        "through Redis or PostgreSQL. An app on the default in-process pub/sub "
        "(SingleProcessPubSub) cannot be reached from another process: serve it with "
        "LIVEVIEW_PUBSUB_URL set (RedisPubSub or PostgresPubSub) to publish to it from here.",
        epilog="""examples:
  liveview publish counter '{"type": "inc"}' --redis redis://127.0.0.1:6379/0
  liveview publish counter '{"type": "inc"}' --postgres postgresql://127.0.0.1/app""",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    publish.add_argument("topic", metavar="TOPIC")
    publish.add_argument("json", metavar="JSON", help="the message, as JSON")
    broker = publish.add_mutually_exclusive_group()
    broker.add_argument("--redis", metavar="URL", help="default: $LIVEVIEW_PUBSUB_URL")
    broker.add_argument(
        "--postgres", metavar="DSN", help="a postgresql:// URL or key=value DSN (PostgresPubSub)"
    )
    publish.add_argument("--prefix", default="liveview:", help="channel prefix")

    channel = commands.add_parser(
        "channel",
        help="print the PostgreSQL channel of a topic",
        description="Print the PostgreSQL channel PostgresPubSub uses for TOPIC "
        "(for pg_notify from psql or a trigger).",
        epilog="example: psql -c \"SELECT pg_notify('$(liveview channel 'chat room')', "
        '\'{\\"text\\": \\"hi\\"}\')"',
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    channel.add_argument("topic", metavar="TOPIC")
    channel.add_argument("--prefix", default="liveview:", help="channel prefix")

    new = commands.add_parser(
        "new",
        help="write a new project: an app, a LiveView with its template, its tests",
        description="Write a runnable project into NAME/ (or --dir): pyproject.toml, the app "
        "NAME/app.py, a counter LiveView with its template file, tests/test_counter.py (with "
        "liveview.testing), a README with its commands, and .gitignore. The folder must be new "
        "or empty.",
        epilog="example: liveview new demo && cd demo && pip install -e '.[test]' && pytest",
    )
    new.add_argument("name", metavar="NAME", help="the project's Python package name, e.g. demo")
    new.add_argument("--dir", metavar="PATH", help="the project's folder (default: ./NAME)")
    shared = new.add_mutually_exclusive_group()
    shared.add_argument(
        "--redis", action="store_true", help="share updates between processes through Redis"
    )
    shared.add_argument(
        "--postgres",
        action="store_true",
        help="share updates between processes through PostgreSQL (LISTEN/NOTIFY)",
    )

    args = parser.parse_args(argv)
    if args.command == "new":
        return _new(new, args)
    if args.command == "publish":
        return _publish(publish, args)
    if args.command == "channel":
        return _channel(channel, args)
    if args.command == "gallery":
        try:  # the gallery's forms check e-mail addresses (pydantic's EmailStr)
            importlib.import_module("email_validator")
        except ImportError:
            parser.error(
                "the gallery needs email-validator for its forms: "
                "pip install 'liveview[gallery]' (or pip install email-validator)"
            )
        return _serve("liveview.gallery.app:app", args)
    return _serve(args.app, args)


if __name__ == "__main__":
    sys.exit(main())
