"""The ready-made kiosk and staff keys and Flower's login of `carepulse dev`, kept in
./var so they survive a restart (the files are readable by their owner only)."""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from models.db import session_scope
from models.keys import create_key, find_key

DEV_KEYS = {"kiosk": ("dev-kiosk", "kiosk"), "staff": ("dev-staff", "admin")}


def ensure_dev_keys(factory: sessionmaker[Session], path: Path) -> dict[str, str]:
    """Reuse the stored tokens while they still work; create the missing ones."""
    tokens: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
    with session_scope(factory) as session:
        for label, (name, role) in DEV_KEYS.items():
            token = tokens.get(label)
            if token is None or find_key(session, token) is None:
                suffix = os.urandom(3).hex()
                tokens[label] = create_key(session, f"{name}-{suffix}", role)
    _write_private(path, json.dumps(tokens, indent=2))
    return tokens


def ensure_flower_login(path: Path) -> str:
    """Flower's `ops:<random>` basic-auth login, made once (no comma or colon in the
    password: Flower splits its setting on both)."""
    if path.exists():
        return path.read_text().strip()
    login = f"ops:{secrets.token_urlsafe(18)}"
    _write_private(path, login)
    return login


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.write_text(text)
