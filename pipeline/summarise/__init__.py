"""Summaries in the house format: the extractive summariser and its parts, the MSRC digest, the optional LLM.

``summarise`` (extractive.py) picks and rewrites sentences; sentences.py scores them, announcement.py
writes the first bullet, register.py the wording, shorten.py the length, redundancy.py what is
already said. msrc_digest.py (with msrc_products.py and msrc_wording.py) turns a monthly release's
vulnerabilities into bullets; llm.py asks a language model and checks its answer.
"""

from pipeline.summarise.extractive import lead_baseline, summarise
from pipeline.summarise.texts import Bullet, SourceText

__all__ = ["Bullet", "SourceText", "lead_baseline", "summarise"]
