"""docs/schema.md is the researchers' contract: it must name every table and column."""

import re

from conftest import ROOT


def test_schema_doc_covers_every_table_and_column(db):
    doc = (ROOT / "docs" / "schema.md").read_text(encoding="utf-8")
    documented_tables = set(re.findall(r"^## (\w+)", doc, re.M))
    for table in db.table_names():
        if table.startswith(("articles_fts_", "articles_words_", "sqlite_")):
            continue  # FTS5 shadow tables
        assert table in documented_tables, f"docs/schema.md has no section for {table}"
        if table == "articles_fts":
            continue
        section = doc.split(f"## {table}\n", 1)[1].split("\n## ", 1)[0]
        cells = " ".join(re.findall(r"^\| ([^|]+) \|", section, re.M))
        for column in db[table].columns_dict:
            assert re.search(rf"\b{column}\b", cells), f"docs/schema.md: {table}.{column} is not documented"
