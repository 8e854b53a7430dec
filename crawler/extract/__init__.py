"""Page objects: response bytes in, typed items out. Pure, testable without a crawl."""
