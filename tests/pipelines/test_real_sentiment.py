"""The local analyzer on real patient comments: the NHS Friends and Family Test answers.

The English polarity model learns from these comments, so the honest figures are out of
fold (bench/sentiment_real.py); here the shipped model must keep its in-sample figure and
a model trained without one trust must still read that trust. Whether the artifact is
what the training script writes takes a full training run to tell:
`python -m pipelines.analysis.train_sentiment --check`.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from pipelines.analysis.agreement import polarity_agreement
from pipelines.analysis.local import LocalAnalyzer
from pipelines.analysis.polarity import POLARITY_VERSION, shipped_model
from pipelines.analysis.train_sentiment import fit_polarity, labeled, organization_folds, same_tables
from pipelines.corpora import nhs_comments

TARGET = 0.85  # issue 18: agreement with the comments' polarity
IN_SAMPLE_FLOOR = {"overall": 0.92, "positive": 0.95, "negative": 0.80}  # measured 0.932 / 0.961 / 0.823
HELD_OUT_TRUST = "Trust C"  # measured 0.907 when trained on trusts A and B only

ANALYZER = LocalAnalyzer()


def test_shipped_model_agrees_with_real_polarity_in_sample() -> None:
    result = polarity_agreement(ANALYZER, nhs_comments())
    assert result.overall.total == 7501
    assert result.overall.rate >= max(TARGET, IN_SAMPLE_FLOOR["overall"]), result.called
    for polarity in ("positive", "negative"):
        assert result.of(polarity).rate >= IN_SAMPLE_FLOOR[polarity], result.called


def test_a_model_trained_without_a_trust_reads_that_trust() -> None:
    [(_, others, own)] = [
        fold for fold in organization_folds(labeled(nhs_comments())) if fold[0] == HELD_OUT_TRUST
    ]
    result = polarity_agreement(LocalAnalyzer(fit_polarity(others)), own)
    assert result.overall.total == len(own) > 4000
    assert result.overall.rate >= TARGET, result.called


def test_the_shipped_artifact_is_this_version() -> None:
    shipped = shipped_model()
    assert shipped.version == POLARITY_VERSION
    assert len(shipped.words) > 10_000 and len(shipped.chars) > 10_000


def test_tables_that_differ_are_told_apart() -> None:
    small = fit_polarity(labeled(nhs_comments())[:300])
    assert same_tables(small, small)
    assert not same_tables(small, replace(small, intercept=small.intercept + 1e-6))


@pytest.mark.parametrize(
    "text",
    [
        "Nothing.",
        "Nothing",
        "nothing to improve",
        "No",
        "None.",
        "Nothing at all",
        "No, nothing.",
        "Can't think of anything",
        "No complaints",
        "Rien à améliorer",
        "Rien.",
        "Non, rien à redire",
        "Nada que mejorar",
        "Nada.",
        "No, nada que decir",
    ],
)
def test_nothing_to_improve_is_praise(text: str) -> None:
    assert ANALYZER.analyze(text).sentiment_label == "positive"


@pytest.mark.parametrize(
    "text",
    [
        "Nothing worked and nobody came when we called.",
        "No one explained anything to us, we waited all night.",
        "The nurse ignored my mother for hours, it was a disgrace.",
        "Staff were rude and the ward was filthy.",
        "Personne ne nous a expliqué quoi que ce soit, nous avons attendu toute la nuit.",
        "L'infirmière a ignoré ma mère pendant des heures, c'est inadmissible.",
        "Le personnel était impoli et la chambre sale.",
        "Nadie nos explicó nada, esperamos toda la noche.",
        "La enfermera ignoró a mi madre durante horas, es una vergüenza.",
        "El personal fue grosero y la habitación estaba sucia.",
    ],
)
def test_clear_complaints_are_negative(text: str) -> None:
    assert ANALYZER.analyze(text).sentiment_label == "negative"


def test_french_and_spanish_are_left_to_the_lexicon() -> None:
    """The English model knows no French: a French text's score does not depend on it."""
    french = ANALYZER.analyze("Le personnel était très gentil, merci", language="fr")
    assert french.sentiment_label == "positive" and french.language == "fr"
    assert (
        LocalAnalyzer(fit_polarity(labeled(nhs_comments())[:200])).analyze(
            "Le personnel était très gentil, merci", language="fr"
        )
        == french
    )
