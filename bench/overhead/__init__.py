"""Gateway overhead: the same requests sent straight to a fake upstream, through the gateway, and through LiteLLM.

    python -m bench.overhead [--compare-litellm] [--requests 300] [--scenarios casual rag stream]
        [--rates 100 300 500] [--open-seconds 5] [--no-open-loop] [--gateway-workers 2 [--gateway-sessions postgres]]
        [--pin] [--history 40] [--baseline-cpu-per-token US]

Every server runs as its own process on loopback behind ONE fake upstream process (`bench.fake_upstream`, which
answers at once), so all targets pay for the same upstream: `direct` is the fake itself, `gateway` this project
(`python -m api`), `litellm` LiteLLM's proxy (`make litellm` installs it into `.venv-litellm`). The load generator
is this process, on a raw asyncio HTTP/1.1 client (`client`: httpx cost 1.2 ms of CPU a request, too much to
drive 500 requests a second on two CPUs beside the servers).

Scenarios: `casual` ("hello": no retrieval), `rag` (a question about the gateway: the gateway embeds it and
searches its docs index first; LiteLLM does no retrieval and is printed beside it), `stream` (a 500-word answer,
streamed word by word, on the casual path).

Measured, each against a baseline from the same run:

- one request at a time, interleaved across targets in rounds (`measure`): p50/p99 end to end, what each target
  adds to `direct`, and the CPU each server's process tree used per request (`cpu`, from /proc); for streams, the
  time to the first content delta, and CPU per streamed token (also beyond a casual turn's);
- the RAG floor: embedding the question and searching the gateway's own index with the project's own code
  (`rag_baseline`), beside the gateway's RAG turn;
- open-loop load at fixed rates (`openloop`): requests launched on a schedule whatever the answers do, latency
  from the scheduled time, errors, and whether the load generator itself kept up;
- an acceptance section with the issue's ratios and whether each holds (`report`).

Run-to-run variation on a small shared VM is large (about 2 ms at c=1 for the p50), hence the interleaving.
"""

from bench.overhead.servers import process, running_on, split_cpus, wait_for_index

__all__ = ["process", "running_on", "split_cpus", "wait_for_index"]
