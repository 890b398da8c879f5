#!/usr/bin/env node
// @ts-check
// Builds the loader of an embeddable bundle directory from www/embed/k12-export.js, with the
// widget's stylesheet built in (minified; adopted by every shadow root, so the button is styled
// at its first paint and no separate stylesheet request is needed):
//
//   k12-export.js          the ES module (import { mount } from …/k12-export.js; what bundlers
//                          read in the npm package)
//   k12-export-classic.js  the same as a classic script (window.k12export), for hosts that serve
//                          the bundle from another origin without CORS headers: a module script
//                          would not run at all there, this one draws the button and explains
//   k12-export.css         the stylesheet alone, for Yew applications and old browsers
//
//   node scripts/build-loader.mjs OUT_DIR K12_RUNTIME ALL_RUNTIME
//
// K12_RUNTIME and ALL_RUNTIME are the names of the runtime for K12 buttons and of the runtime
// with every backend in OUT_DIR: NAME.js (the glue) and NAME_bg.wasm. The version is Cargo.toml's
// `[workspace.package] version`. As a module, `buildLoader()` also takes the integrity of each
// runtime file, which the classic script of the CDN build checks (scripts/build-package.mjs).
import { build, transform } from 'esbuild';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The release: `[workspace.package] version` of Cargo.toml, the one place it is written. */
export function cargoVersion() {
  const toml = readFileSync(join(root, 'Cargo.toml'), 'utf8');
  const m = toml.match(/^\[workspace\.package\][^[]*?^version\s*=\s*"([^"]+)"/m);
  if (!m) throw new Error('Cargo.toml: no version in [workspace.package]');
  return m[1];
}

/**
 * The loader's source with the runtime files named as in the directory it is built for: the
 * glue `./runtime_k12.js` and wasm `./runtime_k12_bg.wasm` (and `runtime_all`) become `./K12.js`
 * and `./K12_bg.wasm` (`ALL`).
 * @param {string} k12
 * @param {string} all
 */
function source(k12, all) {
  const text = readFileSync(join(root, 'www/embed/k12-export.js'), 'utf8');
  let n = 0;
  const named = text.replace(/'\.\/(runtime_(?:k12|all))(\.js|_bg\.wasm)'/g, (_, base, ext) => {
    n++;
    return `'./${base === 'runtime_k12' ? k12 : all}${ext}'`;
  });
  if (n !== 4) throw new Error(`www/embed/k12-export.js: expected the 4 runtime file names (2 glue, 2 wasm), found ${n}`);
  return named;
}

/**
 * The classic script's prelude (source text): its own address, and its `import()` of a runtime's glue — with
 * `integrity` (the CDN build), through a `<link rel=modulepreload integrity>`, whose checked
 * module the import then uses (where a browser has no modulepreload, a fetch with integrity
 * first).
 * @param {Record<string, string> | null} integrity
 */
function classicPrelude(integrity) {
  const js = integrity
    ? `const K12X_SRC = document.currentScript.src, K12X_IMPORT = (p) => {
  const u = new URL(p, K12X_SRC).href, integrity = ${JSON.stringify(integrity)}[p.slice(2)], l = document.createElement('link');
  if (!l.relList.supports('modulepreload')) return fetch(u, { integrity }).then(() => import(u));
  l.rel = 'modulepreload';
  l.integrity = integrity;
  l.href = u;
  return new Promise((ok, no) => {
    l.onload = () => ok(import(u));
    l.onerror = () => no(new Error(u + ' failed its integrity check, or to load'));
    document.head.append(l);
  }).finally(() => l.remove());
};`
    : 'const K12X_SRC = document.currentScript.src, K12X_IMPORT = (p) => import(new URL(p, K12X_SRC).href);';
  return js;
}

/**
 * Builds the loader into `out`.
 * @param {{ out: string, k12: string, all: string, version?: string, integrity?: Record<string, string> | null }} o
 *   `integrity`: the CDN build's sha384 of each runtime file, by file name, which the classic
 *   script checks (the module is for bundlers, which rewrite the glue, and for the page's own
 *   server).
 */
export async function buildLoader({ out, k12, all, version = cargoVersion(), integrity = null }) {
  const sheet = readFileSync(join(root, 'www/k12-export.css'), 'utf8');
  const minify = async (/** @type {string} */ text) => (await transform(text, { loader: 'css', minify: true })).code.trim();
  writeFileSync(join(out, 'k12-export.css'), await minify(sheet));
  // Built into the loader: all but the export history panel's part (which the panel's shadow root
  // takes from k12-export.css).
  const cut = sheet.indexOf('/* ---- the export history panel');
  if (cut < 0) throw new Error('www/k12-export.css: the history panel section is missing');
  const define = {
    K12X_CSS: JSON.stringify(await minify(sheet.slice(0, cut))),
    K12X_VERSION: JSON.stringify(version),
    K12X_SRI: 'null',
  };
  /** @param {string} contents @param {import('esbuild').BuildOptions} more */
  const one = async (contents, more) => {
    const [file] = (await build({
      stdin: { contents, sourcefile: 'k12-export.js', loader: 'js' },
      bundle: false,
      minify: true,
      target: 'es2022',
      logLevel: 'warning',
      charset: 'utf8',
      format: 'esm',
      write: false,
      define,
      // The widget box's own members (no page sees them) get one-letter names.
      mangleProps: /^(frame|pending|taken|placeholder|theme|take|fail|host)$/,
      ...more,
    })).outputFiles ?? [];
    if (!file) throw new Error('build-loader: esbuild wrote nothing');
    return file.text;
  };
  const js = source(k12, all);
  writeFileSync(join(out, 'k12-export.js'), await one(js, {}));
  // The classic script imports the glue relative to its own address, whatever the page's base;
  // its prelude is inside the script's function, so that each copy keeps its own address. Its
  // exports become window.k12export.
  const classic = await one(`${classicPrelude(integrity)}\n${js.replace(/\bimport\('\.\//g, "K12X_IMPORT('./")}`, {
    define: { ...define, K12X_SRI: JSON.stringify(integrity), 'import.meta.url': 'K12X_SRC' },
  });
  const exports = classic.match(/export\s*\{([^}]*)\};?\s*$/);
  if (!exports) throw new Error('build-loader: no export list at the end of the classic build');
  const members = exports[1].split(',').map((e) => e.trim().split(/\s+as\s+/)).map(([local, name = local]) => `${name}:${local}`);
  writeFileSync(join(out, 'k12-export-classic.js'), `var k12export=(()=>{${classic.slice(0, exports.index)}return{${members}}})();\n`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [out, k12, all] = process.argv.slice(2);
  if (!all) {
    console.error('usage: build-loader.mjs OUT_DIR K12_RUNTIME ALL_RUNTIME');
    process.exit(2);
  }
  await buildLoader({ out, k12, all });
}
