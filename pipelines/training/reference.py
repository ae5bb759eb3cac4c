"""What `carepulse evaluate` measures: any labeled file, and the reference sets in the
order that says most about the world: real patient comments first (how often would we
page on real traffic?), the frozen hand-written set second (do we catch emergencies
written by people, not by our generator?), the generated split last (it shows how well
the model learned the generator, nothing more).

Every text is scored exactly as the pipeline scores it (`urgency.offline.score_text`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from pipelines.analysis.local import LocalAnalyzer
from pipelines.corpora import RealComment, nhs_comments
from pipelines.training.evaluate import REPORT_LEVELS, level_metrics
from pipelines.urgency.corpus import HANDWRITTEN_EVAL, load_split, read_jsonl
from pipelines.urgency.decide import UrgencyResult
from pipelines.urgency.model import UrgencyModel
from pipelines.urgency.offline import score_text

Scorer = Callable[[dict[str, Any]], UrgencyResult]  # one JSONL line -> its decision


@dataclass(frozen=True)
class Scored:
    line: dict[str, Any]
    result: UrgencyResult


def pipeline_scorer(model: UrgencyModel) -> Scorer:
    """Scores a line as the pipeline does offline: the local analyzer, then the decision."""
    analyzer = LocalAnalyzer()

    def score(line: dict[str, Any]) -> UrgencyResult:
        return score_text(
            analyzer,
            model,
            line.get("text"),
            language=line.get("language"),
            rating=line.get("rating"),
            channel=line.get("channel"),
        )

    return score


def score_lines(lines: Iterable[dict[str, Any]], scorer: Scorer) -> list[Scored]:
    return [Scored(line, scorer(line)) for line in lines]


def label_of(line: dict[str, Any]) -> str | None:
    """The line's urgency label, None when it has none (unlabeled real traffic)."""
    label = str(line.get("urgency") or "").strip().lower()
    return label if label in REPORT_LEVELS else None


def _shares(levels: list[str]) -> dict[str, float]:
    counts = Counter(levels)
    return {level: round(counts[level] / len(levels), 4) if levels else 0.0 for level in REPORT_LEVELS}


def labeled_metrics(scored: list[Scored]) -> dict[str, Any]:
    """Metrics on the labeled lines, critical recall per language, and the share of
    every line (labeled or not) called each level."""
    labeled = [item for item in scored if label_of(item.line)]
    metrics = level_metrics(
        [label_of(item.line) or "" for item in labeled], [item.result.level for item in labeled]
    )
    metrics["n"] = len(scored)
    metrics["labeled"] = len(labeled)
    metrics["predicted_share"] = _shares([item.result.level for item in scored])
    by_language: dict[str, list[bool]] = {}
    for item in labeled:
        if label_of(item.line) == "critical":
            by_language.setdefault(item.line.get("language") or "unknown", []).append(
                item.result.level == "critical"
            )
    metrics["critical_recall_by_language"] = {
        language: round(sum(hits) / len(hits), 4) for language, hits in sorted(by_language.items())
    }
    return metrics


def real_comment_lines() -> list[tuple[dict[str, Any], RealComment]]:
    return [
        ({"text": comment.text, "language": "en", "channel": "survey"}, comment) for comment in nhs_comments()
    ]


def real_comment_rates(scored: list[Scored], comments: list[RealComment]) -> dict[str, Any]:
    """How often real comments would page: the budget figures, and every critical call."""
    levels = [item.result.level for item in scored]
    praise = [
        item.result.level for item, comment in zip(scored, comments, strict=True) if comment.criticality >= 1
    ]
    return {
        "n": len(levels),
        "predicted_share": _shares(levels),
        "praise_n": len(praise),
        "praise_called_critical_or_high": round(
            sum(level in ("critical", "high") for level in praise) / len(praise), 4
        )
        if praise
        else 0.0,
        "critical_calls": [
            {
                "text": item.line["text"],
                "criticality": comment.criticality,
                "reasons": list(item.result.reasons),
            }
            for item, comment in zip(scored, comments, strict=True)
            if item.result.level == "critical"
        ],
    }


def reference(scorer: Scorer) -> dict[str, Any]:
    """The three reference sets, real comments first."""
    real = real_comment_lines()
    return {
        "real_comments": real_comment_rates(
            score_lines((line for line, _ in real), scorer), [c for _, c in real]
        ),
        "handwritten": labeled_metrics(score_lines(read_jsonl(HANDWRITTEN_EVAL), scorer)),
        "generated_test": labeled_metrics(score_lines(load_split("test"), scorer)),
    }


def markdown(results: dict[str, Any], model_version: str) -> str:
    """A report a person reads line by line: the figures, then every real comment called
    critical with its reasons."""
    real, written, generated = results["real_comments"], results["handwritten"], results["generated_test"]
    lines = [
        "# Urgency on real and hand-written feedback",
        "",
        f"Model `{model_version}`, offline (local analyzer). Regenerate with "
        "`carepulse evaluate --report docs/urgency-evaluation.md`.",
        "",
        f"## Real patient comments (NHS Friends and Family Test, {real['n']} comments)",
        "",
        f"- called critical: {real['predicted_share']['critical']:.2%}; called high: "
        f"{real['predicted_share']['high']:.2%}",
        f"- praise or nothing to improve (criticality +1 and above, {real['praise_n']} comments) called "
        f"critical or high: {real['praise_called_critical_or_high']:.2%}",
        "",
        _set_line("Hand-written evaluation set (frozen, en/fr/es)", written),
        "",
        _set_line(
            "Generated test split (shows how well the generator was learned, not the world)", generated
        ),
        "",
        f"## Every real comment called critical ({len(real['critical_calls'])})",
        "",
    ]
    for call in real["critical_calls"]:
        text = " ".join(call["text"].split())
        lines.append(f"- ({call['criticality']:+d}) {text}  \n  reasons: {'; '.join(call['reasons'])}")
    return "\n".join(lines) + "\n"


def _set_line(title: str, metrics: dict[str, Any]) -> str:
    critical = metrics["per_level"]["critical"]
    by_language = ", ".join(
        f"{lang} {value:.3f}" for lang, value in metrics["critical_recall_by_language"].items()
    )
    return (
        f"## {title}, {metrics['n']} items\n\n"
        f"- critical recall {critical['recall']:.3f} (precision {critical['precision']:.3f}); by language: "
        f"{by_language}\n"
        f"- macro F1 {metrics['macro_f1']:.3f}; low items called critical or high: "
        f"{metrics['low_called_urgent']:.2%}"
    )
