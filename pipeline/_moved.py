"""Modules that moved when pipeline/ was laid out by stage: importing an old name says where it went."""

from __future__ import annotations

import sys

MOVED = {
    "pipeline.schema": "pipeline.store.schema",
    "pipeline.history": "pipeline.store.history",
    "pipeline.report": "pipeline.store.runs",
    "pipeline.facts": "pipeline.analyse.facts",
    "pipeline.relevance": "pipeline.analyse.relevance",
    "pipeline.textja": "pipeline.text.japanese",
    "pipeline.sentences": "pipeline.summarise.sentences",
    "pipeline.announcement": "pipeline.summarise.announcement",
    "pipeline.redundancy": "pipeline.summarise.redundancy",
    "pipeline.register": "pipeline.summarise.register",
    "pipeline.shorten": "pipeline.summarise.shorten",
    "pipeline.msrc_digest": "pipeline.summarise.msrc_digest",
    "pipeline.llm_summarise": "pipeline.summarise.llm",
    "pipeline.candidates": "pipeline.desk.candidates",
    "pipeline.export": "pipeline.desk.export",
    "pipeline.reextract": "crawler.reextract",
}


class MovedModuleFinder:
    """A meta path finder (find_spec is all the import system asks of one; importlib.abc costs 5 ms+)."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname in MOVED:
            raise ModuleNotFoundError(f"{fullname} has moved to {MOVED[fullname]}; import it from there",
                                      name=fullname)
        return None


def install() -> None:
    if not any(isinstance(finder, MovedModuleFinder) for finder in sys.meta_path):
        sys.meta_path.append(MovedModuleFinder())
