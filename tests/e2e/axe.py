"""axe-core in Debian's chromium: the accessibility check of every participant page type.

``make axe`` downloads the pinned axe-core npm package into ``var/cache/`` (checked against its
SHA-256; later runs use npm's cache). Its contexts bypass the site's Content Security Policy,
which would otherwise refuse the injected script; the policy itself is tested on its own.
"""

import json
import tarfile
from functools import cache
from pathlib import Path

import pytest

CACHE = Path(__file__).resolve().parents[2] / "var" / "cache"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@cache
def axe_source() -> str:
    packages = sorted(CACHE.glob("axe-core-*.tgz"))
    if not packages:
        pytest.fail("axe-core is missing: run `make axe` (make test does it)")
    with tarfile.open(packages[-1]) as archive:
        return archive.extractfile("package/axe.min.js").read().decode("utf-8")


def axe_violations(page) -> list[dict]:
    """Runs axe-core on the page as it is now; returns the WCAG 2.1 A/AA violations."""
    page.add_script_tag(content=axe_source())
    result = page.evaluate(
        "options => axe.run(document, options)",
        {"runOnly": {"type": "tag", "values": WCAG_21_AA}, "resultTypes": ["violations"]},
    )
    return result["violations"]


def describe(violations: list[dict]) -> str:
    """A readable failure message: rule, impact, help and the offending elements."""
    return json.dumps(
        [
            {
                "rule": v["id"],
                "impact": v["impact"],
                "help": v["help"],
                "nodes": [node["target"] for node in v["nodes"]][:5],
            }
            for v in violations
        ],
        indent=2,
        ensure_ascii=False,
    )
