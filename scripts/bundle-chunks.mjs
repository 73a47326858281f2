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
if (loader.includes('__bundleParts')) throw new Error(`${loaderPath} is bundled already`);

// `const __chunk_4 = makeLoad(() => { const src = fetch(new URL("./chunk_4.wasm", …` → file.
const chunkFile = new Map();
for (const m of loader.matchAll(/const (__chunk_\d+) = makeLoad\(\(\) => \{\s*const src = fetch\(new URL\("\.\/([\w.]+\.wasm)"/g)) {
  chunkFile.set(m[1], m[2]);
}

// `export const __wasm_split_load_<page> = wrapAsyncCb(makeLoad(… "./split_<page>.wasm" …, [deps]));`
const parts = {};
const pageLoad = /export const __wasm_split_load_(\w+) = wrapAsyncCb\(makeLoad\(([\s\S]*?)\]\)\);/g;
loader = loader.replace(pageLoad, (whole, page, body) => {
  // A part of a page (a dialog, `lazy_part!`) opens after its page: its chunks are mostly
  // loaded by then, so it is fetched chunk by chunk as wasm-split made it.
  if (!page.endsWith('_page')) return whole;
  const own = body.match(/new URL\("\.\/([\w.]+\.wasm)"/)[1];
  const deps = body.slice(body.lastIndexOf('[') + 1).split(',').map((d) => d.trim()).filter(Boolean);
  parts[page] = [own, ...deps.map((d) => {
    if (!chunkFile.has(d)) throw new Error(`${page}: no file for ${d}`);
    return chunkFile.get(d);
  })];
  return `export const __wasm_split_load_${page} = wrapAsyncCb(__bundled("${page}", makeLoad(${body}])));`;
});
if (Object.keys(parts).length === 0) throw new Error(`${loaderPath}: no lazy pages found`);

// Every fetch of a wasm part goes through `__part`, which takes it from a bundle when one holds it.
const fetches = loader.match(/fetch\(new URL\("\.\/([\w.]+\.wasm)", import\.meta\.url\)\)/g) ?? [];
loader = loader.replace(/fetch\(new URL\("\.\/([\w.]+\.wasm)", import\.meta\.url\)\)/g, '__part("$1")');
const loads = [...loader.matchAll(/export const __wasm_split_load_\w+ = /g)].length;
if (fetches.length !== chunkFile.size + loads) {
  throw new Error(`${loaderPath}: expected a fetch per chunk and page, found ${fetches.length}`);
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
// Added by scripts/bundle-chunks.mjs: the first page a tab opens fetches its chunks as one file.
const __bundleParts = ${JSON.stringify(parts)};
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
function __bundled(page, load) {
    return () => {
        const wanted = __bundleParts[page];
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
// After the imports (the first line), before the first loader.
const firstNewline = loader.indexOf('\n');
loader = loader.slice(0, firstNewline + 1) + runtime + loader.slice(firstNewline + 1);
writeFileSync(loaderPath, loader);
console.log(`bundle-chunks: ${Object.keys(parts).length} page bundles in ${dir}`);
