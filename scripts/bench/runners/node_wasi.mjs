// Runs a WASI command module on node's V8 through node:wasi.
// usage: node --no-warnings node_wasi.mjs PROGRAM.wasm [ARGS...]
import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import process from "node:process";
import { WASI } from "node:wasi";

const [wasmPath, ...programArgs] = process.argv.slice(2);
if (!wasmPath) {
  console.error("usage: node node_wasi.mjs PROGRAM.wasm [ARGS...]");
  process.exit(2);
}
const wasi = new WASI({
  version: "preview1",
  args: [basename(wasmPath), ...programArgs],
  env: {},
  returnOnExit: true,
});
const module = await WebAssembly.compile(await readFile(wasmPath));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
process.exitCode = wasi.start(instance);
