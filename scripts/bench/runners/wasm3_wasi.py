#!/usr/bin/env python3
"""Runs a WASI command module on wasm3 through pywasm3.

pywasm3 (wasm3 v0.5.0 bound to Python) has no WASI of its own, but it can link Python functions
as imports. This file provides the handful of wasi_snapshot_preview1 calls that a wasi-libc
program makes to start, read its arguments, print and exit. Only those calls cross into Python;
everything else runs in wasm3's interpreter, so the overhead is start-up plus one Python call per
write (our benchmarks print a few lines).

usage: wasm3_wasi.py PROGRAM.wasm [ARGS...]
"""

import os
import struct
import sys
import time

import wasm3

WASI = "wasi_snapshot_preview1"
ERRNO_SUCCESS = 0
ERRNO_BADF = 8
ERRNO_INVAL = 28
ERRNO_NOSYS = 52
ERRNO_SPIPE = 70
FILETYPE_CHARACTER_DEVICE = 2
RUNTIME_STACK_BYTES = 8 << 20


class ProcExit(Exception):
    def __init__(self, code: int):
        super().__init__(f"proc_exit({code})")
        self.code = code


def main() -> int:
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    wasm_path = sys.argv[1]
    program_args = [os.path.basename(wasm_path)] + sys.argv[2:]
    with open(wasm_path, "rb") as wasm_file:
        wasm_bytes = wasm_file.read()

    environment = wasm3.Environment()
    runtime = environment.new_runtime(RUNTIME_STACK_BYTES)
    module = environment.parse_module(wasm_bytes)
    runtime.load(module)

    def memory():
        # Fetched on every call: memory.grow may move linear memory.
        return runtime.get_memory(0)

    def write_strings(strings, pointers_at, buffer_at):
        mem = memory()
        for value in strings:
            data = value.encode() + b"\0"
            struct.pack_into("<I", mem, pointers_at, buffer_at)
            mem[buffer_at : buffer_at + len(data)] = data
            pointers_at += 4
            buffer_at += len(data)
        return ERRNO_SUCCESS

    def write_sizes(strings, count_at, size_at):
        mem = memory()
        struct.pack_into("<I", mem, count_at, len(strings))
        struct.pack_into("<I", mem, size_at, sum(len(s.encode()) + 1 for s in strings))
        return ERRNO_SUCCESS

    def fd_write(fd, iovs, iovs_len, nwritten_at):
        if fd not in (1, 2):
            return ERRNO_BADF
        mem = memory()
        chunks = []
        for index in range(iovs_len):
            base, length = struct.unpack_from("<II", mem, iovs + 8 * index)
            chunks.append(bytes(mem[base : base + length]))
        data = b"".join(chunks)
        os.write(fd, data)
        struct.pack_into("<I", mem, nwritten_at, len(data))
        return ERRNO_SUCCESS

    def fd_read(fd, iovs, iovs_len, nread_at):
        if fd != 0:
            return ERRNO_BADF
        mem = memory()
        total = 0
        for index in range(iovs_len):
            base, length = struct.unpack_from("<II", mem, iovs + 8 * index)
            data = os.read(0, length)
            mem[base : base + len(data)] = data
            total += len(data)
            if len(data) < length:
                break
        struct.pack_into("<I", mem, nread_at, total)
        return ERRNO_SUCCESS

    def fd_fdstat_get(fd, stat_at):
        if fd not in (0, 1, 2):
            return ERRNO_BADF
        mem = memory()
        # filetype u8, flags u16, rights_base u64, rights_inheriting u64
        struct.pack_into("<BxHxxxxQQ", mem, stat_at, FILETYPE_CHARACTER_DEVICE, 0, (1 << 64) - 1, 0)
        return ERRNO_SUCCESS

    def fd_seek(fd, offset, whence, new_offset_at):
        return ERRNO_SPIPE if fd in (0, 1, 2) else ERRNO_BADF

    def clock_time_get(clock_id, precision, time_at):
        nanoseconds = time.time_ns() if clock_id == 0 else time.monotonic_ns()
        struct.pack_into("<Q", memory(), time_at, nanoseconds)
        return ERRNO_SUCCESS

    def random_get(buffer_at, length):
        memory()[buffer_at : buffer_at + length] = os.urandom(length)
        return ERRNO_SUCCESS

    def proc_exit(code):
        raise ProcExit(code)

    imports = {
        "args_get": ("i(ii)", lambda p, b: write_strings(program_args, p, b)),
        "args_sizes_get": ("i(ii)", lambda c, s: write_sizes(program_args, c, s)),
        "environ_get": ("i(ii)", lambda p, b: write_strings([], p, b)),
        "environ_sizes_get": ("i(ii)", lambda c, s: write_sizes([], c, s)),
        "fd_write": ("i(iiii)", fd_write),
        "fd_read": ("i(iiii)", fd_read),
        "fd_close": ("i(i)", lambda fd: ERRNO_SUCCESS if fd in (0, 1, 2) else ERRNO_BADF),
        "fd_seek": ("i(iIii)", fd_seek),
        "fd_fdstat_get": ("i(ii)", fd_fdstat_get),
        "fd_fdstat_set_flags": ("i(ii)", lambda fd, flags: ERRNO_NOSYS),
        "fd_prestat_get": ("i(ii)", lambda fd, at: ERRNO_BADF),
        "fd_prestat_dir_name": ("i(iii)", lambda fd, at, length: ERRNO_BADF),
        "clock_time_get": ("i(iIi)", clock_time_get),
        "random_get": ("i(ii)", random_get),
        "proc_exit": ("v(i)", proc_exit),
    }
    for name, (signature, function) in imports.items():
        module.link_function(WASI, name, signature, function)

    start = runtime.find_function("_start")
    try:
        start()
    except ProcExit as exit_request:
        return exit_request.code
    return 0


if __name__ == "__main__":
    sys.exit(main())
