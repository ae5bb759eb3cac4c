"""CarePulse under fault: its roles as real processes on PostgreSQL and Redis, kiosks
posting feedback, and what became of every item a kiosk saw accepted.

Every critical item pages the on-call contacts: by default ONCALL_SMS_TO and ONCALL_EMAIL_TO
(tier 1 of an empty roster), one SMS and one email. Pages are counted where they arrive:
at the fake Twilio and SendGrid, or in `sent_messages` for a channel the offline sender
handles. Counts are per kiosk, so several cases can share one running system.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import signal
import threading
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from models.channels import AudioClip
from models.contacts import Keyring
from models.db import make_engine, make_session_factory, session_scope
from models.keys import create_key
from models.settings import load_settings
from models.tables import Alert, Analysis, Feedback, SentMessage, UrgencyDecision
from pipelines.alert_delivery import SETTLED
from tests.channels.multipart import multipart
from tests.fakes.providers import FakeProviders
from tests.support.fault_table import FaultRow
from tests.support.http import call
from tests.support.polling import wait_until
from tests.support.processes import Role, ingest_role, role_env, running, wait_healthy

STAGE_QUEUES = ("asr", "llm", "scoring", "notify")
OTHER_QUEUES = "relay,outreach,training"
ALL_QUEUES = ",".join((OTHER_QUEUES, *STAGE_QUEUES))
NURSE_PHONE = "+15550100001"
NURSE_EMAIL = "nurse@hospital.example"
PAGES = (("sms", NURSE_PHONE), ("email", NURSE_EMAIL))  # the default contacts: a critical item's pages
CRITICAL = "my father in bed {n} can't breathe and nobody comes"
ROUTINE = "visit {n}: the nurse was kind and the room was clean"
AUDIO = Path(__file__).parents[1] / "fixtures" / "audio"
SPOKEN = {True: AUDIO / "chest_pain_rms.webm", False: AUDIO / "kind_nurse_slt.webm"}  # by criticality
TRIAGE_LINK = re.compile(r"[?&]item=([0-9a-f-]{36})")
TERMINAL = frozenset({"analyzed", "failed"})
# For cases that take the broker away: Celery's time limits (a second under the visibility
# timeout) must outlast a reconnect (2 s, then 4 s, ...), as production's 300 s do. Shorter,
# they fire on tasks that finished while the consumer reconnected, and the prefork pool
# kills its own children (see workers/exit_watchdog.py).
BROKER_OUTAGE = {"CELERY_VISIBILITY_TIMEOUT": "20"}
RESTART_CHECK_SECONDS = 0.5
SERIAL = itertools.count()  # numbers every text of the run: no case meets another's in a cache

Page = tuple[str, str, str]  # (feedback id, channel, address)
Contact = tuple[str, str]  # (channel, address)


def fault_env(
    database_url: str,
    redis_url: str,
    var_dir: Path,
    providers: FakeProviders | None = None,
    email_provider: bool = True,
    **extra: str,
) -> dict[str, str]:
    """Short timeouts everywhere, so a fault heals within seconds: the broker hands back a
    dead worker's tasks after CELERY_VISIBILITY_TIMEOUT, an abandoned page is looked up
    after 2 * PROVIDER_TIMEOUT_SECONDS + 5 s, and beat looks for such pages every second.
    Without `providers` both channels go to the offline sender; `email_provider=False`
    keeps email offline (SendGrid cannot tell whether a mail went out, see its client)."""
    provider_env = providers.env() if providers else {}
    if not email_provider:
        provider_env = {
            name: value for name, value in provider_env.items() if not name.startswith("SENDGRID")
        }
    settings = {
        "CELERY_VISIBILITY_TIMEOUT": "5",
        "PROVIDER_TIMEOUT_SECONDS": "1",
        "ESCALATION_CHECK_SECONDS": "1",
        "ALERT_ESCALATION_MINUTES": "60",  # no second tier within a test: one page per contact
        "ONCALL_SMS_TO": NURSE_PHONE,
        "ONCALL_EMAIL_TO": NURSE_EMAIL,
        **provider_env,
        **extra,
    }
    return role_env(database_url, redis_url, var_dir, **settings)


@dataclass
class Kiosk:
    """Posts feedback and remembers which items ingest accepted (202) and what it answered
    otherwise. Thread-safe, so a background poster and the test can share it."""

    base_url: str
    token: str
    accepted: list[str] = field(default_factory=list)
    refused: Counter[int] = field(default_factory=Counter)  # status (0: no answer) of the others
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def post(self, critical: bool, audio: bool = False) -> int:
        status, body = self._post_audio(critical) if audio else self._post_text(next(SERIAL), critical)
        with self._lock:
            if status == 202:
                self.accepted.append(body["id"])
            else:
                self.refused[status] += 1
        return status

    def post_many(self, count: int, critical_every: int = 2, audio: bool = False) -> None:
        """`count` items, every `critical_every`-th one critical; all must be accepted."""
        for n in range(count):
            status = self.post(n % critical_every == 0, audio)
            assert status == 202, f"POST answered {status}"

    def wait_accepted(self, count: int, timeout: float = 60) -> None:
        wait_until(lambda: len(self.accepted) >= count, timeout, "the kiosk stalled")

    @contextmanager
    def posting(self, count: int, critical_every: int = 2) -> Iterator[None]:
        """Post `count` text items from a thread, one after another, while the block
        injects a fault; leaving the block waits for the last POST."""

        def post_all() -> None:
            for n in range(count):
                self.post(n % critical_every == 0)

        thread = threading.Thread(target=post_all, name="kiosk", daemon=True)
        thread.start()
        try:
            yield
        finally:
            thread.join(timeout=300)

    def _post_text(self, n: int, critical: bool) -> tuple[int, Any]:
        text = (CRITICAL if critical else ROUTINE).format(n=n)
        try:
            return call("POST", f"{self.base_url}/v1/feedback", self.token, {"text": text})
        except OSError:  # no answer at all (a reset, a timeout): not accepted
            return 0, None

    def _post_audio(self, critical: bool) -> tuple[int, Any]:
        body, content_type = multipart(
            [
                ("metadata", None, "application/json", json.dumps({"department": "ward-3"}).encode()),
                ("audio", "speech.webm", "audio/webm", SPOKEN[critical].read_bytes()),
            ]
        )
        request = urllib.request.Request(
            f"{self.base_url}/v1/feedback/audio",
            data=body,
            method="POST",
            headers={"Content-Type": content_type, "Authorization": f"Bearer {self.token}"},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, None
        except OSError:
            return 0, None


@dataclass(frozen=True)
class Outcome:
    """What became of a kiosk's accepted items, from the database and at the providers."""

    accepted: int
    sent: int
    unfinished: dict[str, str]  # accepted item -> its status, if it or one of its pages is not terminal
    missing_pages: list[Page]  # a critical item's page neither delivered nor recorded failed
    duplicates: dict[Page, int]  # pages delivered more than once, and how often
    failed_pages: int  # pages recorded failed: a reason stored, nobody silently dropped
    analyses: int
    decisions: int

    @property
    def completed(self) -> int:
        return self.accepted - len(self.unfinished)

    @property
    def lost(self) -> int:
        """Accepted items that did not finish, or one of whose pages went nowhere."""
        return len(set(self.unfinished) | {feedback_id for feedback_id, *_ in self.missing_pages})

    def row(self, case: str) -> FaultRow:
        extra = sum(count - 1 for count in self.duplicates.values())
        return FaultRow(case, self.accepted, self.sent, self.completed, self.lost, extra)

    def details(self) -> str:
        return (
            f"unfinished {dict(Counter(self.unfinished.values()))}, missing pages {self.missing_pages[:3]},"
            f" duplicates {list(self.duplicates.items())[:3]}, pages failed {self.failed_pages}"
        )


def _count(session: Session, table: type, *where: Any) -> int:
    return session.scalar(select(func.count()).select_from(table).where(*where))


class FaultSystem:
    """Ingest, beat and the workers a test asks for, on one database and one broker."""

    def __init__(
        self,
        env: dict[str, str],
        providers: FakeProviders | None,
        contacts: tuple[Contact, ...],
        stack: ExitStack,
    ) -> None:
        self.env = env
        self.providers = providers
        self.contacts = contacts
        self.var_dir = Path(env["CAREPULSE_VAR_DIR"])
        engine = make_engine(env["DATABASE_URL"])
        stack.callback(engine.dispose)
        self.sessions: sessionmaker[Session] = make_session_factory(engine)
        self.base_url = ""
        self.token = ""
        self._stack = stack
        self._roles: list[Role] = []
        self._restarted: list[Role] = []
        self._stopping = threading.Event()
        self._watcher = threading.Thread(target=self._restart_exited, name="restart-policy", daemon=True)

    def start(self, role: Role, restart: bool = False) -> Role:
        """Run `role` until the system stops (a role killed before then stays dead). With
        `restart`, a role that exits before then is started again, as the compose file's
        `restart: unless-stopped` does for a worker that met an error Celery cannot recover
        from (kombu can fail closing a channel while Redis is down)."""
        self._stack.enter_context(running(role))
        self._roles.append(role)
        if restart:
            self._restarted.append(role)
            if not self._watcher.is_alive():
                self._watcher.start()
        return role

    def _restart_exited(self) -> None:
        while not self._stopping.wait(RESTART_CHECK_SECONDS):
            for role in self._restarted:
                if role.process is not None and role.process.poll() is not None:
                    role.start()

    def worker(self, queues: str, concurrency: int = 1) -> Role:
        """A new worker process for `queues` (comma-separated), not yet started."""
        log = self.var_dir / f"worker-{len(self._roles)}-{queues.replace(',', '+')}.log"
        return Role(["worker", "--queues", queues, "--concurrency", str(concurrency)], self.env, log)

    def kiosk(self) -> Kiosk:
        return Kiosk(self.base_url, self.token)

    def busy_kiosk(self, warm_up: int, restart: bool = True) -> tuple[Kiosk, Role]:
        """An all-queues worker that has already scored `warm_up` items of a new kiosk, so it
        is busy, with warm connections, when the fault strikes; with `restart`, started
        again if it exits, as deployed. The kiosk and the worker."""
        worker = self.start(self.worker(ALL_QUEUES, concurrency=2), restart=restart)
        kiosk = self.kiosk()
        kiosk.post_many(warm_up)
        wait_until(lambda: self.stage_done("scoring", kiosk.accepted) == warm_up, 90, "no worker came up")
        return kiosk, worker

    def signal_all(self) -> None:
        """SIGTERM every live role at once, so they shut down side by side (and stay down)."""
        self._stopping.set()
        if self._watcher.is_alive():
            self._watcher.join()
        for role in self._roles:
            if role.process is not None and role.process.poll() is None:
                os.killpg(role.process.pid, signal.SIGTERM)

    def count(self, table: type, *where: Any) -> int:
        """Rows of `table` matching `where`, e.g. `count(OutboxEntry, OutboxEntry.published_at.is_(None))`."""
        with self.sessions() as session:
            return _count(session, table, *where)

    def stage_done(self, stage: str, feedback_ids: list[str]) -> int:
        """How much of the items' work a stage has finished: transcripts, analyses,
        decisions, pages sent."""
        done: dict[str, Callable[[Session], int]] = {
            "asr": lambda s: _count(
                s, AudioClip, AudioClip.feedback_id.in_(feedback_ids), AudioClip.transcribed_at.is_not(None)
            ),
            "llm": lambda s: _count(s, Analysis, Analysis.feedback_id.in_(feedback_ids)),
            "scoring": lambda s: _count(s, UrgencyDecision, UrgencyDecision.feedback_id.in_(feedback_ids)),
            "notify": lambda s: _count(s, Alert, Alert.feedback_id.in_(feedback_ids), Alert.status == "sent"),
        }
        with self.sessions() as session:
            return done[stage](session)

    def settled(self, feedback_ids: list[str]) -> bool:
        """Every item terminal, and every page of theirs created and sent or given up on,
        in one snapshot: counted statement by statement, a page committed between two counts
        could be missing from the open pages yet present among those paged."""
        with self.sessions() as session:
            session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            known = _count(session, Feedback, Feedback.id.in_(feedback_ids))
            open_items = _count(
                session, Feedback, Feedback.id.in_(feedback_ids), Feedback.status.not_in(TERMINAL)
            )
            open_pages = _count(
                session, Alert, Alert.feedback_id.in_(feedback_ids), Alert.status.not_in(SETTLED)
            )
            critical = _critical(session, feedback_ids)
            paged = _count(session, Alert, Alert.feedback_id.in_(critical))
        return (known, open_items, open_pages, paged) == (
            len(feedback_ids),
            0,
            0,
            len(critical) * len(self.contacts),
        )

    def wait_settled(self, kiosk: Kiosk, timeout: float) -> Outcome:
        """Wait until the kiosk's accepted items have settled, then count their outcome; at
        the deadline, count it anyway: what has not settled by then is lost."""
        with suppress(AssertionError):
            wait_until(lambda: self.settled(kiosk.accepted), timeout, "the items did not settle", 0.2)
        return self.outcome(kiosk)

    def outcome(self, kiosk: Kiosk) -> Outcome:
        accepted = list(kiosk.accepted)
        with self.sessions() as session:
            rows = session.execute(
                select(Feedback.id, Feedback.status, Feedback.failure_reason).where(Feedback.id.in_(accepted))
            )
            statuses = {
                fid: status if status != "failed" or reason else "failed unexplained"
                for fid, status, reason in rows
            }
            open_pages = session.execute(
                select(Alert.feedback_id, Alert.status).where(
                    Alert.feedback_id.in_(accepted), Alert.status.not_in(SETTLED)
                )
            )
            statuses.update(
                {fid: f"page {status}" for fid, status in open_pages if statuses.get(fid) in TERMINAL}
            )
            critical = _critical(session, accepted)
            failed = {
                (fid, channel)
                for fid, channel in session.execute(
                    select(Alert.feedback_id, Alert.channel).where(
                        Alert.feedback_id.in_(accepted), Alert.status == "failed", Alert.error.is_not(None)
                    )
                )
            }
            analyses = _count(session, Analysis, Analysis.feedback_id.in_(accepted))
            decisions = _count(session, UrgencyDecision, UrgencyDecision.feedback_id.in_(accepted))
            delivered = self._delivered(session, set(accepted))
        expected = [(fid, channel, address) for fid in critical for channel, address in self.contacts]
        return Outcome(
            accepted=len(accepted),
            sent=sum(delivered.values()),
            unfinished={
                fid: statuses.get(fid, "missing") for fid in accepted if statuses.get(fid) not in TERMINAL
            },
            missing_pages=[page for page in expected if page not in delivered and page[:2] not in failed],
            duplicates={page: n for page, n in delivered.items() if n > 1},
            failed_pages=len(failed),
            analyses=analyses,
            decisions=decisions,
        )

    def _delivered(self, session: Session, feedback_ids: set[str]) -> Counter[Page]:
        """The items' pages as their provider (or the offline sender) received them."""
        pages: Counter[Page] = Counter()
        if self.providers:
            for message in list(self.providers.twilio.messages):
                pages[(_item(message.body), "sms", message.to)] += 1
            for mail in list(self.providers.sendgrid.mails):
                for address in mail.to:
                    pages[(_item(mail.text or ""), "email", address)] += 1
        offline = session.execute(
            select(SentMessage.body, SentMessage.channel, SentMessage.recipient_hash).where(
                SentMessage.dedupe_key.like("alert-%")
            )
        )
        # The offline sender keeps only the keyed hash: name the contact it stands for.
        keys = Keyring.from_settings(load_settings(self.env))
        by_hash = {(channel, keys.hash(channel, address)): address for channel, address in self.contacts}
        for body, channel, recipient_hash in offline:
            pages[(_item(body), channel, by_hash.get((channel, recipient_hash), recipient_hash))] += 1
        return Counter({page: n for page, n in pages.items() if page[0] in feedback_ids})


def _critical(session: Session, feedback_ids: list[str]) -> list[str]:
    return list(
        session.scalars(
            select(UrgencyDecision.feedback_id).where(
                UrgencyDecision.feedback_id.in_(feedback_ids), UrgencyDecision.level == "critical"
            )
        )
    )


def _item(body: str) -> str:
    """The feedback id a page is about: its triage link names it."""
    found = TRIAGE_LINK.search(body)
    return found.group(1) if found else "?"


@contextmanager
def fault_system(
    env: dict[str, str], providers: FakeProviders | None = None, contacts: tuple[Contact, ...] = PAGES
) -> Iterator[FaultSystem]:
    """Ingest and beat running on `env` with a kiosk key, and no worker yet (`start` them);
    `contacts` are whom the roster pages for each critical item."""
    with ExitStack() as stack:
        system = FaultSystem(env, providers, contacts, stack)
        with session_scope(system.sessions) as session:
            system.token = create_key(session, "fault-kiosk", "kiosk")
        ingest, system.base_url = ingest_role(env, system.var_dir)
        system.start(ingest)
        system.start(Role(["beat"], env, system.var_dir / "beat.log"))
        wait_healthy(system.base_url)
        try:
            yield system
        finally:
            system.signal_all()
