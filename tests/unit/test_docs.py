"""The docs corpus (what the gateway indexes by default) names only variables that exist, and its configuration
page lists every one."""

import re
from pathlib import Path

from pydantic import AliasChoices

from config.settings import PROJECT_DOCS, Settings

SETTINGS = {field.alias for field in Settings.model_fields.values()}
SYNONYMS = {
    str(choice)
    for field in Settings.model_fields.values()
    if isinstance(field.validation_alias, AliasChoices)
    for choice in field.validation_alias.choices
}
"""Older names still read (documented as such)."""
TEST_ONLY = {"SAGE_REQUIRE_BROWSER", "SAGE_SCREENSHOT_DIR"}
"""Read by the test suite, not by the gateway."""
_NAME = re.compile(r"SAGE_[A-Z0-9_]+")


def doc_pages() -> list[Path]:
    return sorted(PROJECT_DOCS.rglob("*.md"))


def test_every_variable_the_docs_name_is_a_setting() -> None:
    unknown = {
        (page.relative_to(PROJECT_DOCS).as_posix(), name)
        for page in doc_pages()
        for name in _NAME.findall(page.read_text(encoding="utf-8"))
        if not name.endswith("_") and name not in SETTINGS | SYNONYMS | TEST_ONLY
    }
    assert unknown == set()


def test_the_configuration_page_lists_every_setting() -> None:
    text = (PROJECT_DOCS / "configuration.md").read_text(encoding="utf-8")
    assert sorted(alias for alias in SETTINGS if f"`{alias}`" not in text) == []


def test_the_chinese_pages_exist_beside_the_english_ones() -> None:
    chinese = {page.name for page in (PROJECT_DOCS / "zh").glob("*.md")}
    assert chinese and chinese <= {page.name for page in PROJECT_DOCS.glob("*.md")}
