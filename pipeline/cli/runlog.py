"""The run log: every crawl, draft and run appends what it did to a rotating file beside the database
(``data/logs/newsdesk.log`` by default; ``NEWSDESK_LOG`` names another file)."""

from __future__ import annotations

import logging
import os
from logging.handlers import RotatingFileHandler
from pathlib import Path

ENV_VAR = "NEWSDESK_LOG"
MAX_BYTES, BACKUPS = 5 * 1024 * 1024, 5


def log_file(db_file: Path) -> Path:
    return Path(os.environ.get(ENV_VAR) or Path(db_file).parent / "logs" / "newsdesk.log")


def run_logger(db_file: Path) -> logging.Logger:
    """A logger writing to the run log (one handler per file, however often it is asked for)."""
    path = log_file(db_file)
    logger = logging.getLogger(f"newsdesk.run.{path}")
    if not logger.handlers:
        logger.setLevel(logging.INFO)
        logger.propagate = False
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handler: logging.Handler = RotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS,
                                                           encoding="utf-8")
        except OSError:
            handler = logging.NullHandler()  # a read-only place: the run goes on without its log
        handler.setFormatter(logging.Formatter("%(asctime)s pid %(process)d %(levelname)s %(message)s"))
        logger.addHandler(handler)
    return logger
