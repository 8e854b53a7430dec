"""trafilatura's byline search (``trafilatura.metadata.extract_author``), one pass in Python.

trafilatura copies the whole tree, deletes the parts a byline is never in (comments, sidebars,
dates, figures: ``AUTHOR_DISCARD_XPATHS``), then takes the first element of ``AUTHOR_XPATHS`` whose
text is 3 to 119 characters long. Those expressions test each element's tag and attributes with
EXSLT regular expressions, which lxml answers by calling back into Python for every element: about
5 ms an expression on the benchmark's pages, four of them on a page with no byline. Here one walk
over the elements applies the same tests (the same regular expressions, the same exact and
substring comparisons, written out below beside each expression) and the uncopied tree is read: an
element inside a discarded part is skipped instead of deleted.

A candidate with a discarded part inside it would read differently once that part is deleted (its
tail joins the text before it); for such a page, rare, trafilatura's own search runs. So does every
page when the installed trafilatura's expressions are not the ones written out here (a newer
release changed them). ``tests/test_byline.py`` checks both give the same author on every page we
have.
"""

from __future__ import annotations

import hashlib
import re

from lxml import etree
from lxml.html import HtmlElement
from trafilatura.json_metadata import normalize_authors
from trafilatura.metadata import extract_author
from trafilatura.utils import trim
from trafilatura.xpaths import AUTHOR_DISCARD_XPATHS, AUTHOR_XPATHS

_MAX_LENGTH = 120  # extract_author's len_limit
_WRITTEN_FOR = "ca7fff9bc0190030f7c177785b0ab60a3219c133"  # sha1 of trafilatura 2.3.1's expressions, below


def expressions_digest() -> str:
    """The sha1 of the installed trafilatura's byline expressions (AUTHOR_XPATHS, then the discarded ones)."""
    paths = [getattr(xpath, "path", xpath) for xpath in (*AUTHOR_XPATHS, *AUTHOR_DISCARD_XPATHS)]
    return hashlib.sha1(repr(paths).encode()).hexdigest()


MIRRORED = expressions_digest() == _WRITTEN_FOR  # else trafilatura's own search runs for every page

# AUTHOR_XPATHS[0]: //*[self::a or self::address or self::div or self::link or self::p or self::span or
#   self::strong][@rel='author' or @id='author' or @class='author' or @itemprop='author name' or rel='me' or
#   @data-testid='AuthorCard' or @data-testid='AuthorURL' or re:test(@class, 'author-?name|AuthorName|authorName')]
#   | //author
_SPECIFIC_TAGS = frozenset({"a", "address", "div", "link", "p", "span", "strong"})
_SPECIFIC_CLASS = re.compile("author-?name|AuthorName|authorName")
# AUTHOR_XPATHS[1]: //*[self::a or self::div or self::h3 or self::h4 or self::p or self::span][@class='byline' or
#   @class='username' or @class='byl' or @class='BBL' or contains(@itemprop, 'author') or
#   re:test(@id, 'author|zuozhe|bianji|xiaobian') or re:test(@class, 'author|channel-name|zuozhe|bianji|xiaobian|
#   submitted-by|posted-by|journalist-name')]
_GENERIC_TAGS = frozenset({"a", "div", "h3", "h4", "p", "span"})
_GENERIC_CLASSES = frozenset({"byline", "username", "byl", "BBL"})
_GENERIC_ID = re.compile("author|zuozhe|bianji|xiaobian")
_GENERIC_CLASS = re.compile("author|channel-name|zuozhe|bianji|xiaobian|submitted-by|posted-by|journalist-name")
# AUTHOR_XPATHS[2]: //*[contains(@data-component, 'Byline') or contains(@itemprop, 'author') or
#   re:test(@id, '[Aa]uthor') or re:test(@class, '[Aa]uthor|screenname|writer|[Bb]yline')]
_ANY_ID = re.compile("[Aa]uthor")
_ANY_CLASS = re.compile("[Aa]uthor|screenname|writer|[Bb]yline")
# AUTHOR_DISCARD_XPATHS[0]: .//*[self::a or self::div or self::section or self::span][@id='comments' or
#   @class='comments' or @class='title' or @class='date' or re:test(@id, '^comments|comment-?list|ProductReviews')
#   or re:test(@class, '^[Cc]omments|commentlist|comments-list|sidebar|is-hidden|quote|embedly-instagram|
#   article-(?:share|support)|print|category|meta-date|meta-reviewer') or contains(@data-component, 'Figure')]
# AUTHOR_DISCARD_XPATHS[1]: //time|//figure
_DISCARD_TAGS = frozenset({"a", "div", "section", "span"})
_DISCARD_CLASSES = frozenset({"comments", "title", "date"})
_DISCARD_ID = re.compile("^comments|comment-?list|ProductReviews")
_DISCARD_CLASS = re.compile("^[Cc]omments|commentlist|comments-list|sidebar|is-hidden|quote|embedly-instagram|"
                            "article-(?:share|support)|print|category|meta-date|meta-reviewer")
_ALWAYS_DISCARDED = frozenset({"time", "figure"})


def byline_author(tree: HtmlElement) -> str | None:
    """What ``extract_author(tree)`` returns (``tree`` the document's root), leaving ``tree`` as it is."""
    if not MIRRORED:
        return extract_author(tree)
    candidates, discarded = _matches(tree)
    holding = {above for found in discarded for above in found.iterancestors()}
    for matched in candidates:
        for element in matched:
            if element in discarded or any(above in discarded for above in element.iterancestors()):
                continue
            if element in holding:  # a discarded part inside: only a real deletion reads it right
                return extract_author(tree)
            content = trim(" ".join(element.itertext()))
            if content and 2 < len(content) < _MAX_LENGTH:
                return normalize_authors(None, content)
    return None


def _matches(tree: HtmlElement) -> tuple[tuple[list, list, list], set]:
    """The elements each author expression matches (in document order) and those the discard ones do."""
    specific, generic, anywhere, discarded = [], [], [], set()
    with_me = {rel.getparent() for rel in tree.iter("rel") if "".join(rel.itertext()) == "me"}
    for element in tree.iter(etree.Element):
        tag = element.tag
        if tag in _ALWAYS_DISCARDED:
            discarded.add(element)
        attributes = element.attrib
        if not attributes:
            if tag == "author" or (tag in _SPECIFIC_TAGS and element in with_me):
                specific.append(element)
            continue
        get = attributes.get
        css, ident, itemprop = get("class", ""), get("id", ""), get("itemprop", "")
        if tag == "author" or (tag in _SPECIFIC_TAGS and (
                get("rel") == "author" or ident == "author" or css == "author" or itemprop == "author name"
                or element in with_me or get("data-testid") in ("AuthorCard", "AuthorURL")
                or _SPECIFIC_CLASS.search(css))):
            specific.append(element)
        if tag in _GENERIC_TAGS and (css in _GENERIC_CLASSES or "author" in itemprop or _GENERIC_ID.search(ident)
                                     or _GENERIC_CLASS.search(css)):
            generic.append(element)
        if ("Byline" in get("data-component", "") or "author" in itemprop or _ANY_ID.search(ident)
                or _ANY_CLASS.search(css)):
            anywhere.append(element)
        if tag in _DISCARD_TAGS and element is not tree and (
                ident == "comments" or css in _DISCARD_CLASSES or _DISCARD_ID.search(ident)
                or _DISCARD_CLASS.search(css) or "Figure" in get("data-component", "")):
            discarded.add(element)
    return (specific, generic, anywhere), discarded
