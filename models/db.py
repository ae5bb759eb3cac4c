"""Engines and sessions: one engine per process, one session per unit of work."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_MS = 30_000


def _prepare_sqlite(engine: Engine) -> None:
    """WAL lets readers run beside a writer; BEGIN IMMEDIATE takes the write lock up
    front so two processes never deadlock upgrading a read lock (SQLITE_BUSY_SNAPSHOT)."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_conn.isolation_level = None  # let SQLAlchemy's begin event own BEGIN
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:  # type: ignore[no-untyped-def]
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def _hide_row_detail(engine: Engine) -> None:
    """PostgreSQL's DETAIL can quote the whole failing row ("Failing row contains (...)"),
    feedback text included: errors keep their type and primary message only, so no log
    line or traceback repeats a patient's words."""

    @event.listens_for(engine, "handle_error")
    def _on_error(context: ExceptionContext) -> None:
        detail = getattr(getattr(context.original_exception, "diag", None), "message_detail", None)
        if not detail:
            return
        for error in (context.original_exception, context.sqlalchemy_exception):
            if error is not None and error.args and isinstance(error.args[0], str):
                error.args = (error.args[0].replace(f"\nDETAIL:  {detail}", ""), *error.args[1:])


def _plan_with_current_sizes(engine: Engine) -> None:
    """psycopg prepares a statement run often; PostgreSQL then keeps a generic plan once it
    looks no costlier than the custom ones. Chosen while a table was nearly empty (a new
    install, a new month's rows), such a plan can filter every row of one API key to find
    25 kiosk items, and it stays until an ANALYZE: 12 ms a lookup at 20,000 rows instead of
    0.06 ms. A custom plan per execution costs ~0.1 ms of planning and follows the tables'
    real sizes."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
        with dbapi_conn.cursor() as cursor:
            cursor.execute("SET plan_cache_mode = force_custom_plan")
        dbapi_conn.commit()


def make_engine(url: str) -> Engine:
    """Create the process's engine; SQLite files get their directory and pragmas.

    hide_parameters: an error never echoes the statement's values (feedback text,
    ciphertexts) into a log line or a traceback."""
    if url.startswith("sqlite"):
        path = url.split(":///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_MS / 1000}, hide_parameters=True)
        _prepare_sqlite(engine)
        return engine
    engine = create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10, hide_parameters=True)
    _hide_row_detail(engine)
    _plan_with_current_sizes(engine)
    return engine


def make_session_factory(bind: Engine | Connection) -> sessionmaker[Session]:
    return sessionmaker(bind=bind, expire_on_commit=False)


@contextmanager
def one_connection(factory: sessionmaker[Session]) -> Iterator[sessionmaker[Session]]:
    """Sessions for a run of short transactions that share one pooled connection: one
    checkout (and pre-ping round trip) for the run instead of one per transaction."""
    with factory.kw["bind"].connect() as connection:
        yield make_session_factory(connection)


class OwnConnection:
    """One thread's stream of small writes, on a connection of its own.

    On PostgreSQL the connection runs in autocommit: a write that is a single statement
    (which PostgreSQL applies whole or not at all) costs one round trip, with no pool
    checkout and pre-ping, no BEGIN and no COMMIT. Use it only for such writes, and reads
    after them: two writing statements would commit apart. Elsewhere (SQLite) each scope
    is an ordinary transaction. After an error the connection is dropped; the next scope
    opens another. Not thread-safe: one per thread."""

    def __init__(self, factory: sessionmaker[Session]) -> None:
        self._factory = factory
        self._engine: Engine = factory.kw["bind"]
        self._connection: Connection | None = None

    @contextmanager
    def scope(self) -> Iterator[Session]:
        if self._engine.dialect.name != "postgresql":
            with session_scope(self._factory) as session:
                yield session
            return
        if self._connection is None:
            self._connection = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        try:
            with Session(bind=self._connection) as session:
                yield session
                session.commit()
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One transaction: commit on success, roll back on any error, always close."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
