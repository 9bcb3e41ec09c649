"""An HTML page as Markdown-headed text that keeps the page's structure and nothing around it.

Documentation generators wrap every page in the same navigation: Sphinx's sidebar, "related" bar, previous/next
topics and "This Page" box, MkDocs' header, navigation and footer, Read the Docs' side menu. Indexed, that text
fills a quarter of the chunks and matches every question. So: the page's main content is taken when the page marks
it (`role="main"`, `<main>`, `<article>`, Sphinx's `div.body`, MkDocs' `.md-content`), navigation elements and
classes are dropped, real heading elements (`h1`-`h6`, their permalink signs removed) become the heading path, and
preformatted blocks are fenced as code, so a `# comment` in an example never becomes a heading.

An API reference documents most of its page in entries, not sections: Sphinx writes each function, class and
method as a `<dl>` whose `<dt id="functools.lru_cache">` holds the signature. Each such entry becomes a section
one level below the heading it sits under (its name, from the `id`, is the heading; the signature stays in the
text), so a page of 100 functions is not 100 passages under one heading, and a question about one function finds
the passage about it. Footnotes (`<aside class="footnote">`) are content, unlike other asides, and are kept.
"""

import re

from bs4 import BeautifulSoup, Tag

_DROPPED_TAGS = ["script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form", "button"]
_DROPPED_ROLES = ["navigation", "banner", "contentinfo", "search", "complementary"]
_DROPPED_CLASSES = [
    # Sphinx (basic, classic, alabaster, pydoctheme)
    "sphinxsidebar",
    "related",
    "footer",
    "headerlink",
    "mobile-nav",
    "breadcrumbs",
    "prev-next-area",
    # Read the Docs
    "wy-nav-side",
    "wy-breadcrumbs",
    "rst-footer-buttons",
    "rst-versions",
    # MkDocs (material and the default theme)
    "md-header",
    "md-sidebar",
    "md-footer",
    "md-nav",
    "md-search",
    "md-source",
    "navbar",
    "bs-sidebar",
]
_MAIN_CONTENT = ['[role="main"]', "main", "article", "div.body", "div.document", ".md-content", "#content"]
_PERMALINK = re.compile(r"\s*[¶#]\s*$")


def _main_content(soup: BeautifulSoup) -> Tag:
    for selector in _MAIN_CONTENT:
        found = soup.select_one(selector)
        if isinstance(found, Tag) and found.get_text(strip=True):
            return found
    return soup.body or soup


_DROPPED_TAG_SET = frozenset(_DROPPED_TAGS)
_DROPPED_ROLE_SET = frozenset(_DROPPED_ROLES)
_DROPPED_CLASS_SET = frozenset(_DROPPED_CLASSES)


_KEPT_ASIDE_CLASSES = frozenset({"footnote", "footnote-list"})
_HEADING_TAGS = [f"h{level}" for level in range(1, 7)]


def _is_navigation(tag: Tag) -> bool:
    classes = tag.get("class") or ()
    if tag.name == "aside" and any(name in _KEPT_ASIDE_CLASSES for name in classes):
        return False
    if tag.name in _DROPPED_TAG_SET or tag.get("role") in _DROPPED_ROLE_SET:
        return True
    return any(name in _DROPPED_CLASS_SET for name in classes)


def _entry_name(entry: Tag) -> str | None:
    """The name of an API entry (a `<dl>` whose own `<dt>` has an `id`), None for any other list."""
    for term in entry.find_all("dt", recursive=False):
        if term.get("id"):
            return str(term["id"])
    return None


def _api_entries_as_headings(root: Tag) -> None:
    """Give each API entry a heading one level below the section (or entry) it is in, at most `h6`."""
    for entry in root.find_all("dl"):
        name = _entry_name(entry)
        if name is None:
            continue
        enclosing = entry.find_previous(_HEADING_TAGS)
        level = int(enclosing.name[1]) if isinstance(enclosing, Tag) else 1
        level += sum(1 for parent in entry.parents if parent.name == "dl" and _entry_name(parent) is not None)
        entry.insert_before(f"\n\n{'#' * min(6, level + 1)} {name}\n\n")


def _drop_navigation(root: Tag) -> None:
    """One walk with a plain predicate (a CSS selector list of this length costs more than the parse)."""
    for tag in root.find_all(_is_navigation):
        if not tag.decomposed:
            tag.decompose()


def _fence(code: str) -> str:
    longest = max((len(run) for run in re.findall(r"`{3,}", code)), default=2)
    fence = "`" * max(3, longest + 1)
    return f"\n\n{fence}\n{code.strip(chr(10))}\n{fence}\n\n"


def html_to_structured_text(html: str) -> str:
    """The page's main content as text: `#` headings from its heading elements, code fenced, navigation gone."""
    soup = BeautifulSoup(html, "html.parser")
    root = _main_content(soup)
    _drop_navigation(root)
    _api_entries_as_headings(root)
    for pre in root.find_all("pre"):
        pre.replace_with(_fence(pre.get_text()))
    for level in range(1, 7):
        for heading in root.find_all(f"h{level}"):
            title = _PERMALINK.sub("", " ".join(heading.get_text(" ", strip=True).split()))
            heading.replace_with(f"\n\n{'#' * level} {title}\n\n" if title else "\n")
    for block in root.find_all(["p", "li", "tr", "br", "div", "dt", "dd", "table", "dl", "ul", "ol"]):
        block.insert_after("\n")
    text = root.get_text()
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()
