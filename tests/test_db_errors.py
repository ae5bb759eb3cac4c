"""Database errors never repeat what was being written: no statement parameters, and no
PostgreSQL DETAIL quoting the failing row."""

from __future__ import annotations

import traceback

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from models.db import make_engine

SECRET = "Bilby2093 my wife fell in the shower"


def test_a_failed_insert_names_the_constraint_not_the_row(database_url: str) -> None:
    engine = make_engine(database_url)
    with engine.connect() as conn:
        conn.execute(text("CREATE TEMPORARY TABLE note (body TEXT, rating INTEGER NOT NULL)"))
        with pytest.raises(IntegrityError) as failure:
            conn.execute(text("INSERT INTO note (body, rating) VALUES (:body, NULL)"), {"body": SECRET})
    engine.dispose()
    shown = "".join(traceback.format_exception(failure.value))
    assert "rating" in shown and "parameters hidden" in shown
    assert "Bilby2093" not in shown
