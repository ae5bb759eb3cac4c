"""The fault suite's results table: one row per case, printed at the end of the run.

Each fault test records what it measured before it asserts, so a failing case still shows
its figures in the table.
"""

from __future__ import annotations

from dataclasses import astuple, dataclass, fields


@dataclass(frozen=True)
class FaultRow:
    """accepted: items (or reminders) the system took on; sent: messages that reached a
    provider or the offline sender; completed: accepted items in a terminal state, pages
    included; lost: accepted items that never got there or have a page neither delivered
    nor recorded as failed; duplicates: messages beyond the first per (item, recipient,
    channel), counted where they arrived."""

    case: str
    accepted: int
    sent: int
    completed: int
    lost: int
    duplicates: int


COLUMNS = tuple(f.name for f in fields(FaultRow))


class FaultTable:
    def __init__(self) -> None:
        self.rows: list[FaultRow] = []

    def record(self, row: FaultRow) -> None:
        self.rows.append(row)

    def render(self) -> list[str]:
        """The rows as aligned text lines, a header first."""
        cells = [COLUMNS, *[tuple(str(value) for value in astuple(row)) for row in self.rows]]
        widths = [max(len(line[i]) for line in cells) for i in range(len(COLUMNS))]

        def line(values: tuple[str, ...]) -> str:
            first, *numbers = values
            return "  ".join(
                [first.ljust(widths[0]), *(v.rjust(w) for v, w in zip(numbers, widths[1:], strict=True))]
            )

        return [line(cells[0]), "  ".join("-" * w for w in widths), *(line(row) for row in cells[1:])]


# The run's table: fault tests add to it, tests/faults/conftest.py prints it.
TABLE = FaultTable()
