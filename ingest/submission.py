"""The base of resources that store submissions and publish them after commit."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker

from ingest.auth import Authenticator


class SubmissionResource:
    """Holds what every submitting endpoint is given: auth, sessions, a publisher, a body limit."""

    def __init__(
        self,
        auth: Authenticator,
        sessions: sessionmaker[Session],
        publish: Callable[[list[str]], None],
        max_body_bytes: int,
    ) -> None:
        self._auth = auth
        self._sessions = sessions
        self._publish = publish
        self._limit = max_body_bytes
