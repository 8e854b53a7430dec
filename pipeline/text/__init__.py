"""Text helpers every stage shares: Japanese sentence and clause segmentation, normalisation, morphemes, shingles."""
