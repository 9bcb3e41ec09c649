"""The README documents every environment variable the settings read."""

from pathlib import Path

from config.settings import Settings

README = Path(__file__).resolve().parents[2] / "README.md"


def test_every_setting_is_documented() -> None:
    text = README.read_text(encoding="utf-8")
    missing = [field.alias for field in Settings.model_fields.values() if f"`{field.alias}" not in text]
    assert missing == []
