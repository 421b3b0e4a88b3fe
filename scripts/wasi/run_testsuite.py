#!/usr/bin/env python3
"""Runs the official WASI test suite's preview1 tests through the wrun binary.

Each test is run as a user would run it: `wrun [--dir ROOT::/] [--env K=V]... TEST.wasm ARGS...`,
in a fresh temporary copy of its folder's data (so tests that create files don't dirty the tree),
and passes when the exit code equals the expected one and stdout begins with the expected text
(the suite's rules: see tests/wasi-testsuite/README.md).

With --aot, each test module is first precompiled with `wrun compile` into a temporary folder
(outside the guest's view) and run from that sidecar (`wrun --aot PATH --stats ...`); a test
whose sidecar was not used fails.

Usage: run_testsuite.py [--verbose] [--aot] [FILTER...]   (FILTER: substrings of "suite/test")
Environment: WRUN (the binary; default $CARGO_TARGET_DIR/release/wrun, else target/release/wrun),
WASI_TESTSUITE (the wasi-testsuite folder; default REPO/tests/wasi-testsuite, the in-repository copy),
WASI_TEST_TIMEOUT (seconds per test, default 5).
"""

import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

SUITES = ("c", "rust", "assemblyscript")
DEFAULT_SPEC = {"args": [], "env": {}, "root": None, "exit_code": 0, "stdout": "", "stderr": ""}


def repo_root() -> Path:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"],
            cwd=Path(__file__).resolve().parent,
            capture_output=True,
            text=True,
            check=True,
        )
        return Path(out.stdout.strip())
    except (OSError, subprocess.CalledProcessError):
        return Path(__file__).resolve().parents[2]


def make_writable(root: Path) -> None:
    """A copy of the suite may be read-only; the tests expect a writable folder, as in a checkout."""
    for path in [root, *root.rglob("*")]:
        if path.is_symlink():
            continue
        mode = path.stat().st_mode
        path.chmod(mode | stat.S_IWUSR | (stat.S_IXUSR if path.is_dir() else 0))


def first_line(text: str) -> str:
    """The first two non-blank lines (a trap's message, or a panic's place and message)."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return " | ".join(lines[:2])[:240]


def run_test(wrun: Path, wasm: Path, timeout: float, sidecar: Path | None = None) -> tuple[bool, str]:
    """Runs one test (from the precompiled `sidecar` if given); returns (passed, reason for a
    failure)."""
    spec = dict(DEFAULT_SPEC)
    spec_path = wasm.with_suffix(".json")
    if spec_path.exists():
        spec.update(json.loads(spec_path.read_text()))
    with tempfile.TemporaryDirectory(prefix="wasi-test-") as scratch:
        scratch = Path(scratch)
        command = [str(wrun)]
        if spec["root"] is not None:
            root_copy = scratch / spec["root"]
            shutil.copytree(wasm.parent / spec["root"], root_copy, symlinks=True)
            make_writable(root_copy)
            for leftover in root_copy.rglob("*.cleanup"):
                if leftover.is_dir() and not leftover.is_symlink():
                    shutil.rmtree(leftover)
                else:
                    leftover.unlink()
            command += ["--dir", f"{root_copy}::/"]
        for name, value in spec["env"].items():
            command += ["--env", f"{name}={value}"]
        module = scratch / wasm.name
        shutil.copyfile(wasm, module)
        if sidecar is not None:
            try:
                compiled = subprocess.run([str(wrun), "compile", str(module), "-o", str(sidecar)],
                                          capture_output=True, timeout=timeout * 4)
            except subprocess.TimeoutExpired:
                return False, "wrun compile timed out"
            if compiled.returncode != 0:
                return False, "wrun compile: " + first_line(compiled.stderr.decode("utf-8", errors="replace"))
            command += ["--aot", str(sidecar), "--stats"]
        command += [wasm.name, *spec["args"]]
        try:
            done = subprocess.run(
                command,
                cwd=scratch,
                env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")},
                stdin=subprocess.DEVNULL,
                capture_output=True,
                timeout=timeout,
            )
        except subprocess.TimeoutExpired:
            return False, f"timed out after {timeout:g} s"
        stdout = done.stdout.decode("utf-8", errors="replace")
        stderr = done.stderr.decode("utf-8", errors="replace")
        if done.returncode != spec["exit_code"]:
            detail = first_line(stderr) or first_line(stdout)
            return False, f"exit code {done.returncode}, expected {spec['exit_code']}: {detail}"
        if not stdout.startswith(spec["stdout"]):
            return False, f"stdout {stdout[:80]!r}, expected it to begin with {spec['stdout'][:80]!r}"
        if sidecar is not None and not re.search(r"sidecar:\s+used " + re.escape(str(sidecar)), stderr):
            used = [line.strip() for line in stderr.splitlines()
                    if line.strip().startswith(("sidecar:", "warning:"))]
            return False, "the sidecar was not used: " + " | ".join(used)
        return True, ""


def main() -> int:
    args = sys.argv[1:]
    verbose = "--verbose" in args
    aot = "--aot" in args
    filters = [arg for arg in args if arg not in ("--verbose", "--aot")]
    root = repo_root()
    suite_dir = Path(os.environ.get("WASI_TESTSUITE", root / "tests" / "wasi-testsuite"))
    target_dir = Path(os.environ.get("CARGO_TARGET_DIR", root / "target"))
    wrun = Path(os.environ.get("WRUN", target_dir / "release" / "wrun")).resolve()
    timeout = float(os.environ.get("WASI_TEST_TIMEOUT", "5"))
    if not wrun.is_file():
        print(f"wasi-test: no wrun binary at {wrun} (build it, or set WRUN)", file=sys.stderr)
        return 2
    tests = []
    for suite in SUITES:
        folder = suite_dir / "tests" / suite / "testsuite" / "wasm32-wasip1"
        if not folder.is_dir():
            print(f"wasi-test: no test folder {folder} (set WASI_TESTSUITE)", file=sys.stderr)
            return 2
        tests += [(f"{suite}/{wasm.stem}", wasm) for wasm in sorted(folder.glob("*.wasm"))]
    if filters:
        tests = [(name, wasm) for name, wasm in tests if any(f in name for f in filters)]
    passed = failed = 0
    sidecars = tempfile.TemporaryDirectory(prefix="wasi-test-aot-") if aot else None
    for name, wasm in tests:
        sidecar = Path(sidecars.name) / (name.replace("/", "-") + ".wrun") if sidecars else None
        ok, reason = run_test(wrun, wasm, timeout, sidecar)
        if ok:
            passed += 1
            if verbose:
                print(f"ok   {name}")
        else:
            failed += 1
            print(f"FAIL {name}: {reason}")
    if sidecars:
        sidecars.cleanup()
    print(f"{passed} passed, {failed} failed" + (" (from AOT sidecars)" if aot else ""))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
