"""A training run's report: metrics as JSON, a confusion-matrix and a precision-recall image.

Figures are drawn with matplotlib's object API on the Agg canvas: no display, no global
pyplot state, safe inside a worker.
"""

from __future__ import annotations

import io

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from sklearn.metrics import average_precision_score, precision_recall_curve

from pipelines.training.evaluate import REPORT_LEVELS
from pipelines.urgency.rules import LEVELS


def _png(figure: Figure) -> bytes:
    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    return buffer.getvalue()


def confusion_png(confusion: dict[str, dict[str, int]], title: str) -> bytes:
    matrix = np.array([[confusion[t][p] for p in REPORT_LEVELS] for t in REPORT_LEVELS])
    figure = Figure(figsize=(5, 4.2))
    axes = figure.add_subplot()
    axes.imshow(matrix, cmap="Blues")
    axes.set_xticks(range(len(REPORT_LEVELS)), REPORT_LEVELS)
    axes.set_yticks(range(len(REPORT_LEVELS)), REPORT_LEVELS)
    axes.set_xlabel("predicted")
    axes.set_ylabel("labeled")
    axes.set_title(title)
    threshold = matrix.max() / 2 if matrix.size else 0
    for i in range(matrix.shape[0]):
        for j in range(matrix.shape[1]):
            color = "white" if matrix[i, j] > threshold else "black"
            axes.text(j, i, str(matrix[i, j]), ha="center", va="center", color=color)
    return _png(figure)


def precision_recall_png(labels: list[str], probabilities: np.ndarray, title: str) -> bytes:
    """One curve per level: the model's P(level), one level against the rest."""
    figure = Figure(figsize=(5.5, 4.2))
    axes = figure.add_subplot()
    truth = np.array(labels)
    for level in REPORT_LEVELS:
        positives = truth == level
        if not positives.any():
            continue
        scores = probabilities[:, LEVELS.index(level)]
        precision, recall, _ = precision_recall_curve(positives, scores)
        ap = average_precision_score(positives, scores)
        axes.plot(recall, precision, label=f"{level} (AP {ap:.2f})")
    axes.set_xlabel("recall")
    axes.set_ylabel("precision")
    axes.set_xlim(0, 1.01)
    axes.set_ylim(0, 1.01)
    axes.set_title(title)
    axes.legend(loc="lower left")
    return _png(figure)
