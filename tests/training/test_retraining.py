"""The retraining pipeline on both databases: staff corrections that fix a systematic
mistake are promoted, poisoned ones are not; the registry rolls back; the dataset is
deduplicated and split by time."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models.db import session_scope
from models.urgency_models import TrainingRun, UrgencyModelVersion
from pipelines.analysis.local import LocalAnalyzer
from pipelines.corpora import nhs_comments
from pipelines.training import registry
from pipelines.training.dataset import LabeledItem, assemble, corpus_items, text_key
from pipelines.training.promote import decide
from pipelines.training.retrain import ensure_champion, retrain
from pipelines.urgency.model import UrgencyModel
from pipelines.urgency.offline import score_text
from tests.support.urgency_corrections import add_corrections, critical_texts, fridge_texts


def champion_model(sessions: sessionmaker[Session], model_dir: Path) -> UrgencyModel:
    with sessions() as session:
        row = registry.champion(session)
        assert row is not None
        return registry.load(model_dir, row)


def share_high(model: UrgencyModel, texts: list[str]) -> float:
    analyzer = LocalAnalyzer()
    return sum(score_text(analyzer, model, text).level == "high" for text in texts) / len(texts)


def test_corrections_fixing_a_systematic_mistake_are_promoted(
    sessions: sessionmaker[Session], model_dir: Path
) -> None:
    with session_scope(sessions) as session:
        bootstrap = ensure_champion(session, model_dir).version
    unseen = fridge_texts(seed=99, count=40)  # never among the corrections
    assert share_high(champion_model(sessions, model_dir), unseen) < 0.8  # the mistake

    add_corrections(sessions, [(text, "high") for text in fridge_texts(seed=1, count=300)])
    with session_scope(sessions) as session:
        outcome = retrain(session, model_dir, trigger="test")

    assert outcome.promoted, outcome.decision
    assert outcome.champion == bootstrap
    assert share_high(champion_model(sessions, model_dir), unseen) >= 0.95
    with sessions() as session:
        run = session.get(TrainingRun, outcome.run_id)
        assert run is not None and run.promoted and run.finished_at is not None
        assert run.confusion_png.startswith(b"\x89PNG") and run.pr_png.startswith(b"\x89PNG")
        assert run.report["challenger"]["metrics"]["held_out"]["pipeline"]["n"] > 700


def test_poisoned_corrections_are_not_promoted(sessions: sessionmaker[Session], model_dir: Path) -> None:
    with session_scope(sessions) as session:
        bootstrap = ensure_champion(session, model_dir).version
    add_corrections(sessions, [(text, "low") for text in critical_texts(300)])
    with session_scope(sessions) as session:
        outcome = retrain(session, model_dir, trigger="test")

    assert not outcome.promoted
    assert "critical recall" in outcome.decision
    with sessions() as session:
        assert registry.champion(session).version == bootstrap  # type: ignore[union-attr]
        challenger = registry.find(session, outcome.challenger)
        assert challenger is not None and challenger.status == "rejected"
        run = session.get(TrainingRun, outcome.run_id)
        assert run is not None and not run.promoted and run.decision == outcome.decision


def test_a_challenger_that_pages_on_real_praise_is_not_promoted(
    sessions: sessionmaker[Session], model_dir: Path
) -> None:
    """Poison of another kind: staff labels that would make the model page on "Nothing,
    staff were lovely". Calibration keeps real comments within their budget, which costs
    the challenger its recall on the hand-written emergencies: it is not promoted."""
    with session_scope(sessions) as session:
        bootstrap = ensure_champion(session, model_dir).version
    praise = [comment.text for comment in nhs_comments() if comment.criticality >= 3][:400]
    add_corrections(sessions, [(text, "critical") for text in praise])
    with session_scope(sessions) as session:
        outcome = retrain(session, model_dir, trigger="test")

    assert not outcome.promoted
    assert "critical recall" in outcome.decision
    assert outcome.challenger_metrics["real_comments"]["critical"] <= 0.005
    with sessions() as session:
        assert registry.champion(session).version == bootstrap  # type: ignore[union-attr]
        run = session.get(TrainingRun, outcome.run_id)
        assert run is not None
        shown = run.report["challenger"]["metrics"]
        assert {"real_comments", "handwritten"} <= set(shown)


def test_promotion_refuses_a_challenger_over_the_real_comment_budget() -> None:
    level = {"per_level": {"critical": {"recall": 1.0}}, "macro_f1": 0.9}
    sets = {name: {"pipeline": level, "model": level} for name in ("handwritten", "held_out", "safety")}
    champion = {**sets, "real_comments": {"critical": 0.002, "praise_urgent": 0.002}}
    paging = {**sets, "real_comments": {"critical": 0.02, "praise_urgent": 0.002}}
    praising = {**sets, "real_comments": {"critical": 0.002, "praise_urgent": 0.03}}
    assert decide(champion, champion)[0]
    assert decide(champion, paging) == (
        False,
        "2.00% of real comments would be called critical (budget 0.5%)",
    )
    assert not decide(champion, praising)[0] and "real praise" in decide(champion, praising)[1]


def test_rollback_returns_to_the_previous_champion(sessions: sessionmaker[Session], model_dir: Path) -> None:
    with session_scope(sessions) as session:
        first = ensure_champion(session, model_dir).version
    copy = champion_model(sessions, model_dir)
    copy.version = "urgency-copy"
    with session_scope(sessions) as session:
        row = registry.register(
            session, copy, model_dir, data_hash="x", code_version="y", training_rows=1, metrics={}
        )
        registry.promote(session, row)
    with session_scope(sessions) as session:
        assert registry.rollback(session).version == first
    with sessions() as session:
        statuses = dict(
            session.execute(select(UrgencyModelVersion.version, UrgencyModelVersion.status)).all()
        )
    assert statuses == {first: "champion", "urgency-copy": "retired"}
    with session_scope(sessions) as session, pytest.raises(registry.RegistryError):
        registry.rollback(session, "no-such-version")


def test_dataset_deduplicates_and_splits_corrections_by_time() -> None:
    held_out_text = corpus_items("test")[0].text
    corrections = [
        LabeledItem(f"correction number {n}", "en", None, "kiosk", "medium", source="correction")
        for n in range(10)
    ]
    corrections.insert(
        0, LabeledItem("Correction number 3!", "en", None, "kiosk", "low", source="correction")
    )
    corrections.append(LabeledItem(held_out_text, "en", None, "kiosk", "low", source="correction"))
    dataset = assemble(corrections)

    train = {text_key(item.text): item for item in dataset.train if item.source == "correction"}
    held = [item for item in dataset.held_out if item.source == "correction"]
    assert len(held) == 2  # the newest fifth of 12, by time
    assert text_key(held_out_text) not in train
    assert train[text_key("correction number 3")].label == "medium"  # the later label wins
    assert sorted(train) == [f"correction number {n}" for n in range(9)]
    assert {item.text for item in held} == {"correction number 9", held_out_text}


def test_a_host_without_the_artifact_loads_it_from_the_registry(
    sessions: sessionmaker[Session], model_dir: Path, tmp_path: Path
) -> None:
    with session_scope(sessions) as session:
        ensure_champion(session, model_dir)
    other_host = tmp_path / "models"
    with sessions() as session:
        row = registry.champion(session)
        assert row is not None
        model = registry.load(other_host, row)
    assert model.version == row.version
    assert (other_host / row.artifact).read_bytes() == (model_dir / row.artifact).read_bytes()
