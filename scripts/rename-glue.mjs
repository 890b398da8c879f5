#!/usr/bin/env node
// After `wasm-opt --minify-imports-and-exports-and-modules`: renames the wasm's imports and
// exports in wasm-bindgen's JS glue to match. The long import names (`__wbg_setAttribute_<hash>`,
// each under the module "./k12_export_bg.js") become one or two letters, in the wasm and in the
// glue alike.
//
//   node scripts/rename-glue.mjs BEFORE.wasm AFTER.wasm GLUE.js
//
// The mapping is read from the two modules themselves: wasm-opt keeps the order of imports and
// exports, so entry i of one is entry i of the other. Fails (and changes nothing) if the glue does
// not have the shape this expects.
import { readFileSync, writeFileSync } from 'node:fs';

const [beforePath, afterPath, gluePath] = process.argv.slice(2);
if (!gluePath) {
  console.error('usage: rename-glue.mjs BEFORE.wasm AFTER.wasm GLUE.js');
  process.exit(2);
}
const load = (p) => new WebAssembly.Module(readFileSync(p));
const before = load(beforePath);
const after = load(afterPath);
const importsBefore = WebAssembly.Module.imports(before);
const importsAfter = WebAssembly.Module.imports(after);
const exportsBefore = WebAssembly.Module.exports(before);
const exportsAfter = WebAssembly.Module.exports(after);

function fail(why) {
  console.error(`rename-glue: ${why}`);
  process.exit(1);
}
if (importsBefore.length !== importsAfter.length || exportsBefore.length !== exportsAfter.length) {
  fail('the two modules do not have the same imports and exports');
}
const escape = (s) => s.replace(/[$]/g, '\\$');
const ident = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
let glue = readFileSync(gluePath, 'utf8');

// Imports: the keys of the import objects, then the module names they are returned under. An
// import the wasm takes straight from one of the crate's JS modules (a wasm-bindgen snippet, for a
// function whose arguments need no glue) joins the glue's own import object under its new name,
// and the snippet's namespace leaves the imports (wasm-opt gives every module the same new name).
const modules = new Map();
const direct = [];
for (let i = 0; i < importsBefore.length; i++) {
  const b = importsBefore[i];
  const a = importsAfter[i];
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
for (let i = 0; i < exportsBefore.length; i++) {
  const b = exportsBefore[i].name;
  const a = exportsAfter[i].name;
  if (!ident.test(a)) fail(`export ${b} was renamed to ${a}, not an identifier`);
  glue = glue.replace(new RegExp(`(?<![\\w$.])wasm\\.${escape(b)}(?![\\w$])`, 'g'), `wasm.${a}`);
}
const stale = [...glue.matchAll(/(?<![\w$.])wasm\.([\w$]+)/g)].map((m) => m[1]).filter((n) => !exportsAfter.some((e) => e.name === n));
if (stale.length) fail(`the glue still uses exports that are gone: ${[...new Set(stale)].join(', ')}`);

writeFileSync(gluePath, glue);
console.log(`rename-glue: ${importsBefore.length} imports, ${modules.size} module(s), ${exportsBefore.length} exports renamed`);
