"""CSS selectors as extraction reads them: translated once to XPath (cssselect) and run on lxml trees.

The registry checks every rule with ``compile_selector`` when it loads, so a selector that
extraction cannot read is an error at load, not a silent miss on every page.
"""

from __future__ import annotations

from functools import lru_cache

from cssselect import HTMLTranslator, SelectorError
from lxml.etree import XPath

_TRANSLATOR = HTMLTranslator()


class SelectorInvalid(ValueError):
    """The text is not a CSS selector that cssselect can translate."""


@lru_cache(maxsize=512)
def compile_selector(css: str) -> XPath:
    """The XPath that finds what ``css`` selects, in document order (cached: rules repeat on every page)."""
    try:
        return XPath(_TRANSLATOR.css_to_xpath(css))
    except (SelectorError, ValueError, TypeError) as exc:
        raise SelectorInvalid(str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from None
