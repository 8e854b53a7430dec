"""Every reason the code can write to crawl_errors is documented in docs/schema.md, and nothing more."""

from __future__ import annotations

import ast
import re

from conftest import ROOT
from crawler.failures import DOWNLOAD_REASONS

# Where a reason is passed: failure(url, reason, detail) in the spiders; record_error(db, run, source, url, reason);
# Failure(reason, detail) from the extraction jobs (crawler.extraction), which the spiders record.
REASON_ARGUMENT = {"failure": 1, "record_error": 4, "Failure": 0}


def reasons_in_code() -> set[str]:
    found = set(DOWNLOAD_REASONS)
    for path in [*(ROOT / "crawler").rglob("*.py"), *(ROOT / "pipeline").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "attr", getattr(node.func, "id", None))
            position = REASON_ARGUMENT.get(name)
            if position is not None and len(node.args) > position:
                argument = node.args[position]
                if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                    found.add(argument.value)
    return found


def documented_reasons() -> set[str]:
    text = (ROOT / "docs" / "schema.md").read_text(encoding="utf-8")
    section = text.split("## crawl_errors", 1)[1].split("\n## ", 1)[0]
    row = next(line for line in section.splitlines() if line.startswith("| reason |"))
    return set(re.findall(r"`([a-z][a-z-]*(?:-NNN)?)`", row)) - {"http-404", "http-503"}  # examples of http-NNN


def test_the_documented_reasons_are_exactly_those_the_code_writes():
    code, documented = reasons_in_code(), documented_reasons()
    assert code - documented == set(), "written but not documented"
    assert documented - code == set(), "documented but never written"
    assert {"blocked", "redirect-loop", "truncated", "cancelled", "cvrf", "rule", "feed"} <= code
