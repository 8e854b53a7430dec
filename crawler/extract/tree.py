"""One parse per page: the lxml tree that the CSS rules and trafilatura both read, and its text.

The tree is never changed. What extraction leaves out (scripts, styles and the like, and what a
source's ``drop`` rules name) is skipped by every reader here instead of being cut out, so the
same tree can still be handed, whole, to trafilatura afterwards.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from lxml.etree import ParserError
from lxml.html import HtmlElement, HTMLParser, document_fromstring
from trafilatura.utils import repair_faulty_html

from crawler.css import compile_selector

BLOCK_TAGS = frozenset({"p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table", "section",
                        "article", "blockquote", "pre", "dd", "dt", "dl", "header", "footer", "figure"})
ALWAYS_DROP = ("script", "style", "noscript", "template", "iframe")
MAX_NESTING = 1000  # elements nested deeper than this are not an article: the page is refused

# trafilatura's own parser settings (so the tree it gets is the one it would have built), plus
# huge_tree: without it libxml2 silently cuts everything nested deeper than 255 levels.
_PARSER = HTMLParser(collect_ids=False, default_doctype=False, encoding="utf-8", remove_comments=True,
                     remove_pis=True, huge_tree=True)
_SPACES = re.compile(r"[ \t\xa0]+")
_ASCII_SPACES = " \n\t\f\r"
_PRESERVE_SPACE = ("pre", "textarea")
_BLANK_LINES = re.compile(r"\n{3,}")


class ExtractError(ValueError):
    """The page has no usable article in it (no title, or no text at all, or nested past the budget)."""


def parse_html(html: str) -> HtmlElement:
    """The document's root element (always an <html> document, even for a fragment or nothing)."""
    html = repair_faulty_html(html, html[:50].lower())
    try:
        return document_fromstring(html, parser=_PARSER)
    except ValueError:  # an XML declaration with an encoding: lxml wants bytes for that
        try:
            return document_fromstring(html.encode("utf-8", "surrogatepass"), parser=_PARSER)
        except ParserError:
            pass
    except ParserError:  # nothing but white space
        pass
    return document_fromstring("<html><body></body></html>", parser=_PARSER)


def clean(text: str) -> str:
    """Runs of spaces collapse; an ideographic space inside a line is the publisher's own (kept)."""
    lines = [_SPACES.sub(" ", line).strip(" \t\u3000\xa0") for line in text.splitlines()]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def skipped_by_default(root: HtmlElement) -> set:
    """Every element inside a script, style, noscript, template or iframe (none of it is page text)."""
    return {element for hidden in root.iter(*ALWAYS_DROP) for element in hidden.iter()}


class Page:
    """A parsed page and what the reading leaves out; rules select only what is not left out."""

    def __init__(self, root: HtmlElement):
        self.root = root
        self.skipped = skipped_by_default(root)

    def drop(self, selectors: tuple[str, ...]) -> None:
        """Leave out what the selectors match, with everything inside it, from here on."""
        for selector in selectors:
            for element in self.select(selector):
                self.skipped.update(element.iter())

    def select(self, css: str) -> list[HtmlElement]:
        return [element for element in compile_selector(css)(self.root) if element not in self.skipped]

    def select_one(self, css: str) -> HtmlElement | None:
        return next((element for element in compile_selector(css)(self.root) if element not in self.skipped), None)

    def find(self, tag: str, **attributes: str) -> HtmlElement | None:
        """The first ``tag`` element whose attributes have these values (BeautifulSoup's ``find``)."""
        for element in self.root.iter(tag):
            if element not in self.skipped and all(element.get(k) == v for k, v in attributes.items()):
                return element
        return None

    def text(self, element: HtmlElement) -> str:
        return "" if element in self.skipped else element_text(element, self.skipped)

    def joined(self, element: HtmlElement, separator: str = " ") -> str:
        return separator.join(strings(element, self.skipped))

    def text_head(self, element: HtmlElement, chars: int) -> str:
        return text_head(element, chars, self.skipped)


def element_text(element: HtmlElement, skipped: set | frozenset = frozenset()) -> str:
    """Readable text of an element: <br> and block elements become line breaks.

    One pass over the tree, in time linear in its size, without changing it; scripts, styles and
    the elements in ``skipped`` are left out. Raises ExtractError for elements nested deeper than
    MAX_NESTING.
    """
    parts: list[str] = []
    stack: list = [(element, 0, _preserved(element))]
    while stack:
        item = stack.pop()
        if type(item) is str:  # a tail or a block's closing break
            parts.append(item)
            continue
        node, depth, preserve = item
        if depth > MAX_NESTING:
            raise ExtractError(f"elements nested deeper than {MAX_NESTING} levels")
        if node.tag == "br":
            parts.append("\n")
            continue
        if node is not element and node.tag in BLOCK_TAGS:
            parts.append("\n\n")
            stack.append("\n\n")
        preserve = preserve or node.tag in _PRESERVE_SPACE
        _push_children(stack, node, depth, preserve, skipped)
        if node.text:
            parts.append(_piece(node.text, preserve))
    return clean("".join(parts))


def strings(element: HtmlElement, skipped: set | frozenset = frozenset()) -> Iterator[str]:
    """The element's text pieces in document order, as BeautifulSoup's ``get_text`` joins them."""
    for item in walk(element, skipped):
        if type(item) is str:
            yield item


def walk(element: HtmlElement, skipped: set | frozenset = frozenset()) -> Iterator[str | HtmlElement]:
    """Elements (as they open) and text pieces of the element in document order, skipped ones left out."""
    stack: list = [(element, 0, _preserved(element))]
    while stack:
        item = stack.pop()
        if type(item) is str:
            yield item
            continue
        node, depth, preserve = item
        yield node
        preserve = preserve or node.tag in _PRESERVE_SPACE
        _push_children(stack, node, depth, preserve, skipped)
        if node.text:
            yield _piece(node.text, preserve)


def _push_children(stack: list, node: HtmlElement, depth: int, preserve: bool, skipped) -> None:
    """Children (elements only, not scripts and the like, nor what was dropped) and their tails, last first."""
    for child in reversed(node):
        if child.tail:
            stack.append(_piece(child.tail, preserve))
        if type(child.tag) is str and child.tag not in ALWAYS_DROP and child not in skipped:
            stack.append((child, depth + 1, preserve))


def _piece(text: str, preserve: bool) -> str:
    """A text piece as BeautifulSoup keeps it: white space alone is one newline or one space (not in <pre>)."""
    if preserve or text.strip(_ASCII_SPACES):
        return text
    return "\n" if "\n" in text else " "


def _preserved(element: HtmlElement) -> bool:
    return any(ancestor.tag in _PRESERVE_SPACE for ancestor in element.iterancestors())


def text_head(element: HtmlElement, chars: int, skipped: set | frozenset = frozenset()) -> str:
    """``clean(" ".join(strings(element)))[:chars]``, reading only as much of the element as that needs.

    The cleaned text of a prefix is a prefix of the cleaned whole, so once it is long enough the
    rest of the element cannot change the first ``chars`` characters.
    """
    parts: list[str] = []
    size, check_at = 0, 2 * chars
    for piece in strings(element, skipped):
        parts.append(piece)
        size += len(piece) + 1
        if size >= check_at:
            head = clean(" ".join(parts))
            if len(head) >= chars:
                return head[:chars]
            check_at = size + 2 * chars
    return clean(" ".join(parts))[:chars]
