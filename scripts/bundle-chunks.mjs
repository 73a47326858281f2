// Packs each lazy page's wasm (its own chunk and the ~50 small chunks it shares with other pages)
// into one file, `bundle_<page>.bin`, and teaches wasm-split's loader to fetch that file on the
// first page a tab opens. Run by scripts/split-wasm.sh after wasm-opt.
//
// Why: the server compresses each file apart, and fifty small wasm files compress far worse
// than the same bytes as one (Issues: 104 KiB brotli as files, 88 KiB as one). Only the first
// page of a visit uses its bundle: a later page fetches just the chunks not loaded yet, one by
// one as before, so no byte is downloaded twice. Every chunk is still instantiated once, in the
// order wasm-split's loader gives; only where its bytes come from changes.
//
// Bundle format: repeated [u32 LE name length][name, UTF-8][u32 LE size][wasm bytes].
//
// Usage: node scripts/bundle-chunks.mjs <split dir>   (the dir holding __wasm_split.js)

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2];
if (!dir) throw new Error('usage: bundle-chunks.mjs <split dir>');
const loaderPath = join(dir, '__wasm_split.js');
let loader = readFileSync(loaderPath, 'utf8');
if (loader.includes('function __load(')) throw new Error(`${loaderPath} is bundled already`);

// wasm-split's loader lists every chunk as a function of its own and every page's dependencies by
// name, in full (200 KB before minifying, 5.8 KiB brotli on every first load). It is rewritten
// here as data: its runtime (`getSharedImports`, `wrapAsyncCb`, `makeLoad`) kept as it is, each
// chunk made on first use from its number, each page's dependencies as ranges ("26-95,98").
//
// `const __chunk_4 = makeLoad(() => { const src = fetch(new URL("./chunk_4.wasm", …)); … }, []);`
const chunkDef = /const __chunk_(\d+) = makeLoad\(\(\) => \{\s*const src = fetch\(new URL\("\.\/chunk_(\d+)\.wasm", import\.meta\.url\)\);\s*src\.catch\(\(\) => \{\}\);\s*return async \(imports\) => \(WebAssembly\.instantiateStreaming\(src, imports\)\);\s*\}\s*, \[\]\);/g;
const chunks = [...loader.matchAll(chunkDef)];
for (const [, n, file] of chunks) if (n !== file) throw new Error(`__chunk_${n} loads chunk_${file}.wasm`);
if (chunks.length !== (loader.match(/const __chunk_\d+ = /g) ?? []).length) {
  throw new Error(`${loaderPath}: a chunk has dependencies or another shape; update bundle-chunks.mjs`);
}

// `export const __wasm_split_load_<name> = wrapAsyncCb(makeLoad(() => { … "./split_<name>.wasm" … }, [deps]));`
const loadDef = /export const __wasm_split_load_(\w+) = wrapAsyncCb\(makeLoad\(\(\) => \{\s*const src = fetch\(new URL\("\.\/split_(\w+)\.wasm", import\.meta\.url\)\);\s*src\.catch\(\(\) => \{\}\);\s*return async \(imports\) => \(WebAssembly\.instantiateStreaming\(src, imports\)\);\s*\}\s*, \[([^\]]*)\]\)\);/g;
const loads = [...loader.matchAll(loadDef)];
if (loads.length === 0) throw new Error(`${loaderPath}: no lazy pages found`);
if (loads.length !== (loader.match(/export const __wasm_split_load_/g) ?? []).length) {
  throw new Error(`${loaderPath}: a page loader has another shape; update bundle-chunks.mjs`);
}

/** [26, 27, 28, 30] → "26-28,30" */
function ranges(numbers) {
  const out = [];
  for (let i = 0; i < numbers.length; ) {
    let j = i;
    while (j + 1 < numbers.length && numbers[j + 1] === numbers[j] + 1) j++;
    out.push(i === j ? `${numbers[i]}` : `${numbers[i]}-${numbers[j]}`);
    i = j + 1;
  }
  return out.join(',');
}

const parts = {};
const exportsJs = [];
for (const [, name, file, depList] of loads) {
  if (name !== file) throw new Error(`__wasm_split_load_${name} loads split_${file}.wasm`);
  const deps = depList.split(',').map((d) => d.trim()).filter(Boolean).map((d) => {
    const m = d.match(/^__chunk_(\d+)$/);
    if (!m) throw new Error(`${name}: dependency ${d}`);
    return Number(m[1]);
  });
  exportsJs.push(`export const __wasm_split_load_${name} = __load("${name}", "${ranges(deps)}");`);
  // A part of a page (a dialog, `lazy_part!`) opens after its page: its chunks are mostly
  // loaded by then, so it is fetched chunk by chunk as wasm-split made it.
  if (name.endsWith('_page')) parts[name] = [`split_${name}.wasm`, ...deps.map((n) => `chunk_${n}.wasm`)];
}

const runtimeEnd = loader.search(/\n(\/\*[^\n]*\*\/\n)?const __chunk_|\nexport const __wasm_split_load_/);
const wasmSplitRuntime = loader.slice(0, runtimeEnd + 1);
for (const fn of ['function getSharedImports', 'function wrapAsyncCb', 'function makeLoad']) {
  if (!wasmSplitRuntime.includes(fn)) throw new Error(`${loaderPath}: ${fn} not found`);
}

for (const [page, files] of Object.entries(parts)) {
  const pieces = [];
  for (const file of files) {
    const name = Buffer.from(file, 'utf8');
    const bytes = readFileSync(join(dir, file));
    const head = Buffer.alloc(4);
    head.writeUInt32LE(name.length);
    const size = Buffer.alloc(4);
    size.writeUInt32LE(bytes.length);
    pieces.push(head, name, size, bytes);
  }
  writeFileSync(join(dir, `bundle_${page}.bin`), Buffer.concat(pieces));
}

const runtime = `
// Added by scripts/bundle-chunks.mjs: chunks made on first use, and the first page a tab opens
// fetches its chunks as one file.
const __chunks = [];
function __chunk(n) {
    return (__chunks[n] ??= makeLoad(__fetcher("chunk_" + n + ".wasm"), []));
}
function __fetcher(file) {
    return () => {
        const src = __part(file);
        src.catch(() => {});
        return async (imports) => (WebAssembly.instantiateStreaming(src, imports));
    };
}
function __numbers(ranges) {
    const out = [];
    for (const range of ranges ? ranges.split(",") : []) {
        const [from, to = from] = range.split("-").map(Number);
        for (let n = from; n <= to; n++) out.push(n);
    }
    return out;
}
function __load(name, ranges) {
    const deps = __numbers(ranges);
    const load = makeLoad(__fetcher("split_" + name + ".wasm"), deps.map(__chunk));
    if (!name.endsWith("_page")) return wrapAsyncCb(load);
    return wrapAsyncCb(__bundled(["split_" + name + ".wasm", ...deps.map((n) => "chunk_" + n + ".wasm")], name, load));
}
// Parts asked for so far, by either route; a bundle is used only when none of its parts was.
const __asked = new Set();
const __fromBundle = new Map();
function __part(file) {
    __asked.add(file);
    const bytes = __fromBundle.get(file);
    if (bytes === undefined) return fetch(new URL("./" + file, import.meta.url));
    __fromBundle.delete(file);
    return bytes.then((b) => {
        if (b === undefined) throw new Error(file + " is missing from its bundle");
        return new Response(b, { headers: { "Content-Type": "application/wasm" } });
    });
}
function __unpack(buffer) {
    const view = new DataView(buffer);
    const text = new TextDecoder();
    const files = new Map();
    for (let at = 0; at < buffer.byteLength;) {
        const nameLength = view.getUint32(at, true);
        const name = text.decode(new Uint8Array(buffer, at + 4, nameLength));
        at += 4 + nameLength;
        const size = view.getUint32(at, true);
        files.set(name, buffer.slice(at + 4, at + 4 + size));
        at += 4 + size;
    }
    return files;
}
function __bundled(wanted, page, load) {
    return () => {
        if (wanted.every((file) => !__asked.has(file))) {
            const bundle = fetch(new URL("./bundle_" + page + ".bin", import.meta.url))
                .then((r) => (r.ok ? r.arrayBuffer() : Promise.reject(new Error("bundle_" + page + ".bin: HTTP " + r.status))))
                .then(__unpack);
            bundle.catch(() => {});
            for (const file of wanted) __fromBundle.set(file, bundle.then((files) => files.get(file)));
        }
        return load();
    };
}
`;
loader = wasmSplitRuntime + runtime + exportsJs.join('\n') + '\n';
writeFileSync(loaderPath, loader);
console.log(`bundle-chunks: ${Object.keys(parts).length} page bundles in ${dir}`);
