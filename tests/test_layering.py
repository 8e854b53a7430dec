"""The layering of pipeline/ and crawler/ (pyproject.toml [tool.importlinter]) holds, and the check bites."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run([str(LINT_IMPORTS), "--no-cache", str(root / "pyproject.toml")],
                          cwd=root, env=env, capture_output=True, text=True, timeout=120)


def test_every_layering_contract_is_kept():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 kept, 0 broken" in result.stdout


BAD_IMPORTS = {
    "the store climbs up to drafting": (
        "pipeline/store/runs.py", "from pipeline.drafts import draft", "pipeline stands in layers"),
    "summarising climbs up to the desk": (
        "pipeline/summarise/shorten.py", "import pipeline.desk.export", "pipeline stands in layers"),
    "the crawler reaches past the store": (
        "crawler/pipelines.py", "from pipeline.desk import candidates", "the crawler uses only the store"),
    "grouping reaches into the crawler": (
        "pipeline/stories/grouping.py", "import crawler.extract.article", "do not reach into the crawler"),
    "a circle inside the summariser": (
        "pipeline/summarise/texts.py", "from pipeline.summarise.extractive import summarise", "no import circles"),
}


@pytest.mark.parametrize("case", sorted(BAD_IMPORTS))
def test_an_import_that_breaks_the_layering_fails_the_check(tmp_path, case):
    module, statement, contract = BAD_IMPORTS[case]
    for package in ("pipeline", "crawler"):
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("demo_site", "__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / module
    target.write_text(target.read_text(encoding="utf-8") + f"\n{statement}  # deliberately bad\n", encoding="utf-8")
    result = lint_imports(tmp_path)
    assert result.returncode != 0, result.stdout
    broken = [line for line in result.stdout.splitlines() if line.endswith("BROKEN")]
    assert len(broken) >= 1 and any(contract in line for line in result.stdout.splitlines() if "BROKEN" in line), \
        result.stdout
    assert Path(module).stem in result.stdout  # the report names the module that imports wrongly


def test_old_module_names_say_where_they_moved():
    import importlib

    from pipeline._moved import MOVED

    for old, new in MOVED.items():
        with pytest.raises(ModuleNotFoundError, match=f"{old} has moved to {new}"):
            importlib.import_module(old)
        assert importlib.import_module(new).__name__ == new  # the new place exists


def test_the_store_keeps_its_old_import_path():
    from pipeline import store

    for name in ("open_db", "save_article", "search", "record_error", "known_articles", "raw_pages"):
        assert callable(getattr(store, name))
