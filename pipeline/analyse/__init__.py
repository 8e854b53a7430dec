"""Analysis: the key facts of a text (dates, counts, CVEs, KBs, organisations) and a story's relevance score."""
