"""Stories: grouping articles about the same event (citations, MSRC releases, text against story
centroids), the repair pass, and editors' merges and splits."""

from pipeline.stories.grouping import (
    DUPLICATE_JACCARD,
    WINDOW_DAYS,
    Outcome,
    merge_stories,
    pending_ids,
    split_article,
    story_articles,
    update_stories,
)
from pipeline.stories.rebuild import finish_rebuild, rebuild_stories
from pipeline.stories.signatures import SHINGLE, SIGNATURE_CHARS, signature

__all__ = ["DUPLICATE_JACCARD", "SHINGLE", "SIGNATURE_CHARS", "WINDOW_DAYS", "Outcome", "finish_rebuild",
           "merge_stories", "pending_ids", "rebuild_stories", "signature", "split_article", "story_articles",
           "update_stories"]
