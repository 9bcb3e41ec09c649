"""HTML ingest keeps the page's structure and drops what surrounds it: on a real Sphinx page (Python's library
reference, from Debian's python3-doc), a MkDocs Material page and a plain one."""

from pathlib import Path

import pytest

from ingest.chunking import chunk_document
from ingest.html_structure import html_to_structured_text

PAGES = Path(__file__).parent.parent / "data" / "html"
NAVIGATION = (
    "Table of Contents",
    "Previous topic",
    "Next topic",
    "This Page",
    "Report a Bug",
    "Show Source",
    "Navigation",
    "Made with Material",
    "Search",
    "Home",
)


def chunks_of(name: str) -> list[tuple[str, str]]:
    text = html_to_structured_text((PAGES / name).read_text(encoding="utf-8"))
    return [(c.heading, c.text) for c in chunk_document(text, name, chunk_size=800, chunk_overlap=100)]


@pytest.mark.parametrize("name", ["sphinx_keyword.html", "mkdocs_material.html", "plain.html"])
def test_no_chunk_holds_page_navigation(name: str) -> None:
    for heading, text in chunks_of(name):
        for marker in NAVIGATION:
            assert marker not in text and marker not in heading, (marker, heading, text[:200])


def test_sphinx_headings_come_from_heading_elements_without_permalink_signs() -> None:
    headings = {heading for heading, _ in chunks_of("sphinx_keyword.html")}
    assert headings == {"keyword — Testing for Python keywords"}
    texts = " ".join(text for _, text in chunks_of("sphinx_keyword.html"))
    assert "keyword.iskeyword(s)" in texts and "Return True if s is a Python keyword." in texts
    assert "¶" not in texts


def test_code_comments_stay_in_their_section_and_never_become_headings() -> None:
    chunks = chunks_of("mkdocs_material.html")
    assert [heading for heading, _ in chunks] == ["Sessions", "Sessions > Rename a session"]
    rename = chunks[1][1]
    assert "# rename the session first" in rename and "# then list them" in rename
    assert "The new title is returned." in rename
    plain = chunks_of("plain.html")
    assert [heading for heading, _ in plain] == ["Install", "Install > From source"]
    assert "# clone, then:" in plain[1][1] and "make test" in plain[1][1]
