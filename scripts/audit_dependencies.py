"""Known vulnerabilities in the locked dependencies: ``python scripts/audit_dependencies.py``.

- Python: ``pip-audit`` on uv.lock's exact versions (``uv export``, hashes required, pip not
  run), which asks PyPI's JSON API for each version's known vulnerabilities.
- JavaScript: ``npm audit`` on package-lock.json, which asks the npm registry.

A vulnerability found fails (exit 1). A database that cannot be reached does not: the audit
says so on a line of its own and is skipped, so that CI does not fail for a network reason
(from some machines — a registry mirror without the audit endpoints — neither is reachable).
"""

from __future__ import annotations

import json
import shutil
import subprocess  # nosec B404  # runs the audit tools, fixed arguments
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
TIMEOUT = 180


def _run(command: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603  # nosec B603  # fixed commands
        command, cwd=ROOT, capture_output=True, text=True, timeout=TIMEOUT, check=False
    )


def python_audit() -> bool:
    """True unless a vulnerability is known in a locked Python package."""
    with tempfile.TemporaryDirectory() as tmp:
        requirements = Path(tmp) / "requirements.txt"
        exported = _run(
            [
                str(BIN / "uv"),
                "export",
                "--frozen",
                "--format",
                "requirements-txt",
                "--all-groups",
                "--no-emit-project",
                "--quiet",
                "--output-file",
                str(requirements),
            ]
        )
        if exported.returncode != 0:
            print(f"pip-audit: cannot export uv.lock: {exported.stderr.strip()}")
            return False
        try:
            done = _run(
                [
                    str(BIN / "pip-audit"),
                    "--requirement",
                    str(requirements),
                    "--disable-pip",
                    "--require-hashes",
                    "--format",
                    "json",
                    "--progress-spinner",
                    "off",
                ]
            )
        except subprocess.TimeoutExpired:
            print("pip-audit: SKIPPED, the vulnerability database did not answer in time")
            return True
    try:
        report = json.loads(done.stdout)
    except ValueError:
        print(f"pip-audit: SKIPPED, no report (network?): {done.stderr.strip()[-300:]}")
        return True
    dependencies = report.get("dependencies", [])
    vulnerable = [d for d in dependencies if d.get("vulns")]
    audited = [d for d in dependencies if "skip_reason" not in d]
    for dependency in vulnerable:
        ids = ", ".join(v.get("id", "?") for v in dependency["vulns"])
        print(f"pip-audit: {dependency['name']} {dependency['version']}: {ids}")
    if vulnerable:
        return False
    if dependencies and not audited:
        print(
            "pip-audit: SKIPPED, the vulnerability database is not reachable from here "
            f"(none of the {len(dependencies)} locked packages could be looked up)"
        )
        return True
    print(f"pip-audit: {len(audited)} packages audited, no known vulnerability")
    return True


def npm_audit() -> bool:
    """True unless a vulnerability of high or critical severity is known in package-lock."""
    npm = shutil.which("npm")
    if npm is None:
        print("npm audit: SKIPPED, npm is not installed")
        return True
    try:
        done = _run([npm, "audit", "--json", "--package-lock-only", "--audit-level=high"])
    except subprocess.TimeoutExpired:
        print("npm audit: SKIPPED, the registry did not answer in time")
        return True
    try:
        report = json.loads(done.stdout)
    except ValueError:
        report = {}
    counts = report.get("metadata", {}).get("vulnerabilities")
    if not isinstance(counts, dict):
        # An error instead of a report: the audit endpoint is unreachable or refused.
        reason = report.get("message") or report.get("error", {}).get("summary") or "no report"
        print(f"npm audit: SKIPPED, the registry's audit endpoint is not reachable ({reason})")
        return True
    serious = counts.get("high", 0) + counts.get("critical", 0)
    summary = ", ".join(f"{n} {level}" for level, n in counts.items() if n and level != "total")
    print(f"npm audit: {summary or 'no known vulnerability'}")
    return serious == 0


def main() -> int:
    ok = python_audit()
    ok = npm_audit() and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
