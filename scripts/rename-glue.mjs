#!/usr/bin/env node
// After `wasm-opt --minify-imports-and-exports-and-modules`: renames the wasm's imports and
// exports in wasm-bindgen's JS glue to match. The long import names (`__wbg_setAttribute_<hash>`,
// each under the module "./k12_export_bg.js") become one or two letters, in the wasm and in the
// glue alike.
//
//   node scripts/rename-glue.mjs MAP.json AFTER.wasm GLUE.js
//
// MAP.json is what wasm-opt printed for that pass: {"imports": [[module, name, new name], ...],
// "exports": [[name, new name], ...]}, once per run of the pass. The mapping goes by name, so passes that reorder functions
// (imports included) do not matter; every entry is checked against the minified module. Fails (and
// changes nothing) if the map, the module or the glue does not have the shape this expects.
import { readFileSync, writeFileSync } from 'node:fs';

const [mapPath, afterPath, gluePath] = process.argv.slice(2);
if (!gluePath) {
  console.error('usage: rename-glue.mjs MAP.json AFTER.wasm GLUE.js');
  process.exit(2);
}
function fail(why) {
  console.error(`rename-glue: ${why}`);
  process.exit(1);
}
let map;
try {
  // wasm-opt prints a map each time the pass runs (--converge runs the passes again): the first
  // maps the original names, each next one the names of the one before. Composed into one.
  const maps = readFileSync(mapPath, 'utf8').split(/\n(?=\{)/).filter((t) => t.trim()).map((t) => JSON.parse(t));
  map = maps.shift();
  // Entry `at` of each of `entries` (the current name) becomes its name in `table`.
  const rename = (what, entries, at, table) => {
    for (const e of entries) {
      if (!table.has(e[at])) fail(`${mapPath}: ${what} ${e[at]} is missing from a later map`);
      e[at] = table.get(e[at]);
    }
  };
  for (const next of maps) {
    const imports = new Map(next.imports.map(([, name, renamed]) => [name, renamed]));
    if (imports.size !== next.imports.length) fail(`${mapPath}: a later map renames one import name twice`);
    rename('import', map.imports, 2, imports);
    rename('export', map.exports, 1, new Map(next.exports));
  }
} catch (e) {
  fail(`${mapPath}: not the map wasm-opt prints (${e.message})`);
}
if (!Array.isArray(map?.imports) || !Array.isArray(map?.exports)) fail(`${mapPath}: no "imports" and "exports" lists`);
const after = new WebAssembly.Module(readFileSync(afterPath));
const importsAfter = WebAssembly.Module.imports(after);
const exportsAfter = WebAssembly.Module.exports(after);

// Every import and export of the minified module is in the map exactly once, and nothing else is.
function oneToOne(what, names, present) {
  const seen = new Set();
  for (const renamed of names) {
    if (seen.has(renamed)) fail(`${what} ${renamed}: twice in the map`);
    seen.add(renamed);
    if (!present.has(renamed)) fail(`${what} ${renamed}: in the map, not in the module`);
  }
  if (seen.size !== present.size) fail(`${what}s: the map has ${seen.size}, the module ${present.size}`);
}
// The new module name of each import, by its new name.
const moduleOf = new Map(importsAfter.map((i) => [i.name, i.module]));
if (moduleOf.size !== importsAfter.length) fail('two imports of the minified module have the same name');
oneToOne('import', map.imports.map((i) => i[2]), moduleOf);
oneToOne('export', map.exports.map((e) => e[1]), new Set(exportsAfter.map((e) => e.name)));
const importsBefore = map.imports.map(([module, name, renamed]) => ({ module, name, renamed }));
const exportsBefore = map.exports;
const escape = (s) => s.replace(/[$]/g, '\\$');
const ident = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
let glue = readFileSync(gluePath, 'utf8');

// Imports: the keys of the import objects, then the module names they are returned under. An
// import the wasm takes straight from one of the crate's JS modules (a wasm-bindgen snippet, for a
// function whose arguments need no glue) joins the glue's own import object under its new name,
// and the snippet's namespace leaves the imports (wasm-opt gives every module the same new name).
const modules = new Map();
const direct = [];
for (const b of importsBefore) {
  const a = { name: b.renamed, module: moduleOf.get(b.renamed) };
  const namespace = glue.match(new RegExp(`\n\\s+${escape(JSON.stringify(b.module))}: (import\\d+),`));
  if (b.module.startsWith('./snippets/') && namespace) {
    if (!ident.test(b.name)) fail(`import ${b.name} of ${b.module} is not an identifier`);
    direct.push([a.name, `${namespace[1]}.${b.name}`, namespace[0]]);
    continue;
  }
  if (modules.has(b.module) && modules.get(b.module) !== a.module) fail(`module ${b.module} renamed twice`);
  modules.set(b.module, a.module);
  const key = new RegExp(`(?<=\\n\\s+)${escape(b.name)}(?=: function\\()`, 'g');
  const found = glue.match(key)?.length ?? 0;
  if (found !== 1) fail(`import ${b.name}: found ${found} definitions in the glue, expected 1`);
  glue = glue.replace(key, JSON.stringify(a.name));
}
if (direct.length) {
  const head = 'const import0 = {\n        __proto__: null,\n';
  if (!glue.includes(head)) fail('the glue has no import object to add the direct imports to');
  glue = glue.replace(head, head + direct.map(([name, from]) => `        ${JSON.stringify(name)}: ${from},\n`).join(''));
  for (const entry of new Set(direct.map((d) => d[2]))) glue = glue.replace(entry, '');
}
for (const [b, a] of modules) {
  const key = `${JSON.stringify(b)}: `;
  if (!glue.includes(key)) fail(`module ${b} not found in the glue`);
  glue = glue.replaceAll(key, `${JSON.stringify(a)}: `);
}

// Exports: every `wasm.name`.
for (const [b, a] of exportsBefore) {
  if (!ident.test(a)) fail(`export ${b} was renamed to ${a}, not an identifier`);
  glue = glue.replace(new RegExp(`(?<![\\w$.])wasm\\.${escape(b)}(?![\\w$])`, 'g'), `wasm.${a}`);
}
const stale = [...glue.matchAll(/(?<![\w$.])wasm\.([\w$]+)/g)].map((m) => m[1]).filter((n) => !exportsAfter.some((e) => e.name === n));
if (stale.length) fail(`the glue still uses exports that are gone: ${[...new Set(stale)].join(', ')}`);

writeFileSync(gluePath, glue);
console.log(`rename-glue: ${importsBefore.length} imports, ${modules.size} module(s), ${exportsBefore.length} exports renamed`);
