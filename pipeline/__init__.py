"""newsdesk's post-crawl side, one package per stage of the flow:

store (the database) → stories (grouping) → analyse (facts, relevance) and summarise (bullets)
→ drafts (one candidate per story) → desk (the editors' decisions, export) → cli.
text holds the text helpers every stage shares.
"""

from pipeline._moved import install as _install_moved

_install_moved()
