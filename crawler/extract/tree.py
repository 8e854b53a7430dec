"""One parse per page: the lxml tree that the CSS rules and trafilatura both read, and its text.

The tree is never changed. What extraction leaves out (scripts, styles and the like, and what a
source's ``drop`` rules name) is skipped by every reader here instead of being cut out, so the
same tree can still be handed, whole, to trafilatura afterwards. Text is read as BeautifulSoup's
``get_text`` read it before (white space alone between tags is one newline or one space, except
in <pre> and <textarea>), so the per-source rules read the same text they always did.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from lxml import etree
from lxml.html import HtmlComment, HtmlElement, HtmlEntity, HtmlProcessingInstruction, document_fromstring

from crawler.css import compile_selector

BLOCK_TAGS = frozenset({"p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table", "section",
                        "article", "blockquote", "pre", "dd", "dt", "dl", "header", "footer", "figure"})
ALWAYS_DROP = ("script", "style", "noscript", "template", "iframe")
MAX_NESTING = 1000  # elements nested deeper than this are not an article: the page is refused


def _parser() -> etree.HTMLParser:
    """trafilatura's own parser settings (so the tree it gets is the one it would have built), plus
    huge_tree (without it libxml2 silently cuts everything nested deeper than 255 levels), and
    lxml.html's element classes looked up in C rather than by lxml.html's Python callback, which
    costs a call for every element Python touches (trafilatura's work on the tree included)."""
    parser = etree.HTMLParser(collect_ids=False, default_doctype=False, encoding="utf-8", remove_comments=True,
                              remove_pis=True, huge_tree=True)
    parser.set_element_class_lookup(etree.ElementDefaultClassLookup(
        element=HtmlElement, comment=HtmlComment, pi=HtmlProcessingInstruction, entity=HtmlEntity))
    return parser


_PARSER = _parser()
_SPACES = re.compile(r"[ \t\xa0]+")
_BLANK_LINES = re.compile(r"\n{3,}")
_ASCII_SPACES = " \n\t\f\r"
_CONTROL_BYTES = bytes(range(0x09)) + b"\x0b\x0c" + bytes(range(0x0e, 0x20))
_PRESERVE_SPACE = ("pre", "textarea")


class ExtractError(ValueError):
    """The page has no usable article in it (no title, or no text at all, or nested past the budget)."""


def parse_html(html: str) -> HtmlElement:
    """The document's root element (always an <html> document, even for a fragment or nothing).

    libxml2 reads the page as UTF-8 bytes: no conversion of a Python string, and a page whose XML
    declaration names an encoding is read too (lxml refuses such a declaration in a string)."""
    data = _xml_safe(_repaired_start(html).encode("utf-8", "surrogatepass"))
    try:
        return document_fromstring(data, parser=_PARSER)
    except etree.ParserError:  # nothing but white space
        return document_fromstring("<html><body></body></html>", parser=_PARSER)


def _repaired_start(html: str) -> str:
    """What trafilatura's ``repair_faulty_html`` repairs at the start of a page: a DOCTYPE that closes
    itself, a self-closing <html/>. Its removal of the characters libxml2 refuses is _xml_safe's."""
    from trafilatura.utils import DOCTYPE_TAG, FAULTY_HTML  # imported here: see crawler.extract.generic

    if "doctype" in html[:50].lower():
        first_line, _, rest = html.partition("\n")
        html = DOCTYPE_TAG.sub("", first_line, count=1) + "\n" + rest
    for line in html[:4096].splitlines()[:4]:
        if "<html" in line and line.endswith("/>"):
            return FAULTY_HTML.sub(r"\1>", html, count=1)
    return html


def _xml_safe(data: bytes) -> bytes:
    """UTF-8 without the characters libxml2 refuses (trafilatura's INVALID_XML_CHARS: controls other
    than tab and line ends, U+FFFE, U+FFFF). In UTF-8 a byte below 0x20 is always such a control
    character, so C's byte functions find them: 0.2 ms on a 170 KB page, against 0.7 ms for the regex."""
    data = data.translate(None, _CONTROL_BYTES)
    if b"\xef\xbf" in data:  # U+FFC0 to U+FFFF: rarely, U+FFFE or U+FFFF among them
        data = data.replace(b"\xef\xbf\xbe", b"").replace(b"\xef\xbf\xbf", b"")
    return data


def clean(text: str) -> str:
    """Runs of spaces collapse; an ideographic space inside a line is the publisher's own (kept)."""
    if text.isprintable() and "  " not in text:  # one line, no tabs or odd spaces: only the ends to trim
        return text.strip(" ")
    lines = [_SPACES.sub(" ", line).strip(" \t\u3000\xa0") for line in text.splitlines()]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


class Page:
    """A parsed page and what the reading leaves out; rules select only what is not left out."""

    def __init__(self, root: HtmlElement):
        self.root = root
        # every element inside a script, style, noscript, template or iframe: none of it is page text
        self.skipped = {element for hidden in root.iter(*ALWAYS_DROP) for element in hidden.iter()}
        self._in_pre = {element for pre in root.iter(*_PRESERVE_SPACE) for element in pre.iterdescendants()}

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
        """``element_text``: "" for an element that was dropped."""
        if element in self.skipped:
            return ""
        return element_text(element, self.skipped, element in self._in_pre)

    def joined(self, element: HtmlElement, separator: str = " ") -> str:
        return separator.join(strings(element, self.skipped, element in self._in_pre))

    def text_head(self, element: HtmlElement, chars: int) -> str:
        return text_head(element, chars, self.skipped, element in self._in_pre)

    def walk(self) -> Iterator[str | HtmlElement]:
        return walk(self.root, self.skipped, False)


def element_text(element: HtmlElement, skipped: set | frozenset = frozenset(), preserve: bool | None = None) -> str:
    """Readable text of an element: <br> and block elements become line breaks.

    One pass over the tree, in time linear in its size, without changing it; scripts, styles and
    the elements in ``skipped`` are left out (``preserve``: the element sits in a <pre>; None: look).
    Raises ExtractError for elements nested deeper than MAX_NESTING.
    """
    parts: list[str] = []
    stack: list = [(element, 0, _in_pre(element) if preserve is None else preserve)]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is str:  # a text piece
            parts.append(item)
            continue
        if kind is not tuple:  # an element closes
            if item.tag in BLOCK_TAGS and item is not element:
                parts.append("\n\n")
            continue
        node, depth, preserve = item
        if depth > MAX_NESTING:
            raise ExtractError(f"elements nested deeper than {MAX_NESTING} levels")
        if node.tag == "br":
            parts.append("\n")
            continue
        if node is not element and node.tag in BLOCK_TAGS:
            parts.append("\n\n")
        preserve = preserve or node.tag in _PRESERVE_SPACE
        _push_children(stack, node, depth, preserve, skipped)
        if node.text:
            parts.append(_piece(node.text, preserve))
    return clean("".join(parts))


def strings(element: HtmlElement, skipped: set | frozenset = frozenset(), preserve: bool | None = None) -> list[str]:
    """The element's text pieces in document order, as BeautifulSoup's ``get_text`` joins them."""
    return _pieces(element, skipped, _in_pre(element) if preserve is None else preserve)[0]


def text_head(element: HtmlElement, chars: int, skipped: set | frozenset = frozenset(),
              preserve: bool | None = None) -> str:
    """``clean(" ".join(strings(element)))[:chars]``, reading only as much of the element as that needs.

    The cleaned text of a prefix is a prefix of the cleaned whole, so once it is long enough the
    rest of the element cannot change the first ``chars`` characters.
    """
    preserve = _in_pre(element) if preserve is None else preserve
    budget = 2 * chars
    while True:
        pieces, complete = _pieces(element, skipped, preserve, budget)
        head = clean(" ".join(pieces))
        if complete or len(head) >= chars:
            return head[:chars]
        budget *= 4  # mostly white space so far: read on (each try at least 4x the last: linear in all)


def _pieces(element: HtmlElement, skipped, preserve: bool, budget: int | None = None) -> tuple[list[str], bool]:
    """Text pieces in document order, and whether that is all of them (reading stops past ``budget`` characters)."""
    if not len(element):  # most links and list items: the element's own text is all there is
        return ([_piece(element.text, preserve or element.tag in _PRESERVE_SPACE)] if element.text else []), True
    parts: list[str] = []
    size = 0
    stack: list = [(element, 0, preserve)]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is str:
            parts.append(item)
            size += len(item)
            if budget is not None and size >= budget:
                return parts, not stack
            continue
        if kind is not tuple:  # an element closes
            continue
        node, depth, preserve = item
        preserve = preserve or node.tag in _PRESERVE_SPACE
        _push_children(stack, node, depth, preserve, skipped)
        if node.text:
            stack.append(_piece(node.text, preserve))
    return parts, True


def walk(element: HtmlElement, skipped: set | frozenset = frozenset(),
         preserve: bool | None = None) -> Iterator[str | HtmlElement]:
    """Elements (as they open) and text pieces of the element in document order, skipped ones left out."""
    stack: list = [(element, 0, _in_pre(element) if preserve is None else preserve)]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is str:
            yield item
            continue
        if kind is not tuple:  # an element closes
            continue
        node, depth, preserve = item
        yield node
        preserve = preserve or node.tag in _PRESERVE_SPACE
        _push_children(stack, node, depth, preserve, skipped)
        if node.text:
            yield _piece(node.text, preserve)


def _push_children(stack: list, node: HtmlElement, depth: int, preserve: bool, skipped) -> None:
    """The element's closing, then its children (elements only, not scripts and the like, nor what
    was dropped) and their tails, last first.

    The closing is the element itself: holding it keeps its lxml proxy alive while its children are
    read, so freeing a child's proxy stops at the parent instead of walking up every ancestor
    (which made deeply nested pages quadratic).
    """
    stack.append(node)
    for child in reversed(node):
        if child.tail:
            stack.append(_piece(child.tail, preserve))
        if type(child.tag) is str and child.tag not in ALWAYS_DROP and child not in skipped:
            stack.append((child, depth + 1, preserve))


def _piece(text: str, preserve: bool) -> str:
    """A text piece as BeautifulSoup kept it: white space alone is one newline or one space (not in <pre>)."""
    if preserve or text.strip(_ASCII_SPACES):
        return text
    return "\n" if "\n" in text else " "


def _in_pre(element: HtmlElement) -> bool:
    return any(ancestor.tag in _PRESERVE_SPACE for ancestor in element.iterancestors())
