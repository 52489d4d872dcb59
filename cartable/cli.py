"""The ``cartable`` command: an administrator can run the platform from it alone.

Each command imports what it uses inside its function: Django must be set up first
(``_setup_django``), and ``cartable --help`` should not load the whole platform.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

# Plain constants, importable before Django is set up.
from cartable.pad.protocol import MAX_MESSAGE_SIZE


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cartable.settings")
    import django

    django.setup()


# How ``cartable serve`` runs uvicorn; the pad's tests serve the application with the same
# options, so that its fast paths (cartable/pad/frames.py) are tested as they run.
UVICORN_OPTIONS: dict[str, Any] = {
    "lifespan": "off",
    "proxy_headers": False,
    # The largest message any websocket route takes (a pad's; /ws/events/ takes far less and
    # checks it itself): a larger frame is refused (1009) before it is buffered.
    "ws_max_size": MAX_MESSAGE_SIZE,
    # Compressing is per connection: a pad's broadcast would be compressed once for each of
    # its editors, and Yjs updates are a few dozen bytes.
    "ws_per_message_deflate": False,
}


def cmd_serve(args: argparse.Namespace) -> int:
    _setup_django()
    from django.conf import settings
    from django.core.management import call_command

    if not args.no_migrate:
        call_command("migrate", interactive=False, verbosity=0)
    from cartable.pad import journal

    # Keystrokes a killed server had acknowledged and not yet put in the database.
    journal.recover_once()
    from django.db import connections

    # This thread becomes the event loop's, which never queries: with a connection pool, a
    # connection left open here would be one fewer for requests as long as the server runs.
    connections.close_all()
    worker = None
    if settings.EMBEDDED_WORKER and not args.no_worker and not settings.TASKS_EAGER:
        from cartable.core.worker import WorkerThread

        worker = WorkerThread()
        worker.start()
    import gc

    import uvicorn

    # What Django loaded is there for the process's life: out of the garbage collector's
    # sight, a full collection (which pauses every request and websocket) stays short.
    gc.freeze()
    print(f"Cartable on http://{args.host}:{args.port}", flush=True)  # noqa: T201
    uvicorn.run(
        "cartable.asgi:application",
        host=args.host,
        port=args.port,
        log_level=args.log_level,
        **UVICORN_OPTIONS,
    )
    if worker:
        worker.stopping.set()
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    _setup_django()
    from cartable.core.worker import run_worker

    run_worker(interval=args.interval, once=args.once)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    _setup_django()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    from cartable.portal.demo import create_demo

    for line in create_demo():
        print(line)  # noqa: T201
    return 0


def cmd_user_create(args: argparse.Namespace) -> int:
    _setup_django()
    from django.core.exceptions import ValidationError

    from cartable.accounts.actions import create_staff_user

    try:
        user = create_staff_user(
            args.email,
            password=args.password,
            admin=args.admin,
            check_domain=not (args.admin or args.staff),
        )
    except ValidationError as exc:
        print(f"error: {' '.join(exc.messages)}", file=sys.stderr)  # noqa: T201
        return 2
    print(f"created {user.username} <{user.email}>{' (administrator)' if args.admin else ''}")  # noqa: T201
    return 0


def cmd_apppassword_create(args: argparse.Namespace) -> int:
    _setup_django()
    from cartable.accounts.actions import create_app_password
    from cartable.accounts.models import User

    user = (
        User.objects.filter(email__iexact=args.email).first()
        or User.objects.filter(username=args.email).first()
    )
    if user is None:
        print(f"error: no user {args.email}", file=sys.stderr)  # noqa: T201
        return 2
    _app_password, clear = create_app_password(user, args.name)
    print(clear)  # noqa: T201
    return 0


def cmd_pad_apikey(args: argparse.Namespace) -> int:
    _setup_django()
    from cartable.pad.apikey import api_key

    print(api_key())  # noqa: T201
    return 0


def cmd_manage(args: argparse.Namespace) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cartable.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["cartable manage", *args.rest])
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cartable", description="Run and administer Cartable.")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="serve HTTP and websockets (and run jobs, embedded mode)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--no-worker", action="store_true", help="do not run jobs in this process")
    serve.add_argument("--no-migrate", action="store_true", help="do not apply migrations first")
    serve.add_argument("--log-level", default="info")
    serve.set_defaults(func=cmd_serve)

    worker = sub.add_parser("worker", help="run background jobs")
    worker.add_argument("--interval", type=float, default=1.0)
    worker.add_argument("--once", action="store_true", help="run what is queued, then exit")
    worker.set_defaults(func=cmd_worker)

    demo = sub.add_parser("demo", help="create demo data and print the demo accounts")
    demo.set_defaults(func=cmd_demo)

    user = sub.add_parser("user", help="manage users").add_subparsers(
        dest="user_command", required=True
    )
    create = user.add_parser("create", help="create a staff user")
    create.add_argument("email")
    create.add_argument("--password")
    create.add_argument("--admin", action="store_true", help="platform administrator")
    create.add_argument(
        "--staff", action="store_true", help="staff member even outside the allowed domains"
    )
    create.set_defaults(func=cmd_user_create)

    app = sub.add_parser("apppassword", help="app passwords").add_subparsers(
        dest="app_command", required=True
    )
    app_create = app.add_parser("create", help="print a new app password for a user")
    app_create.add_argument("email")
    app_create.add_argument("--name", default="cli")
    app_create.set_defaults(func=cmd_apppassword_create)

    pad = sub.add_parser("pad", help="pads").add_subparsers(dest="pad_command", required=True)
    pad_apikey = pad.add_parser(
        "apikey", help="print the key of the Etherpad-compatible HTTP API (made on first use)"
    )
    pad_apikey.set_defaults(func=cmd_pad_apikey)

    manage = sub.add_parser("manage", help="Django's management commands", add_help=False)
    manage.add_argument("rest", nargs=argparse.REMAINDER)
    manage.set_defaults(func=cmd_manage)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
