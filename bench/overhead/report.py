"""The tables and the acceptance section of the overhead benchmark, built from measured cells (pure functions, so
that a test can check the arithmetic and the verdicts without starting a server)."""

import math
from collections import Counter
from dataclasses import dataclass

from bench.overhead.measure import Cell, OpenCell
from bench.stats import p50_p99, ratio

LATENCY_BOUND_MS = 50.0
ADDED_RATIO_BOUND = 0.35
CPU_RATIO_BOUND = 0.35
RAG_SLACK = 1.2
BASELINE_TOKEN_RATIO_BOUND = 0.25


@dataclass(frozen=True)
class RagFloor:
    """Embedding the RAG question and searching the index, alone (`bench.overhead.rag_baseline`)."""

    cpu_ms: float
    wall_ms: float
    hits: int
    chunks: int
    repetitions: int


def _ms(value: float, width: int = 9) -> str:
    return f"{'n/a':>{width}}" if math.isnan(value) else f"{value:>{width}.2f}"


def _errors(errors: Counter[str]) -> str:
    total = sum(errors.values())
    if not total:
        return "0"
    kinds = ", ".join(f"{kind} {count}" for kind, count in errors.most_common(3))
    return f"{total} ({kinds})"


def sequential_table(scenario: str, cells: dict[str, Cell]) -> list[str]:
    """Latency and CPU per request of each target on a non-stream scenario, with what each adds to direct."""
    direct50, direct99 = p50_p99(cells["direct"].latencies_ms) if "direct" in cells else (math.nan, math.nan)
    lines = [
        f"{'scenario':<9}{'target':<9}{'p50 ms':>9}{'p99 ms':>9}{'added p50':>11}{'added p99':>11}"
        f"{'cpu/req ms':>12}{'upstream cpu/req':>18}  errors"
    ]
    for name, cell in cells.items():
        p50, p99 = p50_p99(cell.latencies_ms)
        added = name != "direct"
        lines.append(
            f"{scenario:<9}{name:<9}{_ms(p50)}{_ms(p99)}{_ms(p50 - direct50 if added else math.nan, 11)}"
            f"{_ms(p99 - direct99 if added else math.nan, 11)}{_ms(cell.cpu_ms_per_request, 12)}"
            f"{_ms(cell.upstream_cpu_ms_per_request, 18)}  {_errors(cell.errors)}"
        )
    return lines


def deltas_of(cell: Cell) -> int:
    """The content deltas the client got for one answer, the median over requests. A target may join tokens that
    reached it together into one delta, so CPU per token is taken over the upstream's tokens (the fake's words),
    not over these."""
    if not cell.content_deltas:
        return 0
    return sorted(cell.content_deltas)[len(cell.content_deltas) // 2]


def cpu_per_token_us(cell: Cell, tokens: int) -> float:
    return cell.cpu_ms_per_request / tokens * 1000 if tokens else math.nan


def marginal_cpu_per_token_us(stream: Cell, casual: Cell | None, tokens: int) -> float:
    """What each streamed token costs beyond a short answer: (stream CPU/req - casual CPU/req) / tokens."""
    if casual is None or not tokens:
        return math.nan
    return (stream.cpu_ms_per_request - casual.cpu_ms_per_request) / tokens * 1000


def stream_table(cells: dict[str, Cell], casual: dict[str, Cell] | None, words: int) -> list[str]:
    """Time to the first content delta and to the end of a long streamed answer, and CPU per streamed token."""
    direct = cells.get("direct")
    d_ttft = p50_p99(direct.ttft_ms)[0] if direct else math.nan
    d_total = p50_p99(direct.latencies_ms)[0] if direct else math.nan
    lines = [
        f"{'target':<9}{'deltas':>7}{'ttft p50':>10}{'added':>8}{'total p50':>11}{'p99':>9}{'added p50':>11}"
        f"{'cpu/req ms':>12}{'cpu/token us':>14}{'marginal us/token':>19}  errors"
    ]
    for name, cell in cells.items():
        ttft = p50_p99(cell.ttft_ms)[0]
        total50, total99 = p50_p99(cell.latencies_ms)
        added = name != "direct"
        lines.append(
            f"{name:<9}{deltas_of(cell):>7}{_ms(ttft, 10)}{_ms(ttft - d_ttft if added else math.nan, 8)}"
            f"{_ms(total50, 11)}"
            f"{_ms(total99)}{_ms(total50 - d_total if added else math.nan, 11)}{_ms(cell.cpu_ms_per_request, 12)}"
            f"{_ms(cpu_per_token_us(cell, words), 14)}"
            f"{_ms(marginal_cpu_per_token_us(cell, (casual or {}).get(name), words), 19)}  {_errors(cell.errors)}"
        )
    return lines


def rag_bound_ms(floor: RagFloor, casual: Cell) -> float:
    """The most a RAG turn should cost the gateway: a casual turn plus embedding and search, with 20% slack."""
    return (floor.cpu_ms + casual.cpu_ms_per_request) * RAG_SLACK


def rag_floor_lines(floor: RagFloor, rag: Cell | None, casual: Cell | None) -> list[str]:
    lines = [
        f"embed + search alone (IndexService.search on the gateway's index, {floor.chunks} chunks, {floor.hits} "
        f"passages kept, {floor.repetitions} repetitions): CPU {floor.cpu_ms:.2f} ms, wall {floor.wall_ms:.2f} ms"
    ]
    if rag is not None and casual is not None:
        lines.append(
            f"gateway rag turn CPU {rag.cpu_ms_per_request:.2f} ms/req beside casual turn "
            f"{casual.cpu_ms_per_request:.2f} + embed+search {floor.cpu_ms:.2f} = "
            f"{floor.cpu_ms + casual.cpu_ms_per_request:.2f} ms; "
            f"bound x{RAG_SLACK} = {rag_bound_ms(floor, casual):.2f} ms"
        )
    return lines


def direct_holds(cell: OpenCell) -> bool:
    """Whether the direct target held its rate: if not, the load generator or the fake upstream saturates, and
    every row at that rate measures them too."""
    result = cell.result
    return result.kept_up and not result.error_count and result.done_rate >= 0.95 * result.rate


def open_table(cells: list[OpenCell]) -> list[str]:
    lines = [
        f"{'scenario':<9}{'rate/s':>7}  {'target':<9}{'sent/s':>8}{'lag p50':>9}{'lag p99':>9}{'kept up':>9}"
        f"{'done/s':>8}{'p50 ms':>9}{'p99 ms':>10}{'cpu/req ms':>12}  errors"
    ]
    for cell in cells:
        result = cell.result
        p50, p99 = p50_p99([latency * 1000 for latency in result.latencies])
        lag50, lag99 = p50_p99([lag * 1000 for lag in result.launch_lags])
        note = "" if cell.settled else "  (servers were still busy from the row before)"
        lines.append(
            f"{cell.scenario:<9}{result.rate:>7g}  {cell.target:<9}{result.launch_rate:>8.1f}{_ms(lag50)}{_ms(lag99)}"
            f"{'yes' if result.kept_up else 'NO':>9}{result.done_rate:>8.1f}{_ms(p50)}{_ms(p99, 10)}"
            f"{_ms(cell.cpu_ms_per_request, 12)}  {_errors(result.errors)}{note}"
        )
    for cell in cells:
        if cell.target == "direct" and not direct_holds(cell):
            lines.append(
                f"warning: direct did not hold {cell.result.rate:g}/s on {cell.scenario} (sent "
                f"{cell.result.launch_rate:.0f}/s, done {cell.result.done_rate:.0f}/s, "
                f"{cell.result.error_count} errors): the load generator or the fake upstream saturates, so the rows "
                "at this rate measure them too"
            )
    return lines


@dataclass(frozen=True)
class Check:
    """One acceptance criterion: what was measured against its bound, or why it could not be."""

    name: str
    holds: bool | None
    """None when the run did not measure it."""
    detail: str

    def line(self) -> str:
        verdict = "n/a " if self.holds is None else "PASS" if self.holds else "FAIL"
        return f"[{verdict}] {self.name}: {self.detail}"


def _not_measured(name: str, why: str) -> Check:
    return Check(name, None, f"not measured ({why})")


def _ratio_check(name: str, gateway: float, other: float, bound: float, unit: str) -> Check:
    """`gateway / other` against `bound` (not measured when the ratio is undefined)."""
    value = ratio(gateway, other)
    holds = None if math.isnan(value) else value <= bound
    digits = 2 if unit == "ms" else 1
    return Check(name, holds, f"{_ms(value, 0)} ({gateway:.{digits}f} {unit} / {other:.{digits}f} {unit})")


def _open_loop_check(name: str, cell: OpenCell, litellm: OpenCell | None, caveat: str = "") -> Check:
    """An open-loop row against the latency bound with no errors, LiteLLM's row beside it."""
    p99 = p50_p99([latency * 1000 for latency in cell.result.latencies])[1]
    holds = not cell.result.error_count and p99 <= LATENCY_BOUND_MS
    return Check(name, holds, f"{_open_figures(cell)} (litellm: {_open_figures(litellm)}){caveat}")


def _open(cells: list[OpenCell], scenario: str, rate: float, target: str) -> OpenCell | None:
    return next((c for c in cells if (c.scenario, c.result.rate, c.target) == (scenario, rate, target)), None)


def _open_figures(cell: OpenCell | None) -> str:
    if cell is None:
        return "not measured"
    p99 = p50_p99([latency * 1000 for latency in cell.result.latencies])[1]
    return f"p99 {_ms(p99, 0)} ms, {cell.result.error_count} errors"


def acceptance(
    sequential: dict[str, dict[str, Cell]],
    open_cells: list[OpenCell],
    floor: RagFloor | None,
    *,
    words: int,
    workers: int,
    baseline_cpu_per_token_us: float | None,
) -> list[Check]:
    """Each ratio of the issue, computed from this run, and whether it holds."""
    checks: list[Check] = []
    casual, rag, stream = sequential.get("casual", {}), sequential.get("rag", {}), sequential.get("stream", {})
    no_litellm = "run with --compare-litellm"

    name = f"casual c=1: gateway added p50 / litellm added p50 (<= {ADDED_RATIO_BOUND})"
    if {"direct", "gateway", "litellm"} <= casual.keys():
        d50 = p50_p99(casual["direct"].latencies_ms)[0]
        g_added = p50_p99(casual["gateway"].latencies_ms)[0] - d50
        l_added = p50_p99(casual["litellm"].latencies_ms)[0] - d50
        checks.append(_ratio_check(name, g_added, l_added, ADDED_RATIO_BOUND, "ms"))
    else:
        checks.append(_not_measured(name, no_litellm if casual else "no casual scenario"))

    name = f"casual c=1: gateway CPU/req / litellm CPU/req (<= {CPU_RATIO_BOUND})"
    if {"gateway", "litellm"} <= casual.keys():
        g_cpu, l_cpu = casual["gateway"].cpu_ms_per_request, casual["litellm"].cpu_ms_per_request
        checks.append(_ratio_check(name, g_cpu, l_cpu, CPU_RATIO_BOUND, "ms"))
    else:
        checks.append(_not_measured(name, no_litellm if casual else "no casual scenario"))

    name = f"rag: gateway CPU/req <= (embed+search + casual turn CPU) x {RAG_SLACK}"
    if "gateway" in rag and "gateway" in casual and floor is not None:
        bound = rag_bound_ms(floor, casual["gateway"])
        value = rag["gateway"].cpu_ms_per_request
        litellm = f"; litellm (no retrieval) {rag['litellm'].cpu_ms_per_request:.2f} ms" if "litellm" in rag else ""
        checks.append(Check(name, value <= bound, f"{value:.2f} ms vs {bound:.2f} ms{litellm}"))
    else:
        checks.append(_not_measured(name, "needs the rag and casual scenarios"))

    name = f"rag open loop at 100/s: gateway p99 <= {LATENCY_BOUND_MS:g} ms, 0 errors"
    cell = _open(open_cells, "rag", 100, "gateway")
    if cell is not None:
        checks.append(_open_loop_check(name, cell, _open(open_cells, "rag", 100, "litellm")))
    else:
        checks.append(_not_measured(name, "needs the open loop with rag at rate 100"))

    name = "stream: gateway CPU per token <= litellm's"
    gateway_per_token = math.nan
    if "gateway" in stream:
        gateway_per_token = cpu_per_token_us(stream["gateway"], words)
    if "litellm" in stream and "gateway" in stream:
        litellm_per_token = cpu_per_token_us(stream["litellm"], words)
        checks.append(
            Check(
                name,
                gateway_per_token <= litellm_per_token,
                f"{gateway_per_token:.1f} us vs {litellm_per_token:.1f} us",
            )
        )
    else:
        checks.append(_not_measured(name, no_litellm if stream else "no stream scenario"))

    if "baseline" in stream and "gateway" in stream:
        name = f"stream: gateway CPU per token / the baseline checkout's, this run (<= {BASELINE_TOKEN_RATIO_BOUND})"
        before = cpu_per_token_us(stream["baseline"], words)
        checks.append(_ratio_check(name, gateway_per_token, before, BASELINE_TOKEN_RATIO_BOUND, "us"))
    elif baseline_cpu_per_token_us is not None and "gateway" in stream:
        name = f"stream: gateway CPU per token / --baseline-cpu-per-token (<= {BASELINE_TOKEN_RATIO_BOUND})"
        checks.append(
            _ratio_check(name, gateway_per_token, baseline_cpu_per_token_us, BASELINE_TOKEN_RATIO_BOUND, "us")
        )
    else:
        name = f"stream: gateway CPU per token / the code before (<= {BASELINE_TOKEN_RATIO_BOUND})"
        reason = "pass --baseline-checkout or --baseline-cpu-per-token" if stream else "no stream scenario"
        checks.append(_not_measured(name, reason))

    name = f"open loop casual at 300/s ({workers} gateway worker(s)): gateway p99 <= {LATENCY_BOUND_MS:g} ms, 0 errors"
    cell = _open(open_cells, "casual", 300, "gateway")
    if cell is not None:
        direct = _open(open_cells, "casual", 300, "direct")
        caveat = "" if direct is None or direct_holds(direct) else "; direct did not hold 300/s: not conclusive"
        checks.append(_open_loop_check(name, cell, _open(open_cells, "casual", 300, "litellm"), caveat))
    else:
        checks.append(_not_measured(name, "needs the open loop with casual at rate 300"))
    return checks
