"""The champion as the scoring stage sees it: loaded once, swapped when the registry
names another, checked at most every MODEL_REFRESH_SECONDS, so a promotion reaches
every running worker within that time and no worker restarts.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from models.db import session_scope
from models.urgency_models import UrgencyModelVersion
from pipelines.training import registry
from pipelines.training.retrain import ensure_champion, train_bootstrap
from pipelines.urgency.model import UrgencyModel

log = logging.getLogger(__name__)


class ChampionProvider:
    """Call `current()` outside any open transaction: it opens short ones of its own (and
    on a fresh database, `ensure_first_champion` trains the bootstrap model)."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        model_dir: Path,
        refresh_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._sessions = sessions
        self._model_dir = model_dir
        self._refresh = refresh_seconds
        self._clock = clock
        self._model: UrgencyModel | None = None
        self._checked_at = 0.0

    def current(self) -> UrgencyModel:
        now = self._clock()
        if self._model is not None and now - self._checked_at < self._refresh:
            return self._model
        with session_scope(self._sessions) as session:
            row = registry.champion(session)
            if row is not None:
                self._swap_to(row)
        if row is None:
            ensure_first_champion(self._sessions, self._model_dir)
            with session_scope(self._sessions) as session:
                self._swap_to(registry.champion(session))
        self._checked_at = now
        assert self._model is not None
        return self._model

    def _swap_to(self, row: UrgencyModelVersion | None) -> None:
        """Load the row's model if it is new (the row must still be in an open session)."""
        if row is None:
            raise LookupError("no champion urgency model")
        if self._model is None or self._model.version != row.version:
            self._model = registry.load(self._model_dir, row)
            log.info("urgency model %s loaded", row.version)


def ensure_first_champion(sessions: sessionmaker[Session], model_dir: Path) -> str:
    """The champion's version. A fresh database gets the bootstrap model, trained outside
    any transaction (SQLite would stay locked for seconds) and then registered."""
    with session_scope(sessions) as session:
        current = registry.champion(session)
        if current is not None:
            return current.version
    bootstrap = train_bootstrap(model_dir)
    try:
        with session_scope(sessions) as session:
            return ensure_champion(session, model_dir, bootstrap).version
    except IntegrityError:
        # Another process registered the bootstrap champion first: use theirs.
        with session_scope(sessions) as session:
            current = registry.champion(session)
            if current is None:
                raise
            return current.version
