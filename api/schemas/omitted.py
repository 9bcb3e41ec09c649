"""The one rule for optional response fields that OpenAI leaves out rather than sending as null."""


def absent(value: object) -> bool:
    """`exclude_if` for a field omitted from the JSON when it has no value."""
    return value is None
