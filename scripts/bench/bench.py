#!/usr/bin/env python3
"""The benchmark driver behind `make bench`.

Runs every program natively, on each wrun mode and on each other engine, several times in
alternation (round-robin), checks every checksum against the native build, and writes
bench-results/results.md, bench-results/results.json and bench-results/chart.png.

setup.sh must have run first (run.sh does both): it installs the engines, builds the programs and
writes bench-results/setup/status.tsv, which says which engines are there and why others are not.

Environment: QUICK=1 (one run, fewer engines), WRUN (the wrun binary), BENCH_RUNS (runs per
program and engine), BENCH_PROGRAMS / BENCH_ENGINES (comma-separated subsets).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import json
import math
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent.parent
RESULTS_DIR = REPO_ROOT / "bench-results"
BUILD_DIR = RESULTS_DIR / "build"
WASM_DIR = BUILD_DIR / "wasm"
NATIVE_DIR = BUILD_DIR / "native"
STATUS_FILE = RESULTS_DIR / "setup" / "status.tsv"
TIMING_FILE = RESULTS_DIR / "setup" / "timing.tsv"

# The CPU-bound programs (programs/*.c), in table order. hello and large are measured separately.
PROGRAMS = [
    "fib", "collatz", "matmul", "nbody", "mandelbrot",
    "branchy", "vm", "strings", "sha256", "lz", "simd",
]
STARTUP_PROGRAM = "hello"
LARGE_PROGRAM = "large"

LOAD_AT_START = os.getloadavg()[0]

CHECKSUM_LINE = re.compile(r"^checksum: [0-9a-f]+$", re.MULTILINE)
# What clap (and most CLIs) print when a flag or subcommand does not exist.
USAGE_ERROR = re.compile(
    r"unexpected argument|unrecognized subcommand|invalid value|unknown (option|flag|argument)"
    r"|^usage:|for more information, try",
    re.IGNORECASE | re.MULTILINE,
)


# ----------------------------------------------------------------------------- data


@dataclasses.dataclass
class Engine:
    name: str
    label: str
    family: str  # "native", "wrun" or "other": chart colours and table grouping
    # Command for one program; None when the engine is not there.
    command: object = None
    # Missing engines and unavailable wrun modes keep a reason instead of disappearing.
    unavailable: str | None = None
    # Per-program preparation before timing (e.g. ahead-of-time compile); returns an error or None.
    prepare: object = None


@dataclasses.dataclass
class RunResult:
    seconds: float
    cpu_seconds: float  # user + system time of the child, all its threads
    max_rss_kb: int
    exit_code: int | None
    stdout: str
    stderr: str
    timed_out: bool


@dataclasses.dataclass
class Cell:
    """All runs of one program on one engine."""

    times: list = dataclasses.field(default_factory=list)
    cpu_times: list = dataclasses.field(default_factory=list)
    rss_kb: list = dataclasses.field(default_factory=list)
    status: str = "pending"  # ok | mismatch | error | timeout | skipped
    message: str = ""

    @property
    def median(self) -> float | None:
        return statistics.median(self.times) if self.times else None

    @property
    def median_cpu(self) -> float | None:
        return statistics.median(self.cpu_times) if self.cpu_times else None


# ----------------------------------------------------------------------------- running


MEASURE = BUILD_DIR / "measure"


def run_once(command: list, timeout: float, cwd: Path | None = None) -> RunResult:
    """Runs a command once: wall time, CPU time and peak RSS of the child (wait4), its output.

    Through runners/measure.c when it is built: a child forked from this Python process would
    report Python's resident size as its own peak RSS.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile(prefix="bench-measure-") as measured:
        use_measure = MEASURE.exists()
        launched = [str(MEASURE), measured.name] + command if use_measure else command
        timed_out = threading.Event()
        start = time.perf_counter()
        try:
            process = subprocess.Popen(
                launched, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                start_new_session=True, cwd=cwd,
            )
        except OSError as error:
            return RunResult(0.0, 0.0, 0, None, "", f"cannot start {command[0]}: {error}", False)

        def kill_group() -> None:
            timed_out.set()
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

        timer = threading.Timer(timeout, kill_group)
        timer.start()
        try:
            _, wait_status, usage = os.wait4(process.pid, 0)
        finally:
            timer.cancel()
        seconds = time.perf_counter() - start
        exit_code = os.waitstatus_to_exitcode(wait_status)
        cpu_seconds = usage.ru_utime + usage.ru_stime
        max_rss_kb = usage.ru_maxrss
        if use_measure:
            fields = Path(measured.name).read_text().split()
            if len(fields) == 4:
                exit_code = int(fields[0])
                seconds = int(fields[1]) / 1e9
                cpu_seconds = int(fields[2]) / 1e6
                max_rss_kb = int(fields[3])
        out.seek(0)
        err.seek(0)
        return RunResult(
            seconds=seconds,
            cpu_seconds=cpu_seconds,
            max_rss_kb=max_rss_kb,
            exit_code=exit_code,
            stdout=out.read().decode(errors="replace"),
            stderr=err.read().decode(errors="replace"),
            timed_out=timed_out.is_set(),
        )


def first_line(text: str, limit: int = 160) -> str:
    for line in text.splitlines():
        line = line.strip()
        if line:
            return line if len(line) <= limit else line[: limit - 1] + "…"
    return ""


def failure_message(result: RunResult) -> str:
    if result.timed_out:
        return "timed out"
    # Prefer an "error:" line (clap, anyhow, wasmtime) over a banner printed first.
    for stream in (result.stderr, result.stdout):
        for line in stream.splitlines():
            if re.search(r"\berror\b|panicked|trap", line, re.IGNORECASE):
                return first_line(line)
    text = first_line(result.stderr) or first_line(result.stdout) or "(no output)"
    return f"exit {result.exit_code}: {text}"


def output_signature(stdout: str) -> str:
    """What must match native: the checksum line, or the whole output of a program without one
    (hello)."""
    match = CHECKSUM_LINE.findall(stdout)
    return match[-1] if match else stdout.strip()


# ----------------------------------------------------------------------------- engines


def read_setup_status() -> dict:
    status = {}
    if STATUS_FILE.exists():
        for line in STATUS_FILE.read_text().splitlines():
            parts = line.split("\t", 2)
            if len(parts) == 3:
                status[parts[0]] = (parts[1], parts[2])
    return status


def tool(status: dict, name: str) -> tuple:
    """(path, None) when setup installed the tool, else (None, reason)."""
    state, detail = status.get(name, ("missing", "setup.sh has not recorded it (run scripts/bench/setup.sh)"))
    return (detail, None) if state == "ok" else (None, detail)


def find_wrun(log) -> tuple:
    """The wrun binary: $WRUN, else target/release/wrun, built with cargo when missing."""
    explicit = os.environ.get("WRUN")
    if explicit:
        path = Path(explicit)
        return (str(path), None) if path.is_file() else (None, f"$WRUN={explicit} does not exist")
    path = REPO_ROOT / "target" / "release" / "wrun"
    if not path.is_file():
        log("wrun: target/release/wrun missing, running cargo build --release --bin wrun")
        environment = dict(os.environ, CARGO_TARGET_DIR=str(REPO_ROOT / "target"))
        build = subprocess.run(
            ["cargo", "build", "--release", "--bin", "wrun"], cwd=REPO_ROOT, env=environment,
            capture_output=True, text=True,
        )
        if build.returncode != 0 or not path.is_file():
            errors = [line for line in build.stderr.splitlines() if line.startswith("error")]
            return None, "cargo build --release failed: " + first_line(errors[0] if errors else build.stderr)
    newest_source = max((p.stat().st_mtime for p in (REPO_ROOT / "src").rglob("*.rs")), default=0)
    if path.stat().st_mtime < newest_source:
        log(f"WARNING: {path} is older than the newest file in src/: rebuild it for current numbers")
    return str(path), None


def probe_wrun_mode(command: list, hello_wasm: Path, timeout: float) -> str | None:
    """None when the wrun mode can be run; else why not ("not available in this wrun: ...").

    A usage error (the flag or subcommand does not exist) makes the mode unavailable. Any other
    failure leaves it in the table, where each program shows the error the binary printed.
    """
    result = run_once(command + [str(hello_wasm)], timeout)
    combined = result.stderr + "\n" + result.stdout
    if result.exit_code not in (0, None) and USAGE_ERROR.search(combined):
        return "not available in this wrun: " + failure_message(result)
    return None


def aot_prepare_factory(wrun: str, aot_dir: Path, timeout: float):
    def prepare(program: str) -> str | None:
        source = WASM_DIR / f"{program}.wasm"
        target = aot_dir / f"{program}.wasm"
        shutil.copyfile(source, target)
        artifact = target.with_suffix(".wrun")
        artifact.unlink(missing_ok=True)
        result = run_once([wrun, "compile", str(target)], timeout)
        if result.exit_code != 0:
            return "wrun compile: " + failure_message(result)
        if not artifact.exists():
            return f"wrun compile exited 0 but wrote no {artifact.name}"
        return None

    return prepare


def build_engines(args, log) -> list:
    status = read_setup_status()
    # QUICK=1 leaves out the slower engines unless BENCH_ENGINES names them.
    quick = args.quick and not args.engines
    timeout = args.timeout
    engines = []

    native = Engine("native", "native (gcc -O2)", "native")
    gcc_path, gcc_missing = tool(status, "gcc")
    native.unavailable = gcc_missing
    native.command = lambda program: [str(NATIVE_DIR / program)] + program_args(program)
    engines.append(native)

    # -------- wrun: every mode is listed; the ones this binary lacks say so.
    wrun, wrun_missing = find_wrun(log)
    hello_wasm = WASM_DIR / f"{STARTUP_PROGRAM}.wasm"
    modes = [
        ("wrun-interp", "wrun --tier interp", ["--tier", "interp"]),
        ("wrun-jit", "wrun --tier jit", ["--tier", "jit"]),
        # The cost of epoch interruption's checks (a deadline that never passes).
        ("wrun-jit-timeout", "wrun --tier jit --timeout 1h", ["--tier", "jit", "--timeout", "1h"]),
        # The cost of fuel metering: a budget no program exhausts.
        ("wrun-jit-fuel", "wrun --tier jit --fuel 10^18", ["--tier", "jit", "--fuel", str(10**18)]),
        # --no-cache: the tiers themselves; the code cache is measured on its own (cc1 below).
        ("wrun-auto", "wrun (auto tier, no code cache)", ["--no-cache"]),
    ]
    for name, label, flags in modes:
        engine = Engine(name, label, "wrun")
        if wrun_missing:
            engine.unavailable = wrun_missing
        else:
            base = [wrun] + flags
            engine.command = lambda program, base=base: base + [str(WASM_DIR / f"{program}.wasm")] + program_args(program)
            if hello_wasm.exists():
                engine.unavailable = probe_wrun_mode(base, hello_wasm, timeout)
        engines.append(engine)

    aot = Engine("wrun-aot", "wrun compile + run (AOT)", "wrun")
    if wrun_missing:
        aot.unavailable = wrun_missing
    else:
        aot_dir = BUILD_DIR / "aot"
        aot_dir.mkdir(parents=True, exist_ok=True)
        aot.prepare = aot_prepare_factory(wrun, aot_dir, timeout)
        aot.command = lambda program: [wrun, str(aot_dir / f"{program}.wasm")] + program_args(program)
        if hello_wasm.exists():
            probe = run_once([wrun, "compile", "--help"], timeout)
            reason = None
            if probe.exit_code != 0 and USAGE_ERROR.search(probe.stderr + probe.stdout):
                reason = "not available in this wrun: wrun compile --help: " + failure_message(probe)
            else:
                error = aot.prepare(STARTUP_PROGRAM)
                if error:
                    reason = "not available in this wrun: " + error
                else:
                    # The sidecar must really be used, or this row would measure a fallback tier.
                    probe = run_once([wrun, "--stats", str(aot_dir / f"{STARTUP_PROGRAM}.wasm")], timeout)
                    if not re.search(r"sidecar:\s+used ", probe.stderr):
                        reason = "the sidecar was not used: " + failure_message(probe)
            aot.unavailable = reason
    engines.append(aot)
    # The auto tier must not pick up an AOT artifact: keep WASM_DIR free of .wrun files.
    for stale in WASM_DIR.glob("*.wrun"):
        stale.unlink()

    # -------- the other engines
    wasmtime, wasmtime_missing = tool(status, "wasmtime")
    cwasm_dir = BUILD_DIR / "cwasm"
    cwasm_dir.mkdir(parents=True, exist_ok=True)

    def wasmtime_engine(name, label, options):
        engine = Engine(name, label, "other", unavailable=wasmtime_missing)
        if wasmtime:
            # cache=n: measure the compile each run pays, not a cache hit.
            engine.command = lambda program: [wasmtime, "run", "-C", "cache=n", *options,
                                              str(WASM_DIR / f"{program}.wasm")] + program_args(program)
        return engine

    engines.append(wasmtime_engine("wasmtime", "wasmtime (Cranelift)", []))
    if not quick:
        engines.append(wasmtime_engine("winch", "wasmtime -C compiler=winch", ["-C", "compiler=winch"]))
        precompiled = Engine("wasmtime-aot", "wasmtime precompiled (.cwasm)", "other", unavailable=wasmtime_missing)
        if wasmtime:
            def prepare_cwasm(program: str) -> str | None:
                result = run_once([wasmtime, "compile", "-C", "cache=n", str(WASM_DIR / f"{program}.wasm"),
                                   "-o", str(cwasm_dir / f"{program}.cwasm")], timeout)
                return None if result.exit_code == 0 else "wasmtime compile: " + failure_message(result)

            precompiled.prepare = prepare_cwasm
            precompiled.command = lambda program: [wasmtime, "run", "--allow-precompiled",
                                                   str(cwasm_dir / f"{program}.cwasm")] + program_args(program)
        engines.append(precompiled)

    wasmi, wasmi_missing = tool(status, "wasmi")
    engine = Engine("wasmi", "wasmi (wasmi_cli)", "other", unavailable=wasmi_missing)
    if wasmi:
        engine.command = lambda program: [wasmi, str(WASM_DIR / f"{program}.wasm")] + program_args(program)
    engines.append(engine)

    wasm3, wasm3_missing = tool(status, "wasm3")
    engine = Engine("wasm3", "wasm3 (pywasm3 + Python WASI shim)", "other", unavailable=wasm3_missing)
    if wasm3:
        runner = wasm3.split(" ")
        engine.command = lambda program: runner + [str(WASM_DIR / f"{program}.wasm")] + program_args(program)
    engines.append(engine)

    if not quick:
        node, node_missing = tool(status, "node")
        engine = Engine("v8", "V8 (node:wasi)", "other", unavailable=node_missing)
        if node:
            engine.command = lambda program: [node, "--no-warnings", str(BENCH_DIR / "runners" / "node_wasi.mjs"),
                                              str(WASM_DIR / f"{program}.wasm")] + program_args(program)
        engines.append(engine)

    if args.engines:
        wanted = set(args.engines)
        engines = [e for e in engines if e.name in wanted or e.name == "native"]
    return engines


def program_args(program: str) -> list:
    """Extra arguments: none by default (the sizes are compiled in); BENCH_SIZE_<NAME> overrides."""
    size = os.environ.get(f"BENCH_SIZE_{program.upper()}")
    return [size] if size else []


# ----------------------------------------------------------------------------- measuring


def measure_programs(engines, programs, runs, timeout, log) -> dict:
    """Round-robin: each round runs every program on every engine once, rotating the engine
    order between rounds so no engine always runs first (caches, turbo, neighbours' load)."""
    cells = {(p, e.name): Cell() for p in programs for e in engines}
    available = [e for e in engines if not e.unavailable]
    for engine in engines:
        if engine.unavailable:
            for program in programs:
                cells[(program, engine.name)].status = "skipped"
                cells[(program, engine.name)].message = engine.unavailable

    for program in programs:
        if not (WASM_DIR / f"{program}.wasm").exists():
            for engine in available:
                if engine.name != "native":
                    cells[(program, engine.name)].status = "error"
                    cells[(program, engine.name)].message = f"{program}.wasm was not built (see bench-results/setup/logs/build.log)"
        for engine in available:
            cell = cells[(program, engine.name)]
            if engine.prepare and cell.status == "pending":
                error = engine.prepare(program)
                if error:
                    cell.status, cell.message = "error", error

    reference = {}
    native_available = any(e.name == "native" for e in available)
    for round_index in range(runs):
        order = available[round_index % max(len(available), 1):] + available[: round_index % max(len(available), 1)]
        for program in programs:
            for engine in order:
                cell = cells[(program, engine.name)]
                if cell.status not in ("pending", "ok"):
                    continue  # a failure is not worth repeating
                result = run_once(engine.command(program), timeout)
                record_run(cell, result, program, engine, reference, native_available, log)
        log(f"round {round_index + 1}/{runs} done")
    return cells


def record_run(cell: Cell, result: RunResult, program: str, engine: Engine, reference: dict,
               native_available: bool, log) -> None:
    if result.timed_out:
        cell.status, cell.message = "timeout", f"timed out after {result.seconds:.0f} s"
        log(f"  {program:<11} {engine.name:<13} TIMEOUT")
        return
    if result.exit_code != 0:
        cell.status, cell.message = "error", failure_message(result)
        log(f"  {program:<11} {engine.name:<13} ERROR {cell.message}")
        return
    signature = output_signature(result.stdout)
    # Native's output is the reference; without native, the first engine that ran it.
    if engine.name == "native" or (program not in reference and not native_available):
        reference.setdefault(program, (signature, engine.name))
    expected, expected_from = reference.get(program, (None, None))
    if expected is not None and signature != expected:
        cell.status = "mismatch"
        cell.message = f"printed {first_line(signature, 60)!r}, {expected_from} printed {first_line(expected, 60)!r}"
    else:
        cell.status = "ok"
    cell.times.append(result.seconds)
    cell.cpu_times.append(result.cpu_seconds)
    cell.rss_kb.append(result.max_rss_kb)
    if cell.status == "mismatch":
        log(f"  !!! CHECKSUM MISMATCH: {program} on {engine.name}: {cell.message}")
    else:
        log(f"  {program:<11} {engine.name:<13} {result.seconds:8.3f} s  cpu {result.cpu_seconds:8.3f} s  "
            f"{result.max_rss_kb / 1024:7.1f} MB")


def measure_compile_throughput(args, engines, log) -> list:
    """MB of wasm compiled per second, for the compilers that can compile without running."""
    rows = []
    status = read_setup_status()
    wasmtime, wasmtime_missing = tool(status, "wasmtime")
    wrun_engine = next((e for e in engines if e.name == "wrun-aot"), None)
    modules = [m for m in (LARGE_PROGRAM,) if (WASM_DIR / f"{m}.wasm").exists()]
    out_dir = BUILD_DIR / "compile-throughput"
    out_dir.mkdir(parents=True, exist_ok=True)
    compilers = [
        ("wasmtime compile (Cranelift)", None if wasmtime_missing else
         lambda wasm, out: [wasmtime, "compile", "-C", "cache=n", str(wasm), "-o", str(out)], wasmtime_missing),
        ("wasmtime compile -C compiler=winch", None if wasmtime_missing else
         lambda wasm, out: [wasmtime, "compile", "-C", "cache=n", "-C", "compiler=winch", str(wasm), "-o", str(out)],
         wasmtime_missing),
    ]
    wrun_reason = wrun_engine.unavailable if wrun_engine else "wrun-aot was not selected"
    wrun_binary = find_wrun(lambda *_: None)[0]

    def wrun_compile(wasm: Path, out: Path) -> list:
        copy = out.with_suffix(".wasm")
        shutil.copyfile(wasm, copy)
        return [wrun_binary, "compile", str(copy)]

    compilers.append(("wrun compile", None if wrun_reason else wrun_compile, wrun_reason))
    runs = max(args.runs, 3)
    for label, make_command, reason in compilers:
        for module in modules:
            wasm = WASM_DIR / f"{module}.wasm"
            megabytes = wasm.stat().st_size / 1e6
            row = {"compiler": label, "module": module, "megabytes": megabytes, "times": [], "error": reason}
            if make_command:
                for _ in range(runs):
                    result = run_once(make_command(wasm, out_dir / f"{module}.out"), args.timeout)
                    if result.exit_code != 0:
                        row["error"] = failure_message(result)
                        break
                    row["times"].append(result.seconds)
            if row["times"] and not row["error"]:
                median = statistics.median(row["times"])
                log(f"  compile {label:<36} {module}: {megabytes:.2f} MB in {median:.3f} s = {megabytes / median:.2f} MB/s")
            else:
                log(f"  compile {label:<36} {module}: {row['error']}")
            rows.append(row)
    return rows


# The line `wrun --stats` prints for the interpreter's translation (src/main.rs, print_stats).
TRANSLATION_LINE = re.compile(
    r"translation:\s+(\d+) function\(s\), (\d+) wasm bytes -> (\d+) code bytes in ([0-9.]+) ms")


def parse_translation_stats(stderr: str) -> dict | None:
    """The interpreter's translation from `wrun --stats` output: functions, wasm body bytes in,
    internal code bytes out and seconds spent; None when the line is missing."""
    match = TRANSLATION_LINE.search(stderr)
    if not match:
        return None
    functions, body_bytes, code_bytes, milliseconds = match.groups()
    return {"functions": int(functions), "body_bytes": int(body_bytes), "code_bytes": int(code_bytes),
            "seconds": float(milliseconds) / 1e3}


def measure_translation_throughput(args, engines, log) -> list:
    """The interpreter's translation on the large module, as `wrun --tier interp --stats` reports
    it: MB of wasm function bodies translated per second (the translation time only, not the
    run) and internal code bytes per wasm body byte."""
    rows = []
    engine = next((e for e in engines if e.name == "wrun-interp"), None)
    reason = engine.unavailable if engine else "wrun-interp was not selected"
    for module in (LARGE_PROGRAM,):
        if not (WASM_DIR / f"{module}.wasm").exists():
            continue
        row = {"module": module, "functions": None, "body_bytes": None, "code_bytes": None, "times": [],
               "error": reason}
        if not reason:
            command = engine.command(module)
            command = command[:1] + ["--stats"] + command[1:]
            for _ in range(max(args.runs, 3)):
                result = run_once(command, args.timeout * 2)
                stats = parse_translation_stats(result.stderr) if result.exit_code == 0 else None
                if stats is None:
                    row["error"] = failure_message(result) if result.exit_code != 0 else \
                        "no translation line in the --stats output"
                    break
                row.update(functions=stats["functions"], body_bytes=stats["body_bytes"],
                           code_bytes=stats["code_bytes"])
                row["times"].append(stats["seconds"])
        summary = translation_summary(row)
        log(f"  translate wrun --tier interp {module}: {summary or row['error']}")
        rows.append(row)
    return rows


def translation_summary(row: dict) -> str | None:
    """"3.54 MB of bodies (1534 functions) at 24.9 MB/s, 5.77 code bytes per wasm byte", or None."""
    if not row["times"] or row["error"]:
        return None
    median = statistics.median(row["times"])
    megabytes = row["body_bytes"] / 1e6
    return (f"{megabytes:.2f} MB of bodies ({row['functions']} functions) at "
            f"{format_throughput(megabytes, median)} MB/s, "
            f"{row['code_bytes'] / row['body_bytes']:.2f} code bytes per wasm byte")


# A C file of a few thousand lines for cc1 (gen_c_source.py): 360 functions, about 3,700 lines.
CC1_INPUT_FUNCTIONS = 360
# wrun runs per round of the code-cache measurement: the first (empty cache) to the tenth.
CC1_WRUN_RUNS = 10


def cc1_module(log) -> tuple:
    """GCC's cc1 for AVR (24 MB of wasm) from the realworld cache, downloaded on first use."""
    sys.path.insert(0, str(REPO_ROOT / "scripts" / "realworld"))
    try:
        import run as realworld
    except ImportError as error:
        return None, f"cannot import scripts/realworld/run.py: {error}"
    cache = Path(os.environ.get("WRUN_REALWORLD_CACHE", REPO_ROOT / ".cache" / "realworld"))
    program = next(p for p in realworld.PROGRAMS if p.name == "cc1")
    try:
        return realworld.fetch_module(program, cache), None
    except (OSError, RuntimeError, subprocess.CalledProcessError) as error:
        return None, f"cannot fetch cc1: {error}"


def measure_code_cache(args, log) -> dict | None:
    """cc1 compiling a C file: wasmtime's first and second run (its compilation cache cold, then
    warm) next to wrun's first, second and tenth run (its code cache empty, then learning).

    Each round starts both caches empty (temporary directories, never the user's); rounds
    alternate the engines. Every run's assembly output must equal the first one's.
    """
    status = read_setup_status()
    wasmtime, wasmtime_missing = tool(status, "wasmtime")
    wrun, wrun_missing = find_wrun(log)
    cc1, cc1_missing = cc1_module(log)
    table = {"rows": {}, "errors": [], "lines": 0}
    if wrun_missing or cc1_missing:
        table["errors"].append(wrun_missing or cc1_missing)
        log(f"  code cache: {table['errors'][0]}")
        return table
    work = BUILD_DIR / "code-cache"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    source = work / "input.c"
    subprocess.run([sys.executable, str(BENCH_DIR / "programs" / "gen_c_source.py"), str(source),
                    str(CC1_INPUT_FUNCTIONS)], check=True)
    table["lines"] = len(source.read_text().splitlines())
    cc1_args = ["-quiet", "-O2", "-mmcu=avr5", "input.c", "-o", "output.s"]
    reference = None

    def timed(label: str, command: list) -> None:
        nonlocal reference
        (work / "output.s").unlink(missing_ok=True)
        result = run_once(command, args.timeout * 4, cwd=work)
        output = (work / "output.s").read_bytes() if (work / "output.s").exists() else None
        row = table["rows"].setdefault(label, {"times": [], "cpu": [], "error": None})
        if result.exit_code != 0 or output is None:
            row["error"] = failure_message(result)
        elif reference is not None and output != reference:
            row["error"] = "output.s differs from the first run's"
        else:
            reference = reference or output
            row["times"].append(result.seconds)
            row["cpu"].append(result.cpu_seconds)
        log(f"  cc1 {label:<28} {result.seconds:8.3f} s  cpu {result.cpu_seconds:8.3f} s"
            + (f"  {row['error']}" if row["error"] else ""))

    rounds = 1 if args.quick else max(2, min(args.runs, 3))
    for round_index in range(rounds):
        wasmtime_cache = work / "wasmtime-cache"
        wrun_cache = work / "wrun-cache"
        for folder in (wasmtime_cache, wrun_cache):
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
        config = work / "wasmtime-cache.toml"
        config.write_text(f'[cache]\ndirectory = "{wasmtime_cache}"\n')

        def run_wasmtime():
            if wasmtime_missing:
                return
            base = [wasmtime, "run", "-C", "cache=y", "-C", f"cache-config={config}", "--dir", ".", str(cc1)]
            timed("wasmtime 1st (cache cold)", base + cc1_args)
            timed("wasmtime 2nd (cache warm)", base + cc1_args)

        def run_wrun():
            base = [wrun, "--cache-dir", str(wrun_cache), "--dir", ".", str(cc1)]
            for n in range(1, CC1_WRUN_RUNS + 1):
                label = {1: "wrun 1st (cache empty)", 2: "wrun 2nd", CC1_WRUN_RUNS: f"wrun {CC1_WRUN_RUNS}th"}.get(n)
                if label:
                    timed(label, base + cc1_args)
                else:
                    run_once(base + cc1_args, args.timeout * 4, cwd=work)
        if wasmtime_missing:
            table["errors"].append(f"wasmtime: {wasmtime_missing}")
        for step in ((run_wasmtime, run_wrun) if round_index % 2 == 0 else (run_wrun, run_wasmtime)):
            step()
    return table


def code_cache_ratios(table: dict) -> list:
    """The gate lines: wrun 2nd / wasmtime 2nd, and wasmtime 1st / wrun 1st."""
    def median(label, key="times"):
        row = table["rows"].get(label)
        return statistics.median(row[key]) if row and row[key] and not row["error"] else None
    lines = []
    for key, what in (("times", "wall"), ("cpu", "CPU")):
        wrun2, wasmtime2 = median("wrun 2nd", key), median("wasmtime 2nd (cache warm)", key)
        wrun1, wasmtime1 = median("wrun 1st (cache empty)", key), median("wasmtime 1st (cache cold)", key)
        if wrun2 and wasmtime2:
            lines.append(f"wrun 2nd / wasmtime 2nd ({what}): {wrun2 / wasmtime2:.2f}x")
        if wrun1 and wasmtime1:
            lines.append(f"wasmtime 1st / wrun 1st ({what}): {wasmtime1 / wrun1:.2f}x")
    return lines


# ----------------------------------------------------------------------------- reporting


def ratio(cells, program, engine_name, cpu=False):
    native = cells.get((program, "native"))
    cell = cells.get((program, engine_name))
    if not native or not cell or native.status != "ok" or cell.status != "ok":
        return None
    engine_time, native_time = (cell.median_cpu, native.median_cpu) if cpu else (cell.median, native.median)
    return engine_time / native_time if native_time else None


def geometric_mean(values):
    values = [v for v in values if v]
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else None


def format_seconds(seconds):
    if seconds is None:
        return "—"
    if seconds < 0.1:
        return f"{seconds * 1000:.1f} ms"
    return f"{seconds:.3f} s"


def format_throughput(megabytes, seconds):
    return f"{megabytes / seconds:.2f}" if seconds else "—"


def cell_problem(cell: Cell) -> str:
    labels = {"mismatch": "**MISMATCH**", "error": "error", "timeout": "timeout", "skipped": "n/a", "pending": "not run"}
    return labels.get(cell.status, cell.status)


def md_escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def tool_versions(engines) -> dict:
    status = read_setup_status()
    versions = {}

    def version_of(name, command):
        try:
            output = subprocess.run(command, capture_output=True, text=True, timeout=30)
            versions[name] = first_line(output.stdout or output.stderr)
        except (OSError, subprocess.SubprocessError) as error:
            versions[name] = f"unknown ({error})"

    version_of("gcc", ["gcc", "--version"])
    version_of("clang", ["clang-14", "--version"])
    if status.get("wasmtime", ("",))[0] == "ok":
        version_of("wasmtime", [status["wasmtime"][1], "--version"])
    if status.get("wasmi", ("",))[0] == "ok":
        version_of("wasmi", [status["wasmi"][1], "--version"])
    if status.get("wasm3", ("",))[0] == "ok":
        python = status["wasm3"][1].split(" ")[0]
        version_of("pywasm3", [python, "-c", "import importlib.metadata as m; print('pywasm3', m.version('pywasm3'))"])
    version_of("node", ["node", "--version"])
    wrun = find_wrun(lambda *_: None)[0]
    if wrun:
        version_of("wrun", [wrun, "--version"])
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True)
        versions["wrun commit"] = commit.stdout.strip()
    except OSError:
        pass
    return versions


def machine_description() -> str:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg()
    return (f"{model or platform.processor()}, {os.cpu_count()} cores, load average (1 min) "
            f"{LOAD_AT_START:.1f} at the start, {load[0]:.1f} at the end")


def write_markdown(path, engines, programs, cells, startup, large, compile_rows, translation_rows, code_cache, runs,
                   versions, elapsed):
    lines = []
    add = lines.append
    add("# wrun benchmarks")
    add("")
    add(f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC; {runs} run(s) per program and "
        f"engine, round-robin; median wall time (min–max); peak RSS from wait4. Machine: {machine_description()}. "
        f"Driver time {elapsed:.0f} s.")
    add("")
    add("Versions: " + "; ".join(f"{k}: {v}" for k, v in versions.items()))
    add("")
    problems = [(e.label, e.unavailable) for e in engines if e.unavailable]
    if problems:
        add("## Missing engines and unavailable wrun modes")
        add("")
        for label, reason in problems:
            add(f"- **{label}**: {md_escape(reason)}")
        add("")
    all_cells = dict(cells)
    for table in (startup, large):
        if table:
            all_cells.update(table["cells"])
    labels = {e.name: e.label for e in engines}
    mismatches = [(p, labels[name], cell.message) for (p, name), cell in all_cells.items() if cell.status == "mismatch"]
    if mismatches:
        add("## !!! Checksum mismatches")
        add("")
        for program, label, message in mismatches:
            add(f"- **{program} on {label}**: {md_escape(message)}")
        add("")

    shown = [e for e in engines if not e.unavailable]
    for cpu in (False, True):
        if cpu:
            add("## Ratio to native by CPU time (user + system, all threads)")
            add("")
            add("Less sensitive to a busy machine than wall time; an engine that compiles on "
                "background threads (wasmtime, V8) pays for them here.")
        else:
            add("## Ratio to native by wall time (lower is better)")
        add("")
        add("| program | " + " | ".join(e.name for e in shown) + " |")
        add("|---|" + "---:|" * len(shown))
        for program in programs:
            row = []
            for engine in shown:
                cell = cells[(program, engine.name)]
                value = ratio(cells, program, engine.name, cpu)
                row.append(f"{value:.2f}×" if value is not None else cell_problem(cell))
            add(f"| {program} | " + " | ".join(row) + " |")
        geomeans = {e.name: geometric_mean([ratio(cells, p, e.name, cpu) for p in programs]) for e in shown}
        counts = {e.name: sum(1 for p in programs if ratio(cells, p, e.name, cpu) is not None) for e in shown}
        add("| **geometric mean** | " + " | ".join(
            (f"**{geomeans[e.name]:.2f}×**" + ("" if counts[e.name] == len(programs) else f" ({counts[e.name]}/{len(programs)})"))
            if geomeans[e.name] else "—" for e in shown) + " |")
        add("")
    # Modes that add run-time checks to wrun-jit (`wrun-jit-fuel`, ...): their cost.
    checked = [e for e in shown if e.name.startswith("wrun-jit-")]
    if checked and any(e.name == "wrun-jit" for e in shown):
        add("## Cost of run-time checks: ratio to wrun-jit (wall time, lower is better)")
        add("")
        add("| program | " + " | ".join(e.name for e in checked) + " |")
        add("|---|" + "---:|" * len(checked))
        slowdowns = {e.name: [] for e in checked}
        for program in programs:
            plain = cells[(program, "wrun-jit")]
            row = []
            for engine in checked:
                cell = cells[(program, engine.name)]
                if plain.status == "ok" and cell.status == "ok" and plain.median:
                    slowdowns[engine.name].append(cell.median / plain.median)
                    row.append(f"{cell.median / plain.median:.2f}×")
                else:
                    row.append(cell_problem(cell))
            add(f"| {program} | " + " | ".join(row) + " |")
        add("| **geometric mean** | " + " | ".join(
            f"**{geometric_mean(slowdowns[e.name]):.2f}×**" if slowdowns[e.name] else "—" for e in checked) + " |")
        add("")
    add("## Details")
    add("")
    add("| program | engine | median | ratio | min | max | median CPU | peak RSS | status |")
    add("|---|---|---:|---:|---:|---:|---:|---:|---|")
    for program in programs:
        for engine in engines:
            cell = cells[(program, engine.name)]
            value = ratio(cells, program, engine.name)
            status = "ok" if cell.status == "ok" else f"{cell_problem(cell)}: {md_escape(cell.message)}"
            if engine.unavailable:
                status = "n/a (see above)"
            add(f"| {program} | {engine.name} | {format_seconds(cell.median)} | "
                f"{f'{value:.2f}×' if value is not None else '—'} | "
                f"{format_seconds(min(cell.times)) if cell.times else '—'} | "
                f"{format_seconds(max(cell.times)) if cell.times else '—'} | "
                f"{format_seconds(cell.median_cpu)} | "
                f"{f'{max(cell.rss_kb) / 1024:.1f} MB' if cell.rss_kb else '—'} | {status} |")
    add("")
    for title, table, note in (
        ("Start-up: hello world", startup, "time to run a program that prints one line"),
        (f"Big module: {LARGE_PROGRAM}.wasm", large, "thousands of functions, each run once: mostly compile/start-up"),
    ):
        if not table:
            continue
        add(f"## {title}")
        add("")
        add(f"{note}; wasm size {table['megabytes']:.2f} MB.")
        add("")
        add("| engine | median | min | max | ratio to native | peak RSS | status |")
        add("|---|---:|---:|---:|---:|---:|---|")
        for engine in engines:
            cell = table["cells"][(table["program"], engine.name)]
            value = ratio(table["cells"], table["program"], engine.name)
            status = "ok" if cell.status == "ok" else f"{cell_problem(cell)}: {md_escape(cell.message)}"
            if engine.unavailable:
                status = "n/a (see above)"
            add(f"| {engine.name} | {format_seconds(cell.median)} | "
                f"{format_seconds(min(cell.times)) if cell.times else '—'} | "
                f"{format_seconds(max(cell.times)) if cell.times else '—'} | "
                f"{f'{value:.2f}×' if value is not None else '—'} | "
                f"{f'{max(cell.rss_kb) / 1024:.1f} MB' if cell.rss_kb else '—'} | {status} |")
        add("")
    if compile_rows:
        add("## Compile throughput")
        add("")
        add("Wall time of compiling the module to a file, without running it (wasmtime compiles in "
            "parallel on the machine's cores).")
        add("")
        add("| compiler | module | wasm MB | median | min | max | MB/s | status |")
        add("|---|---|---:|---:|---:|---:|---:|---|")
        for row in compile_rows:
            times = row["times"]
            ok = times and not row["error"]
            median = statistics.median(times) if ok else None
            add(f"| {row['compiler']} | {row['module']} | {row['megabytes']:.2f} | {format_seconds(median)} | "
                f"{format_seconds(min(times)) if ok else '—'} | {format_seconds(max(times)) if ok else '—'} | "
                f"{format_throughput(row['megabytes'], median)} | {'ok' if ok else md_escape(row['error'] or '')} |")
        add("")
    if translation_rows:
        add("## Interpreter translation throughput")
        add("")
        add("`wrun --tier interp --stats`: the translation time it reports (every function the run "
            "entered, translated on first call), the wasm function bodies translated and the internal "
            "code produced (instructions and offset tables).")
        add("")
        add("| module | functions | wasm body MB | median | min | max | MB/s | code bytes per wasm byte | status |")
        add("|---|---:|---:|---:|---:|---:|---:|---:|---|")
        for row in translation_rows:
            times = row["times"]
            ok = times and not row["error"]
            median = statistics.median(times) if ok else None
            megabytes = row["body_bytes"] / 1e6 if ok else None
            expansion = f"{row['code_bytes'] / row['body_bytes']:.2f}" if ok else "—"
            add(f"| {row['module']} | {row['functions'] if ok else '—'} | "
                f"{f'{megabytes:.2f}' if ok else '—'} | {format_seconds(median)} | "
                f"{format_seconds(min(times)) if ok else '—'} | {format_seconds(max(times)) if ok else '—'} | "
                f"{format_throughput(megabytes, median) if ok else '—'} | "
                f"{expansion} | "
                f"{'ok' if ok else md_escape(row['error'] or '')} |")
        add("")
    if code_cache and code_cache["rows"]:
        add("## Code cache: cc1 compiling a C file")
        add("")
        add(f"GCC's cc1 (AVR, 24 MB of wasm) compiling a generated C file of {code_cache['lines']} lines "
            f"(`-O2`). wasmtime with its compilation cache cold, then warm; wrun with its code cache "
            f"empty, then learning (`--cache-dir`, a fresh directory each round). Median of the rounds.")
        add("")
        add("| run | median wall | median CPU | runs | status |")
        add("|---|---:|---:|---:|---|")
        for label, row in code_cache["rows"].items():
            ok = row["times"] and not row["error"]
            add(f"| {label} | {format_seconds(statistics.median(row['times'])) if ok else '—'} | "
                f"{format_seconds(statistics.median(row['cpu'])) if ok else '—'} | {len(row['times'])} | "
                f"{'ok' if ok else md_escape(row['error'] or '')} |")
        add("")
        for line in code_cache_ratios(code_cache):
            add(f"- {line}")
        add("")
    add("## Engines")
    add("")
    for engine in engines:
        example = " ".join(engine.command("PROGRAM")) if engine.command and not engine.unavailable else "—"
        add(f"- `{engine.name}`: {engine.label}. `{example.replace(str(REPO_ROOT) + '/', '')}`")
    add("")
    path.write_text("\n".join(lines) + "\n")


def write_chart(path, engines, programs, cells, log) -> str | None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as error:
        return f"matplotlib missing: {error}"
    shown = [e for e in engines if not e.unavailable and e.name != "native"
             and any(ratio(cells, p, e.name) for p in programs)]
    if not shown:
        return "no engine has a ratio to native to draw"
    groups = programs + ["geo. mean"]
    figure, axes = plt.subplots(figsize=(max(12, 1.25 * len(groups) + 2), 6.5))
    width = 0.8 / len(shown)
    wrun_colours = ["#d62728", "#ff7f0e", "#e377c2", "#8c564b"]
    other_colours = ["#1f77b4", "#17becf", "#2ca02c", "#9467bd", "#bcbd22", "#7f7f7f", "#aec7e8"]
    wrun_index = other_index = 0
    for index, engine in enumerate(shown):
        values = [ratio(cells, p, engine.name) for p in programs]
        # A geometric mean over some programs only would not compare with the others: left out.
        values.append(geometric_mean(values) if all(values) else None)
        if engine.family == "wrun":
            colour = wrun_colours[wrun_index % len(wrun_colours)]
            wrun_index += 1
        else:
            colour = other_colours[other_index % len(other_colours)]
            other_index += 1
        positions = [g + (index - (len(shown) - 1) / 2) * width for g in range(len(groups))]
        heights = [v if v else 0 for v in values]
        axes.bar(positions, heights, width, label=engine.label, color=colour,
                 edgecolor="black" if engine.family == "wrun" else "none", linewidth=0.8)
        for x, v in zip(positions, values):
            if v is None:
                axes.text(x, 1.0, "×", ha="center", va="bottom", fontsize=7, color=colour)
    axes.set_yscale("log")
    highest = max((ratio(cells, p, e.name) or 1.0) for p in programs for e in shown)
    lowest = min((ratio(cells, p, e.name) or 1.0) for p in programs for e in shown)
    axes.set_ylim(min(lowest, 1.0) / 1.5, highest * 4)  # headroom above the bars for the legend
    axes.axhline(1.0, color="black", linewidth=1)
    axes.text(len(groups) - 0.5, 1.0, " native = 1", va="bottom", ha="right", fontsize=8)
    axes.set_xticks(range(len(groups)))
    axes.set_xticklabels(groups, rotation=0)
    axes.axvline(len(programs) - 0.5, color="grey", linewidth=0.8, linestyle=":")
    axes.set_ylabel("wall time / native wall time (log scale, lower is better)")
    axes.set_title("wasm engines vs native (gcc -O2), median of runs")
    axes.grid(axis="y", which="both", alpha=0.3)
    from matplotlib.ticker import FuncFormatter
    axes.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}×"))
    axes.legend(fontsize=8, ncol=min(4, len(shown)), loc="upper left")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return None


def print_summary(engines, programs, cells, startup, large, compile_rows, translation_rows):
    print()
    print("=" * 78)
    print(f"{'engine':<14} {'geomean wall':>12} {'geomean cpu':>12} {'ok':>6} {'hello':>10} {'large':>10}   note")
    for engine in engines:
        if engine.unavailable:
            print(f"{engine.name:<14} {'—':>12} {'—':>12} {'—':>6} {'—':>10} {'—':>10}   {first_line(engine.unavailable, 90)}")
            continue
        values = [ratio(cells, p, engine.name) for p in programs]
        geomean = geometric_mean(values)
        geomean_cpu = geometric_mean([ratio(cells, p, engine.name, cpu=True) for p in programs])
        ok = sum(1 for p in programs if cells[(p, engine.name)].status == "ok")
        problems = [cells[(p, engine.name)] for p in programs if cells[(p, engine.name)].status != "ok"]
        note = ""
        if problems:
            note = first_line(problems[0].message, 70)
            if not note.lower().startswith(problems[0].status):
                note = f"{problems[0].status}: {note}"
        hello = startup["cells"][(STARTUP_PROGRAM, engine.name)].median if startup else None
        big = large["cells"][(LARGE_PROGRAM, engine.name)].median if large else None
        print(f"{engine.name:<14} {(f'{geomean:.2f}×' if geomean else '—'):>12} "
              f"{(f'{geomean_cpu:.2f}×' if geomean_cpu else '—'):>12} {f'{ok}/{len(programs)}':>6} "
              f"{format_seconds(hello):>10} {format_seconds(big):>10}   {note}")
    for row in compile_rows:
        if row["times"] and not row["error"]:
            median = statistics.median(row["times"])
            print(f"compile {row['compiler']}: {row['megabytes'] / median:.2f} MB/s ({row['module']}, {row['megabytes']:.2f} MB)")
        else:
            print(f"compile {row['compiler']}: {first_line(row['error'] or 'no result', 90)}")
    for row in translation_rows:
        summary = translation_summary(row)
        print(f"translation wrun --tier interp ({row['module']}): "
              f"{summary or first_line(row['error'] or 'no result', 90)}")
    mismatches = [(p, e.name) for (p, e_name), cell in cells.items() for e in engines
                  if e.name == e_name and cell.status == "mismatch"]
    for table in (startup, large):
        if table:
            mismatches += [(p, name) for (p, name), cell in table["cells"].items() if cell.status == "mismatch"]
    if mismatches:
        print(f"!!! {len(mismatches)} CHECKSUM MISMATCH(ES): " + ", ".join(f"{e} on {p}" for p, e in mismatches))
    print("=" * 78)


# ----------------------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    quick_default = os.environ.get("QUICK", "0") not in ("", "0")
    parser.add_argument("--quick", action="store_true", default=quick_default, help="one run, fewer engines")
    parser.add_argument("--runs", type=int, default=int(os.environ.get("BENCH_RUNS", "0")) or None)
    parser.add_argument("--timeout", type=float, default=float(os.environ.get("BENCH_TIMEOUT", "120")),
                        help="seconds before one run is killed")
    parser.add_argument("--programs", default=os.environ.get("BENCH_PROGRAMS", ""))
    parser.add_argument("--engines", default=os.environ.get("BENCH_ENGINES", ""))
    parser.add_argument("--no-compile", action="store_true", help="skip the compile- and translation-throughput rows")
    parser.add_argument("--no-code-cache", action="store_true", help="skip the code-cache rows (cc1)")
    parser.add_argument("--only-code-cache", action="store_true", help="measure only the code-cache rows")
    args = parser.parse_args()
    if args.runs is None:
        args.runs = 1 if args.quick else 5
    args.engines = [e for e in args.engines.split(",") if e]
    programs = [p for p in args.programs.split(",") if p] or PROGRAMS
    unknown = [p for p in programs if p not in PROGRAMS]
    if unknown:
        parser.error(f"unknown program(s) {unknown}; known: {PROGRAMS}")

    started = time.perf_counter()
    log_path = RESULTS_DIR / "run.log"
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    log_file = open(log_path, "w")

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)
        log_file.write(message + "\n")
        log_file.flush()

    if not STATUS_FILE.exists():
        log("bench-results/setup/status.tsv is missing: run scripts/bench/setup.sh first (run.sh does)")
    engines = build_engines(args, log)
    log("engines: " + ", ".join(e.name + (" (n/a)" if e.unavailable else "") for e in engines))
    for engine in engines:
        if engine.unavailable:
            log(f"  {engine.name}: {engine.unavailable}")

    if args.only_code_cache:
        log("== code cache (cc1)")
        code_cache = measure_code_cache(args, log)
        for line in code_cache_ratios(code_cache):
            print(line)
        (RESULTS_DIR / "code-cache.json").write_text(json.dumps(code_cache, indent=1))
        return 0
    log(f"== programs: {len(programs)} x {len(engines)} engines x {args.runs} run(s)")
    cells = measure_programs(engines, programs, args.runs, args.timeout, log)

    startup = large = None
    if (WASM_DIR / f"{STARTUP_PROGRAM}.wasm").exists():
        log("== start-up (hello)")
        startup_runs = max(args.runs * 4, 5)
        startup = {"program": STARTUP_PROGRAM, "megabytes": (WASM_DIR / f"{STARTUP_PROGRAM}.wasm").stat().st_size / 1e6,
                   "cells": measure_programs(engines, [STARTUP_PROGRAM], startup_runs, args.timeout, log)}
    if (WASM_DIR / f"{LARGE_PROGRAM}.wasm").exists():
        log("== big module (large)")
        large = {"program": LARGE_PROGRAM, "megabytes": (WASM_DIR / f"{LARGE_PROGRAM}.wasm").stat().st_size / 1e6,
                 "cells": measure_programs(engines, [LARGE_PROGRAM], args.runs, args.timeout * 2, log)}
    compile_rows = []
    translation_rows = []
    if not args.no_compile:
        log("== compile throughput")
        compile_rows = measure_compile_throughput(args, engines, log)
        log("== interpreter translation throughput")
        translation_rows = measure_translation_throughput(args, engines, log)

    code_cache = None
    if not args.no_code_cache:
        log("== code cache (cc1)")
        code_cache = measure_code_cache(args, log)

    elapsed = time.perf_counter() - started
    versions = tool_versions(engines)
    write_markdown(RESULTS_DIR / "results.md", engines, programs, cells, startup, large, compile_rows,
                   translation_rows, code_cache, args.runs, versions, elapsed)
    chart_error = write_chart(RESULTS_DIR / "chart.png", engines, programs, cells, log)
    if chart_error:
        log(f"chart not written: {chart_error}")
    raw = {
        "runs": args.runs,
        "engines": [{"name": e.name, "label": e.label, "unavailable": e.unavailable} for e in engines],
        "programs": {f"{p}/{e}": dataclasses.asdict(c) for (p, e), c in cells.items()},
        "startup": {e: dataclasses.asdict(c) for (_, e), c in startup["cells"].items()} if startup else {},
        "large": {e: dataclasses.asdict(c) for (_, e), c in large["cells"].items()} if large else {},
        "compile": compile_rows,
        "translation": translation_rows,
        "code_cache": code_cache,
        "versions": versions,
    }
    (RESULTS_DIR / "results.json").write_text(json.dumps(raw, indent=1))
    print_summary(engines, programs, cells, startup, large, compile_rows, translation_rows)
    for line in code_cache_ratios(code_cache or {"rows": {}}):
        print(f"code cache, cc1: {line}")
    print(f"wrote {RESULTS_DIR / 'results.md'}, {RESULTS_DIR / 'chart.png'} ({elapsed:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
