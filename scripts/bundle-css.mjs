// Joins the stylesheets trunk copied (one per `<link data-trunk rel="css">` in index.html, in
// their order) into one file, and points index.html at it with its Subresource Integrity.
// Five small files compress worse than one (5.2 KiB brotli against 4.0) and cost four more
// requests on every first load. Run by scripts/split-wasm.sh.
//
// Usage: node scripts/bundle-css.mjs <staging dir>

import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2];
if (!dir) throw new Error('usage: bundle-css.mjs <staging dir>');
const htmlPath = join(dir, 'index.html');
let html = readFileSync(htmlPath, 'utf8');

const link = /<link rel="stylesheet" href="\/([\w.-]+\.css)"[^>]*\/?>\s*/g;
const files = [...html.matchAll(link)].map((m) => m[1]);
if (files.length < 2) process.exit(0);

// Comments and layout whitespace dropped: what stays is what the browser reads. (Our
// stylesheets put no comma, colon or brace inside a quoted string, which this relies on.)
const css = Buffer.from(
  files
    .map((f) => readFileSync(join(dir, f), 'utf8'))
    .join('\n')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\s+/g, ' ')
    .replace(/\s*([{};,])\s*/g, '$1')
    .replace(/:\s+/g, ':')
    .trim(),
);
const name = `style-${createHash('sha256').update(css).digest('hex').slice(0, 16)}.css`;
writeFileSync(join(dir, name), css);
for (const f of files) unlinkSync(join(dir, f));

const sri = `sha384-${createHash('sha384').update(css).digest('base64')}`;
let first = true;
html = html.replace(link, () => {
  if (!first) return '';
  first = false;
  return `<link rel="stylesheet" href="/${name}" integrity="${sri}"/>\n    `;
});
writeFileSync(htmlPath, html);
console.log(`bundle-css: ${files.length} stylesheets in ${name}`);
