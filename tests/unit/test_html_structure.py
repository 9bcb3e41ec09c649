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


def test_sphinx_headings_come_from_heading_elements_and_api_entries_without_permalink_signs() -> None:
    chunks = chunks_of("sphinx_keyword.html")
    title = "keyword — Testing for Python keywords"
    entries = ["keyword.iskeyword", "keyword.kwlist", "keyword.issoftkeyword", "keyword.softkwlist"]
    assert [heading for heading, _ in chunks] == [title] + [f"{title} > {entry}" for entry in entries]
    iskeyword = dict(chunks)[f"{title} > keyword.iskeyword"]
    assert iskeyword.startswith("keyword.iskeyword(s)") and "Return True if s is a Python keyword." in iskeyword
    assert "¶" not in " ".join(text for _, text in chunks)


def test_an_api_entry_nested_in_another_is_a_section_below_it_and_footnotes_are_kept() -> None:
    html = (
        '<div class="body"><h1>mod</h1><p>Intro.</p><dl class="py class"><dt id="mod.Box">class mod.Box</dt>'
        '<dd><p>A box.</p><dl class="py method"><dt id="mod.Box.open">open()</dt><dd><p>Opens it.</p></dd></dl>'
        '</dd></dl><dl class="simple"><dt>term</dt><dd>not an entry</dd></dl>'
        '<aside class="footnote brackets"><p>Footnote text.</p></aside><aside class="sidebar">Aside.</aside></div>'
    )
    chunks = [
        (c.heading, c.text)
        for c in chunk_document(html_to_structured_text(html), "m.html", chunk_size=800, chunk_overlap=0)
    ]
    assert [heading for heading, _ in chunks] == ["mod", "mod > mod.Box", "mod > mod.Box > mod.Box.open"]
    assert "term" in chunks[-1][1] and "Footnote text." in chunks[-1][1] and "Aside." not in chunks[-1][1]


def test_code_comments_stay_in_their_section_and_never_become_headings() -> None:
    chunks = chunks_of("mkdocs_material.html")
    assert [heading for heading, _ in chunks] == ["Sessions", "Sessions > Rename a session"]
    rename = chunks[1][1]
    assert "# rename the session first" in rename and "# then list them" in rename
    assert "The new title is returned." in rename
    plain = chunks_of("plain.html")
    assert [heading for heading, _ in plain] == ["Install", "Install > From source"]
    assert "# clone, then:" in plain[1][1] and "make test" in plain[1][1]
