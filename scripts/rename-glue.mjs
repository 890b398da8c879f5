#!/usr/bin/env node
// After `wasm-opt --minify-imports-and-exports-and-modules`: renames the wasm's imports and
// exports in wasm-bindgen's JS glue to match. The long import names (`__wbg_setAttribute_<hash>`,
// each under the module "./runtime_k12_bg.js") become one or two letters, in the wasm and in the
// glue alike.
//
//   node scripts/rename-glue.mjs MAP.json AFTER.wasm GLUE.js
//
// MAP.json is what wasm-opt printed for that pass (scripts/names-map.mjs). The mapping goes by
// name, so passes that reorder functions (imports included) do not matter; every entry is checked
// against the minified module. Fails (and
// changes nothing) if the map, the module or the glue does not have the shape this expects.
import { readFileSync, writeFileSync } from 'node:fs';
import { composeNamesMap } from './names-map.mjs';

const [mapPath, afterPath, gluePath] = process.argv.slice(2);
if (!gluePath) {
  console.error('usage: rename-glue.mjs MAP.json AFTER.wasm GLUE.js');
  process.exit(2);
}
/** @param {string} why @returns {never} */
function fail(why) {
  console.error(`rename-glue: ${why}`);
  process.exit(1);
}
/** @type {import('./names-map.mjs').NamesMap} */
let map;
try {
  map = composeNamesMap(readFileSync(mapPath, 'utf8'));
} catch (e) {
  if (!(e instanceof Error)) throw e;
  fail(`${mapPath}: not the map wasm-opt prints (${e.message})`);
}
const after = new WebAssembly.Module(readFileSync(afterPath));
const importsAfter = WebAssembly.Module.imports(after);
const exportsAfter = WebAssembly.Module.exports(after);

/** @param {string} s */
const escape = (s) => s.replace(/[$]/g, '\\$');
// (Every replacement below is a function: in a replacement string `$$`, `$&`… are patterns, and a
// minified name may hold `$`.)
const ident = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
let glue = readFileSync(gluePath, 'utf8');

// Every import and export of the minified module is in the map exactly once, and nothing else is.
// `entries` are [original name, new name]; `inGlue` the names the glue has for that kind, to name
// what the map lacks.
/**
 * @param {string} what
 * @param {[string, string][]} entries
 * @param {Map<string, string> | Set<string>} present
 * @param {string[]} inGlue
 */
function oneToOne(what, entries, present, inGlue) {
  const seen = new Set();
  for (const [original, renamed] of entries) {
    if (seen.has(renamed)) fail(`${what} ${original}: its new name ${renamed} is twice in the map`);
    seen.add(renamed);
    if (!present.has(renamed)) fail(`${what} ${original} (renamed ${renamed}): in the map, not in the minified module`);
  }
  const missing = [...present.keys()].filter((n) => !seen.has(n));
  if (missing.length) {
    const known = new Set(entries.map((e) => e[0]));
    const unmapped = [...new Set(inGlue)].filter((n) => !known.has(n));
    fail(`${what} ${missing.join(', ')} of the minified module: not in the map`
      + (unmapped.length ? ` (the glue's ${unmapped.join(', ')} is not either)` : ''));
  }
}
// The new module name of each import, by its new name.
const moduleOf = new Map(importsAfter.map((i) => [i.name, i.module]));
if (moduleOf.size !== importsAfter.length) fail('two imports of the minified module have the same name');
// The glue's import functions (`name: function(` in its import object) and the exports it uses
// (`wasm.name`).
const importObject = glue.match(/\n\s+const import0 = \{\n[^]*?\n\s+\};\n\s+return \{/)?.[0] ?? '';
const glueImports = [...importObject.matchAll(/\n\s+([A-Za-z_$][\w$]*)(?=: function\()/g)].map((m) => m[1]);
const glueExports = [...glue.matchAll(/(?<![\w$.])wasm\.([\w$]+)/g)].map((m) => m[1]);
oneToOne('import', map.imports.map(([, name, renamed]) => [name, renamed]), moduleOf, glueImports);
oneToOne('export', map.exports, new Set(exportsAfter.map((e) => e.name)), glueExports);
const importsBefore = map.imports.map(([module, name, renamed]) => ({ module, name, renamed }));
const exportsBefore = map.exports;

// Imports: the keys of the import objects, then the module names they are returned under. An
// import the wasm takes straight from one of the crate's JS modules (a wasm-bindgen snippet, for a
// function whose arguments need no glue) joins the glue's own import object under its new name,
// and the snippet's namespace leaves the imports (wasm-opt gives every module the same new name).
/** @type {Map<string, string | undefined>} */
const modules = new Map();
/** @type {[string, string, string][]} */
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
  glue = glue.replace(key, () => JSON.stringify(a.name));
}
if (direct.length) {
  const head = 'const import0 = {\n        __proto__: null,\n';
  if (!glue.includes(head)) fail('the glue has no import object to add the direct imports to');
  glue = glue.replace(head, () => head + direct.map(([name, from]) => `        ${JSON.stringify(name)}: ${from},\n`).join(''));
  for (const entry of new Set(direct.map((d) => d[2]))) glue = glue.replace(entry, '');
}
for (const [b, a] of modules) {
  const key = `${JSON.stringify(b)}: `;
  if (!glue.includes(key)) fail(`module ${b} not found in the glue`);
  glue = glue.replaceAll(key, () => `${JSON.stringify(a)}: `);
}

// Exports: every `wasm.name`.
for (const [b, a] of exportsBefore) {
  if (!ident.test(a)) fail(`export ${b} was renamed to ${a}, not an identifier`);
  glue = glue.replace(new RegExp(`(?<![\\w$.])wasm\\.${escape(b)}(?![\\w$])`, 'g'), () => `wasm.${a}`);
}
const stale = [...glue.matchAll(/(?<![\w$.])wasm\.([\w$]+)/g)].map((m) => m[1]).filter((n) => !exportsAfter.some((e) => e.name === n));
if (stale.length) fail(`the glue still uses exports that are gone: ${[...new Set(stale)].join(', ')}`);

writeFileSync(gluePath, glue);
console.log(`rename-glue: ${importsBefore.length} imports, ${modules.size} module(s), ${exportsBefore.length} exports renamed`);
