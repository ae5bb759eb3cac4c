"""Assemble what a training run learns from and is judged on.

Training: the generated corpus, the hand-written training sets, real patient comments
(NHS Friends and Family Test: everyday traffic, "low", or "medium" when strongly
critical of the service) and staff corrections, deduplicated on normalized text (a
correction beats the corpus, a later correction beats an earlier one, and a text in an
evaluation set never also trains). Corrections are split by time: the newest fifth is
held out, so a challenger is judged on labels it has not seen, the way next week's
feedback will be. A fixed third of the hand-written and real rows is the calibration
split: the thresholds are chosen on rows the first fit did not see.
"""

from __future__ import annotations

import hashlib
import json
import math
import multiprocessing
import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from joblib import Parallel, delayed
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.tables import Analysis, Feedback
from models.urgency_models import UrgencyLabel
from pipelines.analysis.local import LocalAnalyzer
from pipelines.corpora import nhs_comments
from pipelines.urgency.corpus import HANDWRITTEN_EVAL, handwritten_train_paths, load_split, read_jsonl
from pipelines.urgency.features import UrgencyFeatures, make_features
from pipelines.urgency.rules import LEVELS, binding_level, max_level, model_ceiling, red_flags

HELD_OUT_SHARE = 0.2  # newest corrections kept for evaluation
CALIBRATION_BUCKETS = 3  # one bucket in three of hand-written and real rows calibrates
CALIBRATED_SOURCES = ("handwritten", "everyday", "real")
EVERYDAY_SOURCES = ("everyday", "real")  # everyday traffic: the page-rate budgets count these
PARALLEL_MIN_ITEMS = 20_000
PARALLEL_CHUNKS = 16
_ANALYZER = LocalAnalyzer()  # what offline scoring runs; corrections carry their own analysis


@dataclass(frozen=True)
class LabeledItem:
    """One labeled text with what the pipeline knew about it when it was scored."""

    text: str
    language: str | None
    rating: int | None
    channel: str | None
    label: str
    sentiment_score: float | None = None  # None: run the local analyzer, as offline scoring does
    urgency_hint: str | None = None
    source: str = "corpus"
    labeled_at: datetime | None = None
    praise: bool = False  # a real comment its trust rated praise or "nothing to improve"


@dataclass(frozen=True)
class Prepared:
    """Items turned into model features, plus the rules' and the hint's level for each."""

    features: list[UrgencyFeatures]
    floors: list[str]  # max of red-flag level and hint: what the model can only raise
    labels: list[str]
    praise: list[bool]  # real comments rated praise: must never be called critical or high
    ceilings: list[str | None]  # the most the model may call (rules.model_ceiling)

    def __len__(self) -> int:
        return len(self.labels)


@dataclass(frozen=True)
class Dataset:
    train: list[LabeledItem]
    held_out: list[LabeledItem]
    safety: list[LabeledItem]
    data_hash: str

    def calibration_split(self) -> tuple[list[LabeledItem], list[LabeledItem]]:
        """(rows the first fit learns from, rows its thresholds are chosen on)."""
        fit_rows, calibration = [], []
        for item in self.train:
            held = item.source in CALIBRATED_SOURCES and _bucket(item.text) == 0
            (calibration if held else fit_rows).append(item)
        return fit_rows, calibration


def _bucket(text: str) -> int:
    return int(hashlib.sha256(text_key(text).encode()).hexdigest(), 16) % CALIBRATION_BUCKETS


def text_key(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.casefold()).split())


def corpus_items(split: str) -> list[LabeledItem]:
    return _jsonl_items(load_split(split), "corpus")


def _jsonl_items(rows: list[dict], source: str) -> list[LabeledItem]:
    return [
        LabeledItem(
            text=row["text"],
            language=row.get("language"),
            rating=row.get("rating"),
            channel=row.get("channel"),
            label=row["urgency"],
            source=source,
        )
        for row in rows
    ]


def handwritten_items() -> list[LabeledItem]:
    """The hand-written training sets (never the frozen evaluation set)."""
    return [
        item for path in handwritten_train_paths() for item in _jsonl_items(read_jsonl(path), "handwritten")
    ]


def handwritten_eval_items() -> list[LabeledItem]:
    return _jsonl_items(read_jsonl(HANDWRITTEN_EVAL), "handwritten_eval")


def real_items() -> list[LabeledItem]:
    """Real comments as the model should read them: everyday feedback, "medium" when
    strongly critical of the service (criticality -2 or below), never urgent by label."""
    return [
        LabeledItem(
            text=comment.text,
            language="en",
            rating=None,
            channel="survey",
            label="medium" if comment.criticality <= -2 else "low",
            source="real",
            praise=comment.criticality >= 1,
        )
        for comment in nhs_comments()
    ]


def correction_items(session: Session) -> list[LabeledItem]:
    """Staff labels with the feedback and the analysis it was scored with, oldest first.
    Feedback whose text retention purged is left out: its label stays for the analytics."""
    rows = session.execute(
        select(UrgencyLabel, Feedback, Analysis)
        .join(Feedback, Feedback.id == UrgencyLabel.feedback_id)
        .outerjoin(Analysis, Analysis.feedback_id == Feedback.id)
        .where(Feedback.text.is_not(None))
        .order_by(UrgencyLabel.labeled_at, UrgencyLabel.id)
    ).all()
    return [
        LabeledItem(
            text=item.text or "",
            language=(analysis.language if analysis else None) or item.language,
            rating=item.rating,
            channel=item.channel,
            label=label.label,
            sentiment_score=analysis.sentiment_score if analysis else None,
            urgency_hint=analysis.urgency_hint if analysis else None,
            source="correction",
            labeled_at=label.labeled_at,
        )
        for label, item, analysis in rows
        if label.label in LEVELS
    ]


def _dedupe(items: list[LabeledItem], exclude: set[str]) -> list[LabeledItem]:
    """Last one wins per text; texts in `exclude` are dropped."""
    latest: dict[str, LabeledItem] = {}
    for item in items:
        key = text_key(item.text)
        if key and key not in exclude:
            latest.pop(key, None)
            latest[key] = item
    return list(latest.values())


def data_hash(*parts: list[LabeledItem]) -> str:
    digest = hashlib.sha256()
    for items in parts:
        for item in items:
            digest.update(json.dumps([text_key(item.text), item.label, item.rating, item.channel]).encode())
        digest.update(b"|")
    return digest.hexdigest()


def assemble(corrections: list[LabeledItem]) -> Dataset:
    cut = len(corrections) - int(len(corrections) * HELD_OUT_SHARE)
    safety = corpus_items("safety")
    held_out = _dedupe(corpus_items("test") + corrections[cut:], set())
    exclude = {text_key(item.text) for item in held_out + safety + handwritten_eval_items()}
    train = _dedupe(corpus_items("train") + handwritten_items() + real_items() + corrections[:cut], exclude)
    return Dataset(train, held_out, safety, data_hash(train, held_out, safety))


@lru_cache(maxsize=100_000)
def _prepare_one(item: LabeledItem) -> tuple[UrgencyFeatures, str, str | None]:
    """Cached: the corpus is re-read every run, and items are immutable."""
    language, sentiment = item.language, item.sentiment_score
    if sentiment is None:
        analysis = _ANALYZER.analyze(item.text, language=item.language, rating=item.rating)
        language, sentiment = analysis.language, analysis.sentiment_score
    hits = red_flags(item.text, language)
    hint = item.urgency_hint if item.urgency_hint in LEVELS else None
    features = make_features(item.text, language, item.rating, item.channel, sentiment, hint, hits)
    return features, max_level(hint, binding_level(hits)), model_ceiling(hits, item.text)


def _prepare_chunk(items: list[LabeledItem]) -> list[tuple[UrgencyFeatures, str, str | None]]:
    return [_prepare_one(item) for item in items]


def prepare(items: list[LabeledItem]) -> Prepared:
    """Features exactly as the scoring stage builds them (same analyzer, same rules).

    Large sets are split over processes (the rules are pure-Python regular expressions),
    except inside a daemonic process such as a Celery pool child, which may not fork.
    """
    if len(items) >= PARALLEL_MIN_ITEMS and not multiprocessing.current_process().daemon:
        size = math.ceil(len(items) / PARALLEL_CHUNKS)
        chunks = Parallel(n_jobs=-1)(
            delayed(_prepare_chunk)(items[i : i + size]) for i in range(0, len(items), size)
        )
        pairs = [pair for chunk in chunks for pair in chunk]
    else:
        pairs = _prepare_chunk(items)
    return Prepared(
        [features for features, _, _ in pairs],
        [floor for _, floor, _ in pairs],
        [item.label for item in items],
        [item.praise for item in items],
        [ceiling for _, _, ceiling in pairs],
    )
