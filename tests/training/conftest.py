"""One model directory for the whole run: the bootstrap artifact is trained once and
reused by every test database (its version is derived from the corpus and the code)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("models")
