"""Configuration errors name the variable."""

from __future__ import annotations

import pytest

from models.settings import SettingsError, load_settings


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"DATABASE_URL": "mysql://x"}, "DATABASE_URL"),
        ({"REDIS_URL": "http://x"}, "REDIS_URL"),
        ({"CELERY_VISIBILITY_TIMEOUT": "soon"}, "CELERY_VISIBILITY_TIMEOUT"),
        ({"CAREPULSE_SECRET_KEY": "short"}, "CAREPULSE_SECRET_KEY"),
        ({"CAREPULSE_ENV": "production"}, "CAREPULSE_SECRET_KEY"),
        ({"OUTBOX_SWEEP_SECONDS": "7200"}, "OUTBOX_SWEEP_SECONDS"),
        ({"WORKER_METRICS_PORT": "70000"}, "WORKER_METRICS_PORT"),
        ({"WORKER_METRICS_PORT": "-1"}, "WORKER_METRICS_PORT"),
    ],
)
def test_bad_values_name_the_variable(env: dict[str, str], variable: str) -> None:
    with pytest.raises(SettingsError, match=variable):
        load_settings(env)


def test_defaults_need_nothing() -> None:
    settings = load_settings({})
    assert settings.database_url.startswith("sqlite:///") and settings.database_url.endswith(
        "var/carepulse.db"
    )
    assert settings.redis_url == "redis://127.0.0.1:6379/0"
