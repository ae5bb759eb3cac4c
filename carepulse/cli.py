"""The `carepulse` console script (CONTRACT.md lists its commands)."""

from __future__ import annotations

import argparse
import logging
import os
import sys

from carepulse.llm_commands import add_commands as add_llm_commands
from carepulse.oncall_commands import add_commands as add_oncall_commands
from carepulse.replay_commands import add_commands as add_replay_commands
from carepulse.training_cli import add_commands as add_training_commands
from models.keys import KeyRequestError
from models.log_context import configure_logging
from models.settings import SettingsError, load_settings


def _serve(args: argparse.Namespace) -> int:
    from carepulse import roles

    settings = load_settings()
    if args.role == "ingest":
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = roles.fresh_metrics_dir(settings, "ingest")
        command = roles.ingest_command(args.bind, args.workers, args.threads)
    elif args.role == "worker":
        port = settings.worker_metrics_port if args.metrics_port is None else args.metrics_port
        os.environ.update(roles.worker_metrics_env(settings, port))
        command = roles.worker_command(args.queues, args.concurrency)
    elif args.role == "beat":
        settings.var_dir.mkdir(parents=True, exist_ok=True)
        command = roles.beat_command(settings)
    else:
        command = roles.flower_command(settings, args.port, args.address)
    os.execv(command[0], command)
    return 0  # not reached: exec replaces this process


def _migrate(_: argparse.Namespace) -> int:
    from models.migrate import upgrade

    settings = load_settings()
    upgrade(settings.database_url)
    print("migrations applied")
    from carepulse.training_commands import ensure_first_champion

    print(f"urgency model champion: {ensure_first_champion(settings)}")
    return 0


def _keys(args: argparse.Namespace) -> int:
    from models.db import make_engine, make_session_factory, session_scope
    from models.keys import create_key, revoke_key

    settings = load_settings()
    factory = make_session_factory(make_engine(settings.database_url))
    try:
        with session_scope(factory) as session:
            if args.action == "create":
                role = _key_role(args.kind, args.role)
                token = create_key(session, args.name, role, args.hours)
            else:
                revoke_key(session, args.name)
    except KeyRequestError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.action == "create":
        print(f"created {role} key {args.name!r}; it is shown only once:")
        print(token)
    else:
        print(f"revoked key {args.name!r}")
    return 0


def _key_role(kind: str, role: str | None) -> str:
    """`keys create staff NAME --role admin`; kiosk and integration keys take no --role."""
    if kind == "staff":
        if role not in (None, "staff", "admin"):
            raise KeyRequestError("a staff key's --role is staff or admin")
        return role or "staff"
    if role is not None:
        raise KeyRequestError(f"a {kind} key takes no --role")
    return kind


def _rotate_contacts(_: argparse.Namespace) -> int:
    from models.contacts import Keyring
    from models.db import make_engine, make_session_factory, session_scope
    from pipelines.key_rotation import rotate_contacts

    settings = load_settings()
    if not settings.previous_secret_keys:
        print("error: set CAREPULSE_PREVIOUS_SECRET_KEYS to the key being replaced", file=sys.stderr)
        return 2
    with session_scope(make_session_factory(make_engine(settings.database_url))) as session:
        report = rotate_contacts(session, Keyring.from_settings(settings))
    for name, count in vars(report).items():
        print(f"{name.replace('_', ' ')}: {count}")
    if report.opt_outs_unmapped:
        print("keep the previous key listed: some opt-outs can only be found with it")
    return 0


def _plan_reminders(_: argparse.Namespace) -> int:
    """The nightly plan, now (after an outage, or to check a new template)."""
    from models.db import make_engine, make_session_factory, session_scope
    from models.tables import utcnow
    from pipelines.reminders.planning import plan
    from pipelines.reminders.policy import ReminderPolicy

    settings = load_settings()
    with session_scope(make_session_factory(make_engine(settings.database_url))) as session:
        report = plan(session, utcnow(), ReminderPolicy.from_settings(settings))
    print(
        f"planned {report.planned}, suppressed {report.suppressed} (no consent or opted out), too late {report.expired}"
    )
    return 0


def _purge(args: argparse.Namespace) -> int:
    """The retention purge now (it also runs daily on beat), or what it would remove."""
    from models.db import make_engine, make_session_factory
    from models.tables import utcnow
    from pipelines.retention import due_for_purge, purge

    settings = load_settings()
    if not settings.retention_days:
        print("RETENTION_DAYS is 0: everything is kept forever")
        return 0
    sessions = make_session_factory(make_engine(settings.database_url))
    if args.dry_run:
        with sessions() as session:
            report = due_for_purge(session, utcnow(), settings.retention_days)
    else:
        report = purge(sessions, utcnow(), settings.retention_days)
    verb = "would purge" if args.dry_run else "purged"
    print(f"older than {settings.retention_days} days, {verb}:")
    for name, count in report.as_dict().items():
        print(f"  {name.replace('_', ' ')}: {count}")
    return 0


def _dev(args: argparse.Namespace) -> int:
    from carepulse.dev import run_dev

    return run_dev(args.port)


def _port(value: str) -> int:
    port = int(value)
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"a TCP port is 0 to 65535, got {port}")
    return port


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="carepulse", description="CarePulse patient-feedback pipeline")
    commands = parser.add_subparsers(dest="command", required=True)

    dev = commands.add_parser("dev", help="run everything on this machine (SQLite, private Redis)")
    dev.add_argument("--port", type=int, default=8000)
    dev.set_defaults(handler=_dev)

    migrate = commands.add_parser("migrate", help="apply database migrations to DATABASE_URL")
    migrate.set_defaults(handler=_migrate)

    serve = commands.add_parser("serve", help="run one production role")
    serve.add_argument("role", choices=("ingest", "worker", "beat", "flower"))
    serve.add_argument("--bind", default="0.0.0.0:8000", help="ingest: HOST:PORT")
    serve.add_argument("--workers", type=int, default=2, help="ingest: gunicorn worker processes")
    serve.add_argument("--threads", type=int, default=32, help="ingest: threads per worker")
    serve.add_argument(
        "--queues", default="relay,asr,llm,scoring,notify,outreach,training", help="worker: queues"
    )
    serve.add_argument("--concurrency", type=int, default=2, help="worker: pool processes")
    serve.add_argument(
        "--metrics-port",
        type=_port,
        default=None,
        help="worker: port of its Prometheus /metrics (default WORKER_METRICS_PORT, 9540; 0: off)",
    )
    serve.add_argument("--port", type=int, default=5555, help="flower: port")
    serve.add_argument(
        "--address",
        default="127.0.0.1",
        help="flower: address to listen on (0.0.0.0 inside a container on an internal network)",
    )
    serve.set_defaults(handler=_serve)

    keys = commands.add_parser("keys", help="create or revoke API keys")
    key_actions = keys.add_subparsers(dest="action", required=True)
    create = key_actions.add_parser("create", help="print a new key (shown once) on the last line")
    create.add_argument("kind", choices=("kiosk", "staff", "integration"))
    create.add_argument("name")
    create.add_argument("--role", choices=("staff", "admin"), default=None, help="staff keys only")
    create.add_argument(
        "--hours",
        default=None,
        help="kiosk keys only: its opening hours, e.g. 07:00-19:00 (else OPENING_HOURS)",
    )
    create.set_defaults(handler=_keys)
    revoke = key_actions.add_parser("revoke", help="revoke a key by name")
    revoke.add_argument("name")
    revoke.set_defaults(handler=_keys)
    rotate = commands.add_parser(
        "rotate-contacts", help="re-encrypt and re-hash contact details under the current secret key"
    )
    rotate.set_defaults(handler=_rotate_contacts)
    reminders = commands.add_parser("reminders", help="appointment reminders and survey invitations")
    reminder_actions = reminders.add_subparsers(dest="action", required=True)
    reminder_actions.add_parser(
        "plan", help="plan the next two days' reminders and invitations now (idempotent)"
    ).set_defaults(handler=_plan_reminders)
    purge = commands.add_parser(
        "purge", help="remove free text, audio and contacts older than RETENTION_DAYS now"
    )
    purge.add_argument("--dry-run", action="store_true", help="count what would be purged, change nothing")
    purge.set_defaults(handler=_purge)
    add_replay_commands(commands)
    add_llm_commands(commands)
    add_oncall_commands(commands)
    add_training_commands(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    if not logging.getLogger().handlers:  # a program (or test) that embeds us keeps its own logging
        configure_logging()  # JSON lines on standard error; the commands' output stays on stdout
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except SettingsError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
