#!/usr/bin/env node
// Builds the loader of an embeddable bundle directory from www/embed/k12-export.js, with the
// widget's stylesheet built in (minified; adopted by every shadow root, so the button is styled
// at its first paint and no separate stylesheet request is needed):
//
//   k12-export.js          the ES module (import { mount } from …/k12-export.js)
//   k12-export-classic.js  the same as a classic script (window.k12export), for hosts that serve
//                          the bundle from another origin without CORS headers: a module script
//                          would not run at all there, this one draws the button and explains
//   k12-export.css         the stylesheet alone, for Yew applications and old browsers
//
//   node scripts/build-loader.mjs OUT_DIR K12_RUNTIME ALL_RUNTIME
//
// K12_RUNTIME and ALL_RUNTIME are the file names (without .js) of the runtime for K12 buttons and
// of the runtime with every backend, in OUT_DIR; the K12 one is loaded at once.
import { build, transform } from 'esbuild';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [out, k12, all] = process.argv.slice(2);
if (!all) {
  console.error('usage: build-loader.mjs OUT_DIR K12_RUNTIME ALL_RUNTIME');
  process.exit(2);
}
const root = new URL('..', import.meta.url).pathname;
const source = readFileSync(join(root, 'www/k12-export.css'), 'utf8');
const minify = async (text) => (await transform(text, { loader: 'css', minify: true })).code.trim();
const css = await minify(source);
writeFileSync(join(out, 'k12-export.css'), css);
// Built into the loader: all but the export history panel's part (which the panel's shadow root
// takes from k12-export.css).
const cut = source.indexOf('/* ---- the export history panel');
if (cut < 0) throw new Error('www/k12-export.css: the history panel section is missing');
const buttonCss = await minify(source.slice(0, cut));
const common = {
  entryPoints: [join(root, 'www/embed/k12-export.js')],
  bundle: false,
  minify: true,
  target: 'es2022',
  logLevel: 'warning',
  charset: 'utf8',
  define: { K12X_CSS: JSON.stringify(buttonCss), K12X_RUNTIMES: JSON.stringify([k12, all]) },
};
await build({ ...common, format: 'esm', outfile: join(out, 'k12-export.js') });
await build({
  ...common,
  format: 'iife',
  globalName: 'k12export',
  outfile: join(out, 'k12-export-classic.js'),
  banner: { js: 'var K12X_SRC=document.currentScript.src;' },
  define: { ...common.define, 'import.meta.url': 'K12X_SRC' },
});
