"""`sage-llm-gateway ingest DIR`: build the gateway's index from a terminal, with a progress bar."""

import argparse
import asyncio
import sys
from collections.abc import Sequence
from pathlib import Path

from tqdm import tqdm

from config.settings import Settings
from ingest.loaders import SourceOutsideRootsError, resolve_source_dir
from ingest.service import open_index
from llm.embeddings import open_embedding_model


def main(argv: Sequence[str] | None = None) -> int:
    """Index DIR (inside SAGE_GATEWAY_DOCS_ROOTS) into the data dir the gateway serves from."""
    parser = argparse.ArgumentParser(prog="sage-llm-gateway ingest", description=main.__doc__)
    parser.add_argument("source_dir", type=Path)
    parser.add_argument("--force-rebuild", action="store_true", help="re-embed every file")
    parser.add_argument("--data-dir", type=Path, default=None)
    args = parser.parse_args(argv)
    settings = Settings()
    if args.data_dir is not None:
        settings = settings.model_copy(update={"data_dir": args.data_dir.expanduser()})
    try:
        resolve_source_dir(args.source_dir, settings.docs_roots)
    except (SourceOutsideRootsError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)  # noqa: T201
        return 2
    return asyncio.run(_ingest(settings, args.source_dir, args.force_rebuild))


async def _ingest(settings: Settings, source_dir: Path, force: bool) -> int:
    service = await open_index(settings.index(), await open_embedding_model(settings.embedding()))
    job = service.start_build(source_dir, force=force)
    with tqdm(total=0, unit="file", desc="indexing") as bar:
        while service.building:
            bar.total = job.files_total
            bar.n = job.files_done
            bar.set_postfix_str(job.current_file[-40:])
            bar.refresh()
            await asyncio.sleep(0.1)
        await service.wait()
        bar.total = bar.n = job.files_total
        bar.refresh()
    if job.status != "done" or service.loaded is None:
        print(f"error: {job.error}", file=sys.stderr)  # noqa: T201
        return 1
    manifest = service.loaded.manifest
    print(  # noqa: T201
        f"indexed {manifest['num_documents']} documents into {manifest['num_chunks']} chunks "
        f"({manifest['build']['embedded_files']} embedded, {manifest['build']['reused_files']} unchanged)"
    )
    for name, reason in manifest["skipped"].items():
        print(f"skipped {name}: {reason}", file=sys.stderr)  # noqa: T201
    return 0
