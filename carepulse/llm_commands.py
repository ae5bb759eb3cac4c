"""`carepulse llm usage` and `carepulse reanalyze`: what Gemini cost, and catching up
after an outage."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import timedelta

from models.db import make_engine, make_session_factory
from models.settings import load_settings


def usage(args: argparse.Namespace) -> int:
    from pipelines.analysis.llm_ledger import TokenBudget, fallbacks_waiting, usage_by_day, utc_today

    settings = load_settings()
    sessions = make_session_factory(make_engine(settings.database_url))
    with sessions() as session:
        days = usage_by_day(session, utc_today() - timedelta(days=args.days - 1))
        waiting = fallbacks_waiting(session)
    spent = TokenBudget(sessions, settings.gemini_daily_token_budget).spent_today()
    budget = settings.gemini_daily_token_budget
    if args.json:
        print(
            json.dumps(
                {
                    "model": settings.gemini_model,
                    "daily_token_budget": budget,
                    "spent_today": spent,
                    "fallbacks_waiting": waiting,
                    "days": [{**vars(d), "day": d.day.isoformat()} for d in days],
                }
            )
        )
        return 0
    print(f"model {settings.gemini_model}; today {spent} of {budget or 'unlimited'} tokens")
    print(f"{'day':<12}{'calls':>8}{'failed':>8}{'items':>8}{'prompt':>12}{'output':>12}{'total':>12}")
    for d in days:
        print(
            f"{d.day.isoformat():<12}{d.calls:>8}{d.failed_calls:>8}{d.items:>8}"
            f"{d.prompt_tokens:>12}{d.output_tokens:>12}{d.total_tokens:>12}"
        )
    print(f"items analyzed locally in Gemini's stead, waiting for `carepulse reanalyze`: {waiting}")
    return 0


def reanalyze(args: argparse.Namespace) -> int:
    # Imported here: the SDK takes a while to import and other commands do not need it.
    from pipelines.analysis.gemini import gemini_analyzer
    from pipelines.analysis.reanalysis import (
        candidates,
        collect_batch_jobs,
        reanalyze_online,
        submit_batch_job,
    )
    from pipelines.clients.gemini import GeminiError

    settings = load_settings()
    if not settings.google_api_key:
        print("error: GOOGLE_API_KEY is not set; there is nothing to re-analyze with", file=sys.stderr)
        return 2
    sessions = make_session_factory(make_engine(settings.database_url))
    analyzer = gemini_analyzer(settings, sessions)
    try:
        for name, state in collect_batch_jobs(sessions, analyzer):
            print(f"batch job {name}: {state}")
        if args.collect_only:
            return 0
        with sessions() as session:
            ids = candidates(session, args.limit)
        if len(ids) >= args.batch_threshold:
            report = submit_batch_job(sessions, analyzer, ids)
            if report.batch_job is None:
                print(f"{len(ids)} items waiting; not submitted: today's token budget is spent")
                return 1
            print(
                f"submitted {len(ids)} items as Gemini batch job {report.batch_job}; run again later to collect"
            )
            return 0
        report = reanalyze_online(sessions, analyzer, ids)
    except GeminiError as exc:
        print(f"error: Gemini answered {exc.kind}; try again later", file=sys.stderr)
        return 1
    print(
        f"re-analyzed {report.reanalyzed} of {report.candidates} items with Gemini; {report.still_local} stay local"
    )
    return 0


def add_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    llm = commands.add_parser("llm", help="Gemini usage")
    llm_actions = llm.add_subparsers(dest="action", required=True)
    report = llm_actions.add_parser("usage", help="calls and tokens per day, today's budget")
    report.add_argument("--days", type=int, default=7)
    report.add_argument("--json", action="store_true")
    report.set_defaults(handler=usage)

    again = commands.add_parser("reanalyze", help="re-analyze with Gemini what the local analyzer answered")
    again.add_argument("--limit", type=int, default=10_000, help="at most this many items")
    again.add_argument(
        "--batch-threshold", type=int, default=200, help="this many items or more go to Gemini's Batch mode"
    )
    again.add_argument("--collect-only", action="store_true", help="only collect finished batch jobs")
    again.set_defaults(handler=reanalyze)
