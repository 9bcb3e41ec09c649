"""bench.quality's chunk hygiene: a heading that reads as code is counted unless its page has it as a heading."""

from pathlib import Path

from bench.quality.corpus import chunk_hygiene, code_like_heading, page_headings
from ingest.chunking import Chunk

PAGE = """<html><body><div class="body">
<h1>__main__ — Top-level code environment<a class="headerlink" href="#m">\u00b6</a></h1>
<h2><code><span class="pre">__name__</span> <span class="pre">==</span> <span class="pre">'__main__'</span></code></h2>
<pre># do a signed reduction modulo 2**sys.hash_info.width
x = 1</pre>
</div></body></html>"""


def chunk(heading: str) -> Chunk:
    return Chunk("text", "__main__.html", heading, "", 0)


def test_a_code_like_heading_counts_unless_it_is_one_of_its_pages_heading_elements(tmp_path: Path) -> None:
    (tmp_path / "__main__.html").write_text(PAGE, encoding="utf-8")
    headings = page_headings(tmp_path)
    real = "__main__ — Top-level code environment > __name__ == '__main__'"
    from_code = "__main__ — Top-level code environment > x = 1"
    assert code_like_heading(real) and code_like_heading(from_code)  # both read as code
    assert not code_like_heading(real, headings["__main__.html"])
    assert code_like_heading(from_code, headings["__main__.html"])
    hygiene = chunk_hygiene([chunk(real), chunk(from_code)], headings)
    assert [c.heading for c in hygiene.checks["heading looks like code"]] == [from_code]
