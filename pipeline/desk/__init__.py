"""The desk: candidates as editors see them, their decisions (edit, pick, reject) and the Markdown export."""
