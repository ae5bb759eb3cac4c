"""Staff corrections for retraining tests: a systematic mistake to fix, and poison."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from models.db import session_scope
from models.tables import Feedback, utcnow
from models.urgency_models import UrgencyLabel
from pipelines.urgency.corpus import load_split

# A warm medicines fridge: the bootstrap model calls some of these critical and some
# medium; this hospital's staff want all of them handled the same day ("high").
_FRIDGE = {
    "en": (
        "the {what} fridge on {where} has been warm since {when}",
        "the {what} fridge alarm on {where} keeps going off since {when} and it reads 15 degrees",
    ),
    "fr": ("le frigo {what} du {where} est chaud depuis {when}",),
    "es": ("la nevera de {what} de {where} está caliente desde {when}",),
}
_SLOTS = {
    "en": (
        ("insulin", "vaccine", "medicine", "drug", "blood"),
        ("ward 2", "ward 5", "the day unit", "level 3", "the children's ward", "maternity"),
        ("last night", "this morning", "yesterday", "two days ago", "the weekend"),
    ),
    "fr": (
        ("à insuline", "des vaccins", "des médicaments"),
        ("service 2", "service 5", "3e étage", "bloc B"),
        ("hier soir", "ce matin", "deux jours"),
    ),
    "es": (
        ("insulina", "vacunas", "medicamentos"),
        ("la planta 2", "la planta 5", "pediatría", "maternidad"),
        ("anoche", "esta mañana", "ayer"),
    ),
}


def fridge_texts(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    texts: set[str] = set()
    while len(texts) < count:
        language = rng.choice(("en", "en", "fr", "es"))
        whats, wheres, whens = _SLOTS[language]
        text = rng.choice(_FRIDGE[language]).format(
            what=rng.choice(whats), where=rng.choice(wheres), when=rng.choice(whens)
        )
        texts.add(
            rng.choice(("", "Hello, ", "FYI ", "Bonjour ", "Hola, "))
            + text
            + rng.choice(("", ".", "!", " thanks"))
        )
    return sorted(texts)


def critical_texts(count: int) -> list[str]:
    texts = [row["text"] for row in load_split("train") if row["urgency"] == "critical"]
    random.Random(3).shuffle(texts)
    return texts[:count]


def add_corrections(sessions: sessionmaker[Session], labeled: list[tuple[str, str]]) -> None:
    """Feedback rows labeled by staff, one minute apart (the split is by time)."""
    start = utcnow() - timedelta(days=3)
    with session_scope(sessions) as session:
        for n, (text, label) in enumerate(labeled):
            item = Feedback(channel="kiosk", text=text)
            session.add(item)
            session.flush()
            session.add(
                UrgencyLabel(
                    feedback_id=item.id,
                    label=label,
                    labeled_by="nurse",
                    labeled_at=start + timedelta(minutes=n),
                )
            )
