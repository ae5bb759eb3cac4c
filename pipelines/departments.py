"""Department codes: the one piece of a feedback that reaches a page.

A page may say where, never what: so a department is a short code (letters, digits,
space and `-_/.`), checked at the edge, and cut down again where a page is built, for
rows stored before the check existed.
"""

from __future__ import annotations

import re

MAX_DEPARTMENT_LENGTH = 64
DEPARTMENT_PATTERN = r"^[\w][\w ./-]*$"
UNASSIGNED = "an unassigned department"
# Its leading run of allowed characters: what precedes a line break or any other intruder.
_LEADING_CODE = re.compile(r"[\w][\w ./-]*")


def page_department(department: str | None) -> str:
    """The department as a page may show it: the code up to the first character a code
    cannot hold, at most MAX_DEPARTMENT_LENGTH characters, else UNASSIGNED."""
    found = _LEADING_CODE.match((department or "").strip())
    code = found.group(0)[:MAX_DEPARTMENT_LENGTH].strip() if found else ""
    return code or UNASSIGNED
