"""Writes the PDF and DOCX fixtures beside this file. Run once by hand (`python tests/data/documents/make_documents.py`)
when they must change; the tests read the committed files and never run this.

The PDFs are built with pypdf from hand-written content streams in a standard font (no font file to embed), so
each stays a few kilobytes and its text layer is exactly the lines below. The DOCX is written with python-docx,
then the template's parts that carry no text (thumbnail, theme, styles with effects, custom XML) are dropped to keep
it small.
"""

from pathlib import Path
from typing import Any

from docx import Document
from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

HERE = Path(__file__).resolve().parent
TEXTLESS_PARTS = {"theme", "customXml", "stylesWithEffects", "webSettings"}

HANDBOOK_PAGES = [
    [
        "The gateway answers chat requests in the OpenAI format.",
        "It keeps a session for each conversation and remembers what was said.",
        "Questions about the documents are answered from an index of passages,",
        "and every answer cites the passages it rests on by number.",
        "This handbook explains how to install the gateway and how to run it.",
        "Read the installation chapter first, then the chapter on Linux hosts.",
    ],
    [
        "Installation needs Python 3.11 and a virtual environment.",
        "Create the environment, then install the package with its extras.",
        "The embedded model is shipped in a registry package, so nothing is",
        "downloaded when the gateway starts for the first time.",
        "Check the installation with the health route: it reports each component.",
        "A failed component names the setting that would fix it.",
    ],
    [
        "On Linux hosts the gateway runs as a systemd service.",
        "The unit file sets the data directory and the documents roots.",
        "Journald collects the logs; each line carries the request identifier.",
        "Restart the service after changing the configuration file.",
        "A reload is not enough, because the settings are read at start.",
        "The service listens on the loopback interface unless told otherwise.",
    ],
]
MEMO_PAGES = [
    ["Release memo for the spring version.", "Streaming answers now carry their sources in the final chunk."],
    ["Known problems of the spring version.", "Very large PDF files are skipped when they exceed the size limit."],
]


def _escaped(line: str) -> str:
    return line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _page_content(lines: list[str]) -> bytes:
    """A content stream that writes `lines` top down in 11 pt Helvetica."""
    shown = " T* ".join(f"({_escaped(line)}) Tj" for line in lines)
    return f"BT /F1 11 Tf 14 TL 72 720 Td {shown} ET".encode("latin-1")


def _pdf(pages: list[list[str]], title: str | None) -> PdfWriter:
    writer = PdfWriter()
    font = writer._add_object(
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject("/Helvetica"),
            }
        )
    )
    for lines in pages:
        page = writer.add_blank_page(612, 792)
        stream = DecodedStreamObject()
        stream.set_data(_page_content(lines))
        page[NameObject("/Contents")] = writer._add_object(stream)
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})}
        )
    if title:
        writer.add_metadata({"/Title": title})
    return writer


def write_pdfs() -> None:
    handbook = _pdf(HANDBOOK_PAGES, "Gateway Handbook")
    handbook.add_outline_item(title="Introduction", page_number=0)
    installation = handbook.add_outline_item(title="Installation", page_number=1)
    handbook.add_outline_item(title="On Linux", page_number=2, parent=installation)
    handbook.compress_identical_objects()
    with (HERE / "handbook.pdf").open("wb") as handle:
        handbook.write(handle)

    with (HERE / "memo.pdf").open("wb") as handle:
        _pdf(MEMO_PAGES, "Release memo").write(handle)

    restricted = _pdf(MEMO_PAGES[1:], "Restricted memo")  # anyone may open it; only printing etc. is restricted
    restricted.encrypt(user_password="", owner_password="owner", algorithm="AES-128")
    with (HERE / "restricted.pdf").open("wb") as handle:
        restricted.write(handle)

    locked = _pdf(MEMO_PAGES[:1], "Locked memo")
    locked.encrypt(user_password="secret", algorithm="AES-128")
    with (HERE / "encrypted.pdf").open("wb") as handle:
        locked.write(handle)


def _drop_textless_parts(document: Any) -> None:
    """The template's thumbnail, theme, custom XML and styles-with-effects: 30 KB that hold no text."""
    package_rels = document.part.package.rels
    for r_id, rel in list(package_rels.items()):
        if rel.reltype.endswith("/thumbnail"):
            package_rels.pop(r_id)
    for r_id, rel in list(document.part.rels.items()):
        if rel.reltype.rsplit("/", 1)[-1] in TEXTLESS_PARTS:
            document.part.rels.pop(r_id)


def write_docx() -> None:
    document = Document()
    document.add_heading("Gateway Guide", level=0)
    document.add_paragraph("This guide covers installing and configuring the gateway.")
    document.add_heading("Installing", level=1)
    document.add_paragraph("Install the package into a virtual environment with pip.")
    document.add_heading("On Windows", level=2)
    document.add_paragraph("On Windows, run the gateway from PowerShell inside the environment.")
    document.add_paragraph("Open PowerShell as a normal user.", style="List Bullet")
    document.add_paragraph("Activate the virtual environment.", style="List Bullet")
    document.add_heading("Configuring", level=1)
    document.add_paragraph("The gateway reads its settings from environment variables:")
    table = document.add_table(rows=3, cols=2)
    for row, (name, meaning) in zip(
        table.rows,
        [("Setting", "Meaning"), ("SAGE_RAG_TOP_K", "passages per question"), ("SAGE_RAG_CHUNK_SIZE", "passage size")],
        strict=True,
    ):
        row.cells[0].text, row.cells[1].text = name, meaning
    document.add_paragraph("Restart the gateway after changing a setting.")
    document.core_properties.title = "Gateway Guide"
    _drop_textless_parts(document)
    document.save(str(HERE / "guide.docx"))


if __name__ == "__main__":
    write_pdfs()
    write_docx()
