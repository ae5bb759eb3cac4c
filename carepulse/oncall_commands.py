"""`carepulse oncall add|list|remove`: the on-call roster from the command line, the same
entries admins manage through /v1/admin/oncall."""

from __future__ import annotations

import argparse
import json
import sys

from models.db import make_engine, make_session_factory, session_scope
from models.settings import load_settings
from models.tables import AuditEntry
from pipelines.oncall import NewEntry, Roster, RosterError

CLI_ACTOR = "cli"


def _roster_and_sessions():  # type: ignore[no-untyped-def]
    settings = load_settings()
    return Roster.from_settings(settings), make_session_factory(make_engine(settings.database_url))


def add(args: argparse.Namespace) -> int:
    roster, sessions = _roster_and_sessions()
    entry = NewEntry(
        name=args.name,
        phone=args.phone,
        email=args.email,
        department=args.department,
        tier=args.tier,
        weekdays=args.weekdays,
        starts=args.starts,
        ends=args.ends,
        timezone=args.timezone,
    )
    try:
        with session_scope(sessions) as session:
            row = roster.add(session, entry)
            session.add(AuditEntry(actor=CLI_ACTOR, action="oncall.add", target=str(row.id), details={}))
            view = roster.view(row)
    except RosterError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"added roster entry {view['id']}: {view['name']}, tier {view['tier']}")
    return 0


def list_entries(args: argparse.Namespace) -> int:
    roster, sessions = _roster_and_sessions()
    with sessions() as session:
        views = [roster.view(entry) for entry in roster.entries(session)]
    if args.json:
        print(json.dumps(views))
        return 0
    print(f"{'id':>4}  {'department':<14}{'tier':>4}  {'days':<8}{'hours':<13}{'timezone':<18}name")
    for v in views:
        hours = f"{v['starts']}-{v['ends']}"
        print(
            f"{v['id']:>4}  {v['department'] or '(all)':<14}{v['tier']:>4}  {v['weekdays']:<8}"
            f"{hours:<13}{v['timezone']:<18}{v['name']}"
        )
    return 0


def remove(args: argparse.Namespace) -> int:
    roster, sessions = _roster_and_sessions()
    with session_scope(sessions) as session:
        removed = roster.remove(session, args.id)
        if removed:
            session.add(AuditEntry(actor=CLI_ACTOR, action="oncall.remove", target=str(args.id), details={}))
    if not removed:
        print(f"error: no roster entry {args.id}", file=sys.stderr)
        return 2
    print(f"removed roster entry {args.id}")
    return 0


def add_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    oncall = commands.add_parser("oncall", help="the on-call roster and its escalation chain")
    actions = oncall.add_subparsers(dest="action", required=True)
    new = actions.add_parser("add", help="put someone on call")
    new.add_argument("name")
    new.add_argument("--phone", help="E.164 number for SMS pages, e.g. +15550100")
    new.add_argument("--email")
    new.add_argument("--department", help="omit for the hospital-wide chain")
    new.add_argument("--tier", type=int, default=1, help="1 is paged first, 2 on the first escalation, ...")
    new.add_argument("--weekdays", default="1234567", help="ISO weekday digits, 1 = Monday")
    new.add_argument("--starts", default="00:00", help="local HH:MM")
    new.add_argument("--ends", default="24:00", help="local HH:MM; before --starts crosses midnight")
    new.add_argument("--timezone", default="UTC", help="IANA timezone, e.g. Europe/Paris")
    new.set_defaults(handler=add)
    show = actions.add_parser("list", help="the roster, contact details masked")
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=list_entries)
    drop = actions.add_parser("remove", help="take an entry off the roster")
    drop.add_argument("id", type=int)
    drop.set_defaults(handler=remove)
