#!/usr/bin/env python3
"""Drops the custom sections (id 0: names, DWARF debug info, producers, ...) of wasm modules.

Usage: strip-wasm.py IN.wasm OUT.wasm      (one module)
       strip-wasm.py --in-place FILE...    (rewrite each module)

Every other section is copied byte for byte, so the stripped module runs exactly as the original;
only names in backtraces and debug information are lost. Exits 1 with a message on a file that
is not a well-formed sequence of sections.
"""

import sys
from pathlib import Path

MAGIC = b"\0asm"


def read_leb_u32(data: bytes, pos: int) -> tuple[int, int]:
    """Returns (value, position after it) of the unsigned LEB128 number at `pos`."""
    value = shift = 0
    while True:
        if pos >= len(data) or shift > 28:
            raise ValueError(f"bad section size at byte {pos}")
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, pos


def strip_custom_sections(data: bytes) -> bytes:
    if data[:4] != MAGIC or len(data) < 8:
        raise ValueError("not a wasm module (bad magic)")
    out = bytearray(data[:8])
    pos = 8
    while pos < len(data):
        start = pos
        section_id = data[pos]
        size, pos = read_leb_u32(data, pos + 1)
        end = pos + size
        if end > len(data):
            raise ValueError(f"section at byte {start} runs past the end")
        if section_id != 0:
            out += data[start:end]
        pos = end
    return bytes(out)


def main(argv: list[str]) -> int:
    try:
        if len(argv) >= 1 and argv[0] == "--in-place":
            for name in argv[1:]:
                path = Path(name)
                path.write_bytes(strip_custom_sections(path.read_bytes()))
        elif len(argv) == 2:
            Path(argv[1]).write_bytes(strip_custom_sections(Path(argv[0]).read_bytes()))
        else:
            print(__doc__.strip(), file=sys.stderr)
            return 2
    except (OSError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
