#!/usr/bin/env node
// Precompresses a built directory for serving: beside every .js, .wasm, .css, .html, .svg and
// .json file, a .br (brotli, quality 11) and a .gz (gzip -9), unless compressing does not pay.
// Servers pick the one the browser accepts (Accept-Encoding) without compressing per request.
//
//   node scripts/compress.mjs DIR...
import { brotliCompressSync, gzipSync, constants } from 'node:zlib';
import { readdirSync, readFileSync, statSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const TYPES = /\.(js|mjs|wasm|css|html|svg|json)$/;

/** @param {string} dir */
function walk(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (TYPES.test(name)) compress(path);
  }
}

/** @param {string} path */
function compress(path) {
  const raw = readFileSync(path);
  const br = brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: raw.length } });
  const gz = gzipSync(raw, { level: 9 });
  for (const [ext, data] of /** @type {[string, Buffer][]} */ ([['.br', br], ['.gz', gz]])) {
    if (data.length < raw.length * 0.95) writeFileSync(path + ext, data);
    else rmSync(path + ext, { force: true });
  }
}

for (const dir of process.argv.slice(2)) walk(dir);
