"""Deterministic JSON values that satisfy a JSON schema, taking hints from a message: the fake upstream's stand-in for
a model constrained by a grammar (tool arguments, `response_format` json_schema / json_object).

Strings come from the message where it offers one (a capitalised name for a place or a person, a quoted word), numbers
from its digits, so that a tool call for "the weather in Paris" says `{"city": "Paris"}` and one for
"magic_function(3)" says `{"input": 3}`.
"""

import re
from typing import Any

_CAPITALISED = re.compile(r"(?<![.!?]\s)(?<!^)\b([A-Z][a-zà-ÿ]+(?:\s[A-Z][a-zà-ÿ]+)*)")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_QUOTED = re.compile(r"['\"]([A-Za-z_][A-Za-z0-9_ ]{0,40})['\"]")
_QUOTED_NAME = re.compile(r"(?:^|\s)['\"]([^'\"]{1,60})['\"](?=\s|$|[.,;:)])")
_NOT_NAMES = {"I", "What", "Use", "Please", "Tell", "Return", "The", "And", "Can", "How", "Call", "Give", "Is"}


def names_in(text: str) -> list[str]:
    """The names in `text`, in order: quoted ones (in any script) if there are any, else capitalised words or runs
    of them (places, people) without sentence openers."""
    quoted = _QUOTED_NAME.findall(text)
    return quoted or [name for name in _CAPITALISED.findall(text) if name.split()[0] not in _NOT_NAMES]


def quoted_keys(text: str) -> list[str]:
    """Words the message puts in quotes (the keys a JSON-mode prompt asks for)."""
    return list(dict.fromkeys(_QUOTED.findall(text)))


class Instances:
    """Builds values for schemas, with the hints of one message."""

    def __init__(self, hint: str, *, name: str | None = None) -> None:
        self.hint = hint
        names = names_in(hint)
        self.name = name or (names[0] if names else "example")
        numbers = _NUMBER.findall(hint)
        self.number = float(numbers[0]) if numbers else 1.0

    def value(self, schema: dict[str, Any], defs: dict[str, Any] | None = None, key: str = "") -> Any:
        defs = defs if defs is not None else schema.get("$defs") or schema.get("definitions") or {}
        if "$ref" in schema:
            return self.value(defs.get(schema["$ref"].rsplit("/", 1)[-1], {}), defs, key)
        if "const" in schema:
            return schema["const"]
        if schema.get("enum"):
            return schema["enum"][0]
        for combined in ("anyOf", "oneOf", "allOf"):
            if schema.get(combined):
                options = [s for s in schema[combined] if s.get("type") != "null"] or schema[combined]
                return self.value(options[0], defs, key)
        kind = schema.get("type", "object" if "properties" in schema else "string")
        if isinstance(kind, list):
            kind = next((k for k in kind if k != "null"), "null")
        return self._of_type(kind, schema, defs, key)

    def _of_type(self, kind: str, schema: dict[str, Any], defs: dict[str, Any], key: str) -> Any:
        if kind == "object":
            properties: dict[str, Any] = schema.get("properties") or {}
            return {name: self.value(sub, defs, name) for name, sub in properties.items()}
        if kind == "array":
            items = schema.get("items") or {"type": "string"}
            return [self.value(items, defs, key) for _ in range(max(1, int(schema.get("minItems", 1))))]
        if kind == "integer":
            return int(self.number)
        if kind == "number":
            return self.number
        if kind == "boolean":
            return True
        if kind == "null":
            return None
        return self._string(key)

    def _string(self, key: str) -> str:
        lowered = key.lower()
        if any(word in lowered for word in ("city", "location", "place", "country", "name", "person", "who")):
            return self.name
        if lowered in ("setup", "question"):
            return f"Why did the {self.name.lower()} cross the road?"
        if lowered in ("punchline", "answer"):
            return "To get to the other side."
        return f"{key or 'text'} about {self.name}"


def json_object_for(hint: str) -> dict[str, Any]:
    """A JSON object for a `json_object` request: the keys the message quotes, else an `answer`."""
    keys = quoted_keys(hint) or ["answer"]
    instances = Instances(hint)
    return {key: instances.value({"type": "string"}, key=key) for key in keys}
