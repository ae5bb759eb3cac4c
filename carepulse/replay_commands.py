"""`carepulse replay`: the dead letters of tasks that gave up for good, and running them
again once the cause is fixed. What a replay reopens (failed items, given-up pages) is
decided in pipelines/dead_letters.py; the new tasks are composed in workers/chains.py."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from models.db import make_engine, make_session_factory, session_scope
from models.dead_letters import DeadLetter
from models.settings import load_settings
from models.tables import utcnow
from pipelines.dead_letters import item_ids, mark_replayed, open_dead_letters, reopen


def _sessions() -> sessionmaker[Session]:
    return make_session_factory(make_engine(load_settings().database_url))


def _view(letter: DeadLetter) -> dict[str, Any]:
    """What an operator needs to decide: never an argument's content, only how many items."""
    return {
        "id": letter.id,
        "task": letter.task_name,
        "error": letter.error,
        "retries": letter.retries,
        "failed_at": letter.failed_at.isoformat(),
        "items": len(item_ids(letter)),
        "replays": letter.replays,
    }


def _list(args: argparse.Namespace) -> int:
    with _sessions()() as session:
        views = [_view(letter) for letter in open_dead_letters(session, args.task)]
    if args.json:
        print(json.dumps(views))
        return 0
    if not views:
        print("no open dead letters")
        return 0
    print(f"{'id':>6}  {'task':<22}{'error':<24}{'items':>5}  failed at")
    for v in views:
        print(f"{v['id']:>6}  {v['task']:<22}{v['error']:<24}{v['items']:>5}  {v['failed_at']}")
    return 0


def _chosen(sessions: sessionmaker[Session], args: argparse.Namespace) -> list[DeadLetter] | None:
    """The letters named (any, even one replayed before), or every open one; None if an id is unknown."""
    with sessions() as session:
        if args.all:
            return open_dead_letters(session, args.task)
        letters = [session.get(DeadLetter, letter_id) for letter_id in args.ids]
    missing = [letter_id for letter_id, letter in zip(args.ids, letters, strict=True) if letter is None]
    if missing:
        print(f"error: no dead letter {', '.join(map(str, missing))}", file=sys.stderr)
        return None
    return [letter for letter in letters if letter is not None]


def _replay(args: argparse.Namespace) -> int:
    if args.list:
        return _list(args)
    if bool(args.ids) == args.all:
        print("error: name dead letter ids, or --all (see carepulse replay --list)", file=sys.stderr)
        return 2
    from workers.chains import replay_signature

    sessions = _sessions()
    letters = _chosen(sessions, args)
    if letters is None:
        return 2
    for letter in letters:
        with session_scope(sessions) as session:  # committed first: the replay must find it
            reopen(session, letter)
        try:
            replay_signature(letter.task_name, letter.args, letter.kwargs, letter.priority).apply_async()
        except Exception as exc:  # noqa: BLE001 - reported; the letter stays open for another try
            print(f"error: could not publish dead letter {letter.id}: {type(exc).__name__}", file=sys.stderr)
            return 1
        with session_scope(sessions) as session:
            mark_replayed(session, letter.id, utcnow())
        print(f"replayed dead letter {letter.id}: {letter.task_name}, {len(item_ids(letter))} items")
    if not letters:
        print("no open dead letters")
    return 0


def add_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    replay = commands.add_parser(
        "replay", help="list the tasks that gave up (dead letters), or run them again"
    )
    replay.add_argument("ids", nargs="*", type=int, help="dead letters to run again")
    replay.add_argument("--all", action="store_true", help="every open dead letter")
    replay.add_argument("--task", help="with --list or --all: only this task, e.g. feedback.score")
    replay.add_argument("--list", action="store_true", help="show the open dead letters")
    replay.add_argument("--json", action="store_true", help="with --list: one JSON array")
    replay.set_defaults(handler=_replay)
