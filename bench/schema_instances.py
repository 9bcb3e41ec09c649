"""Deterministic JSON values that satisfy a JSON schema, taking hints from a message: the fake upstream's stand-in for
a model constrained by a grammar (tool arguments, `response_format` json_schema / json_object).

Values come from the message where it offers one: a property named in it with a value after the name
("username alice", "age: 30", "unit=celsius"), an enum member it mentions, its numbers in order (so "add 3 and 4"
gives `{"a": 3, "b": 4}`), a capitalised name for a place or a person or a quoted word (so a tool call for "the
weather in Paris" says `{"city": "Paris"}`). Otherwise a plausible value of the type, within the schema's bounds
(`minimum`/`maximum`, `minLength`/`maxLength`, `minItems`/`maxItems`) and in its `format` (email, date, uri, ...).
`pattern` is not honoured.
"""

import json
import math
import re
from typing import Any

_CAPITALISED = re.compile(r"(?<![.!?]\s)(?<!^)\b([A-Z][a-zà-ÿ]+(?:\s[A-Z][a-zà-ÿ]+)*)")
_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?![\w.]*[A-Za-z@])")
_QUOTED = re.compile(r"['\"]([A-Za-z_][A-Za-z0-9_ ]{0,40})['\"]")
_QUOTED_NAME = re.compile(r"(?:^|\s)['\"]([^'\"]{1,60})['\"](?=\s|$|[.,;:)])")
_KEY_LIST = re.compile(
    r"\b(?:keys?|fields?|properties)\s*:?\s+([A-Za-z_]\w*(?:\s*(?:,\s*(?:and\s+)?|\band\s+)[A-Za-z_]\w*)*)"
)
_NOT_NAMES = {"I", "What", "Use", "Please", "Tell", "Return", "The", "And", "Can", "How", "Call", "Give", "Is"}
_CONNECTORS = r"(?:\s+(?:is|are|was|of|to|as|named|called|equals?|set\s+to))?\s*[:=]?\s*"
_NOT_VALUES = {"a", "an", "and", "as", "at", "be", "by", "for", "from", "in", "is", "it", "of", "on", "or", "the", "to"}
_NOT_VALUES |= {"are", "that", "this", "with"}
_FORMATS = {
    "date": "2024-01-01",
    "date-time": "2024-01-01T00:00:00Z",
    "time": "00:00:00",
    "uri": "https://example.com/",
    "url": "https://example.com/",
    "uuid": "00000000-0000-4000-8000-000000000000",
    "ipv4": "127.0.0.1",
    "ipv6": "::1",
    "hostname": "example.com",
}
_FORMAT_CHECKS = {
    "email": re.compile(r"[^@\s]+@[^@\s]+\.[a-z]{2,}", re.I),
    "date": re.compile(r"\d{4}-\d{2}-\d{2}"),
    "date-time": re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?(\.\d+)?(Z|[+-]\d{2}:\d{2})"),
    "uri": re.compile(r"[a-z][a-z0-9+.-]*://\S+", re.I),
    "url": re.compile(r"[a-z][a-z0-9+.-]*://\S+", re.I),
}


def names_in(text: str) -> list[str]:
    """The names in `text`, in order: quoted ones (in any script) if there are any, else capitalised words or runs
    of them (places, people) without sentence openers."""
    quoted: list[str] = _QUOTED_NAME.findall(text)
    return quoted or [name for name in _CAPITALISED.findall(text) if name.split()[0] not in _NOT_NAMES]


def quoted_keys(text: str) -> list[str]:
    """Words the message puts in quotes (the keys a JSON-mode prompt asks for)."""
    return list(dict.fromkeys(_QUOTED.findall(text)))


def listed_keys(text: str) -> list[str]:
    """Keys the message lists without quotes: "with keys name and age", "fields: title, year"."""
    match = _KEY_LIST.search(text)
    if not match:
        return []
    return [key for key in re.split(r"\s*,\s*(?:and\s+)?|\s+and\s+", match.group(1)) if key not in _NOT_VALUES]


def named_value(text: str, key: str) -> str | None:
    """The word after `key` in `text` ("username alice", "age: 30", "unit=celsius", "city of Paris"), if any; a
    `snake_case` key may be written with spaces."""
    if not key:
        return None
    spelled = r"[\s_-]?".join(re.escape(part) for part in re.split(r"[_\s-]+", key) if part)
    match = re.search(rf"\b{spelled}\b(?!['\"]){_CONNECTORS}(?:['\"]([^'\"]+)['\"]|([^\s,;!?'\"()]+))", text, re.I)
    if not match:
        return None
    value = (match.group(1) or match.group(2) or "").strip().rstrip(".")
    return value if value and value.lower() not in _NOT_VALUES else None


class Instances:
    """Builds values for schemas, with the hints of one message."""

    def __init__(self, hint: str, *, name: str | None = None) -> None:
        self.hint = hint
        self.names = names_in(hint)
        self.name = name or (self.names[0] if self.names else "example")
        self.numbers = [float(n) for n in _NUMBER.findall(hint)]
        self._next_number = 0

    def value(self, schema: dict[str, Any], defs: dict[str, Any] | None = None, key: str = "") -> Any:
        defs = defs if defs is not None else schema.get("$defs") or schema.get("definitions") or {}
        if "$ref" in schema:
            return self.value(defs.get(schema["$ref"].rsplit("/", 1)[-1], {}), defs, key)
        if "const" in schema:
            return schema["const"]
        if schema.get("enum"):
            return self._member(schema["enum"], key)
        if schema.get("allOf"):
            merged = _merged(schema["allOf"], defs)
            rest = {k: v for k, v in schema.items() if k != "allOf"}
            return self.value(_merged([rest, merged], defs), defs, key)
        for combined in ("anyOf", "oneOf"):
            if schema.get(combined):
                options = [s for s in schema[combined] if s.get("type") != "null"] or schema[combined]
                return self.value(options[0], defs, key)
        kind = schema.get("type", "object" if "properties" in schema else "string")
        if isinstance(kind, list):
            kind = next((k for k in kind if k != "null"), "null")
        return self._of_type(kind, schema, defs, key)

    def _member(self, members: list[Any], key: str) -> Any:
        """The enum member the message names (after the key, else anywhere), else the first."""
        said = (named_value(self.hint, key) or "").lower()
        for member in members:
            if str(member).lower() == said:
                return member
        lowered = self.hint.lower()
        for member in members:
            if isinstance(member, str) and re.search(rf"\b{re.escape(member.lower())}\b", lowered):
                return member
        return members[0]

    def _of_type(self, kind: str, schema: dict[str, Any], defs: dict[str, Any], key: str) -> Any:
        if kind == "object":
            properties: dict[str, Any] = schema.get("properties") or {}
            return {name: self.value(sub, defs, name) for name, sub in properties.items()}
        if kind == "array":
            return self._array(schema, defs, key)
        if kind in ("integer", "number"):
            return _bounded(self._number(key), schema, integer=kind == "integer")
        if kind == "boolean":
            said = (named_value(self.hint, key) or "").lower()
            return said not in ("false", "no", "off", "0")
        if kind == "null":
            return None
        return self._string(key, schema)

    def _array(self, schema: dict[str, Any], defs: dict[str, Any], key: str) -> list[Any]:
        items = schema.get("prefixItems") or schema.get("items") or {"type": "string"}
        if isinstance(items, list):  # a tuple: one value per position
            return [self.value(item, defs, key) for item in items]
        least = max(1, int(schema.get("minItems", 1)))
        most = int(schema.get("maxItems", max(least, 8)))
        kind = items.get("type")
        values: list[Any]
        if kind in ("integer", "number") and len(self.numbers) > 1:
            values = [_bounded(n, items, integer=kind == "integer") for n in self.numbers]
        elif kind == "string" and "format" not in items and not items.get("enum") and len(self.names) > 1:
            values = [_sized(name, items) for name in self.names]
        else:
            values = []
        values = values[:most]
        while len(values) < least:
            values.append(self.value(items, defs, key))
        return values

    def _number(self, key: str) -> float:
        said = named_value(self.hint, key)
        if said is not None and _NUMBER.fullmatch(said):
            return float(said)
        if not self.numbers:
            return 1.0
        number = self.numbers[min(self._next_number, len(self.numbers) - 1)]
        self._next_number += 1
        return number

    def _string(self, key: str, schema: dict[str, Any]) -> str:
        form = str(schema.get("format") or "")
        said = named_value(self.hint, key)
        if said is not None and (form not in _FORMAT_CHECKS or _FORMAT_CHECKS[form].fullmatch(said)):
            return _sized(said, schema)
        if form == "email":
            return f"{re.sub(r'[^a-z0-9]+', '.', self.name.lower()).strip('.') or 'user'}@example.com"
        if form in _FORMATS:
            return _FORMATS[form]
        lowered = key.lower()
        if any(word in lowered for word in ("city", "location", "place", "country", "name", "person", "who")):
            text = self.name
        elif lowered in ("setup", "question"):
            text = f"Why did the {self.name.lower()} cross the road?"
        elif lowered in ("punchline", "answer"):
            text = "To get to the other side."
        else:
            text = f"{key or 'text'} about {self.name}"
        return _sized(text, schema)


def _merged(schemas: list[dict[str, Any]], defs: dict[str, Any]) -> dict[str, Any]:
    """One schema with the properties, requirements and other keywords of all of `schemas` (an `allOf`)."""
    merged: dict[str, Any] = {}
    for schema in schemas:
        if "$ref" in schema:
            schema = defs.get(schema["$ref"].rsplit("/", 1)[-1], {})
        for keyword, value in schema.items():
            if keyword == "properties":
                merged["properties"] = {**merged.get("properties", {}), **value}
            elif keyword == "required":
                merged["required"] = list(dict.fromkeys([*merged.get("required", []), *value]))
            else:
                merged.setdefault(keyword, value)
    return merged


def _bounded(number: float, schema: dict[str, Any], *, integer: bool) -> float | int:
    """`number` moved into the schema's range (and onto its `multipleOf`)."""
    low: float = schema.get("minimum", -math.inf)
    high: float = schema.get("maximum", math.inf)
    nudge = 1.0 if integer else 1e-6
    if isinstance(schema.get("exclusiveMinimum"), int | float) and not isinstance(schema["exclusiveMinimum"], bool):
        low = max(low, schema["exclusiveMinimum"] + nudge)
    if isinstance(schema.get("exclusiveMaximum"), int | float) and not isinstance(schema["exclusiveMaximum"], bool):
        high = min(high, schema["exclusiveMaximum"] - nudge)
    if integer:
        low = math.ceil(low) if math.isfinite(low) else low
        high = math.floor(high) if math.isfinite(high) else high
        number = round(number)
    number = min(max(number, low), high)
    multiple = schema.get("multipleOf")
    if multiple:
        number = round(number / multiple) * multiple
        number = number + multiple if number < low else number - multiple if number > high else number
    return int(number) if integer else float(number)


def _sized(text: str, schema: dict[str, Any]) -> str:
    """`text` padded or cut to the schema's `minLength`/`maxLength`."""
    least = int(schema.get("minLength", 0))
    if len(text) < least:
        text = text + "x" * (least - len(text))
    most = schema.get("maxLength")
    return text[: int(most)] if most is not None else text


def embedded_json(texts: list[str]) -> dict[str, Any] | None:
    """The first JSON object written in `texts` (a schema or an example the prompt shows), if any."""
    decoder = json.JSONDecoder()
    for text in texts:
        for start in (m.start() for m in re.finditer(r"\{", text)):
            try:
                found, _end = decoder.raw_decode(text, start)
            except ValueError:
                continue
            if isinstance(found, dict) and found:
                return found
    return None


def _is_schema(candidate: dict[str, Any]) -> bool:
    return isinstance(candidate.get("properties"), dict) or candidate.get("type") == "object" or "$defs" in candidate


def _like(example: Any, instances: Instances, key: str) -> Any:
    """A value shaped like `example` (an example object a prompt shows): same keys, same kinds."""
    if isinstance(example, dict):
        return {k: _like(v, instances, k) for k, v in example.items()}
    if isinstance(example, list):
        return [_like(example[0], instances, key)] if example else []
    if isinstance(example, bool):
        return instances.value({"type": "boolean"}, key=key)
    if isinstance(example, int):
        return instances.value({"type": "integer"}, key=key)
    if isinstance(example, float):
        return instances.value({"type": "number"}, key=key)
    if example is None:
        return None
    return instances.value({"type": "string"}, key=key)


def json_object_for(hint: str, context: list[str] | None = None) -> dict[str, Any]:
    """A JSON object for a `json_object` request: an instance of a schema (or the shape of an example object) that
    the messages `context` (latest first) write out, else the keys the message `hint` quotes or lists, else an
    `answer`."""
    instances = Instances(hint)
    shown = embedded_json(context if context is not None else [hint])
    if shown is not None:
        if _is_schema(shown):
            made = instances.value(shown)
            if isinstance(made, dict):
                return made
        else:
            shaped: dict[str, Any] = _like(shown, instances, "")
            return shaped
    keys = quoted_keys(hint) or listed_keys(hint) or ["answer"]
    return {key: instances.value({"type": "string"}, key=key) for key in keys}
