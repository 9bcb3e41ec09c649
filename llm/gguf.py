"""Read the key-value metadata of a GGUF file (no tensors), to check what a model really is.

The package name of a model says nothing reliable; its GGUF header does (`general.name`,
`tokenizer.chat_template`). Only the header is read.
"""

import struct
from pathlib import Path
from typing import Any, BinaryIO

_SCALARS = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?", 10: "<Q", 11: "<q", 12: "<d"}
_STRING, _ARRAY = 8, 9


def _read(handle: BinaryIO, fmt: str) -> Any:
    size = struct.calcsize(fmt)
    return struct.unpack(fmt, handle.read(size))[0]


def _string(handle: BinaryIO) -> str:
    return handle.read(_read(handle, "<Q")).decode("utf-8", errors="replace")


def _value(handle: BinaryIO, kind: int) -> Any:
    if kind in _SCALARS:
        return _read(handle, _SCALARS[kind])
    if kind == _STRING:
        return _string(handle)
    if kind == _ARRAY:
        item_kind, count = _read(handle, "<I"), _read(handle, "<Q")
        return [_value(handle, item_kind) for _ in range(count)]
    raise ValueError(f"unknown GGUF value type {kind}")


def read_gguf_metadata(path: Path, *, skip_arrays: bool = True) -> dict[str, Any]:
    """Return the header's key-value pairs; large arrays (the vocabulary) are summarised by their length."""
    with path.open("rb") as handle:
        if handle.read(4) != b"GGUF":
            raise ValueError(f"{path} is not a GGUF file")
        _version, _tensors, kv_count = _read(handle, "<I"), _read(handle, "<Q"), _read(handle, "<Q")
        metadata: dict[str, Any] = {}
        for _ in range(kv_count):
            key = _string(handle)
            kind = _read(handle, "<I")
            value = _value(handle, kind)
            metadata[key] = len(value) if skip_arrays and isinstance(value, list) else value
        return metadata


def is_instruction_tuned(metadata: dict[str, Any]) -> bool:
    """A chat model carries a chat template; a base model usually does not."""
    return bool(metadata.get("tokenizer.chat_template"))
