"""Audit the installed dependencies with pip-audit; fail on any known vulnerability.

pip-audit asks PyPI's JSON API about each installed version. A package it could not look up
(the advisory service unreachable, as on an offline build machine) is listed loudly as
not audited: that is a gap to close by running the audit where PyPI answers, never a pass.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

VENV_BIN = Path(sys.executable).parent


def main() -> int:
    result = subprocess.run(
        [
            str(VENV_BIN / "pip-audit"),
            "--local",
            "--skip-editable",
            "--format",
            "json",
            "--progress-spinner",
            "off",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        print(result.stderr, file=sys.stderr)
        print("dependency audit: pip-audit gave no report", file=sys.stderr)
        return 1
    dependencies = report["dependencies"]
    skipped = [d["name"] for d in dependencies if "skip_reason" in d]
    vulnerable = [d for d in dependencies if d.get("vulns")]
    for dependency in vulnerable:
        for vuln in dependency["vulns"]:
            fixed = ", ".join(vuln.get("fix_versions", [])) or "no fix yet"
            print(f"VULNERABLE {dependency['name']} {dependency['version']}: {vuln['id']} (fixed in {fixed})")
    audited = len(dependencies) - len(skipped)
    print(f"dependency audit: {audited} audited, {len(vulnerable)} vulnerable, {len(skipped)} not audited")
    if skipped:
        print(
            "WARNING: the vulnerability service did not answer for: " + ", ".join(skipped) + "\n"
            "         run `make audit` where https://pypi.org/pypi/<name>/<version>/json is reachable",
            file=sys.stderr,
        )
    return 1 if vulnerable else 0


if __name__ == "__main__":
    sys.exit(main())
