"""Real text nobody here wrote, kept with its licence, for measuring and training.

`nhs_comments()` reads the NHS Friends and Family Test comments (MIT, NHS England; see
`nhs_fft/README.md`), skipping the rows whose criticality is not a number from -4 to 4.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

NHS_FFT_CSV = Path(__file__).parent / "nhs_fft" / "nhs_fft_phase1.csv"


@dataclass(frozen=True)
class RealComment:
    text: str
    criticality: int  # -4 strongly critical of the service .. +4 strongly positive
    label: str  # the trust's topic
    organization: str

    @property
    def polarity(self) -> str | None:
        """The sentiment the trust's label implies: praise (>= +1) positive, <= -2 negative,
        None in between (mildly critical or neutral comments have no clear polarity)."""
        if self.criticality >= 1:
            return "positive"
        if self.criticality <= -2:
            return "negative"
        return None


@cache
def nhs_comments() -> tuple[RealComment, ...]:
    comments = []
    with NHS_FFT_CSV.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            text = (row["feedback"] or "").strip()
            try:
                criticality = int(row["criticality"])
            except ValueError:
                continue
            if text and -4 <= criticality <= 4:
                comments.append(RealComment(text, criticality, row["label"], row["organization"]))
    return tuple(comments)
