"""Checks the locked dependencies for known vulnerabilities with pip-audit, in one summary.

Usage: python tools/audit_dependencies.py requirements/dev.lock [--strict]

Exits 1 when pip-audit reports a known vulnerability (with the fix versions), or, with
``--strict``, when a locked package could not be checked (pip-audit needs PyPI's per-release
JSON API for that). Prints a one-line summary instead of pip-audit's table of every package.
"""

import json
import subprocess
import sys
import tempfile
from pathlib import Path


def main(argv: list[str]) -> int:
    strict = "--strict" in argv
    lock = next((arg for arg in argv if not arg.startswith("--")), "requirements/dev.lock")
    with tempfile.TemporaryDirectory() as tmp:
        report_path = Path(tmp) / "pip-audit.json"
        result = subprocess.run(  # noqa: S603
            [
                str(Path(sys.executable).with_name("pip-audit")),
                "--requirement", lock,
                "--disable-pip", "--require-hashes",
                "--progress-spinner", "off",
                "--format", "json", "--output", str(report_path),
            ],
            capture_output=True,
            text=True,
        )  # fmt: skip
        if not report_path.exists():
            print(result.stdout + result.stderr, file=sys.stderr)
            print("pip-audit did not run to the end", file=sys.stderr)
            return 1
        report = json.loads(report_path.read_text())
    lines, failed = summarise(report, strict=strict)
    print("\n".join(lines))
    return 1 if failed or result.returncode not in (0, 1) else 0


def summarise(report: dict, *, strict: bool = False) -> tuple[list[str], bool]:
    """The summary lines of a pip-audit JSON report, and whether the audit fails."""
    dependencies = report["dependencies"]
    skipped = [dep["name"] for dep in dependencies if "skip_reason" in dep]
    vulnerable = [(dep, vuln) for dep in dependencies for vuln in dep.get("vulns", [])]
    checked = len(dependencies) - len(skipped)
    lines = [
        f"pip-audit: {checked} of {len(dependencies)} locked packages checked, "
        f"{len(vulnerable)} known vulnerabilities"
    ]
    for dep, vuln in vulnerable:
        fixes = ", ".join(vuln.get("fix_versions", [])) or "no fix yet"
        lines.append(f"  {dep['name']} {dep['version']}: {vuln['id']} (fixed in {fixes})")
    if skipped:
        lines.append(f"  not checked (no advisory data reachable): {', '.join(skipped)}")
    return lines, bool(vulnerable) or (strict and bool(skipped))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
