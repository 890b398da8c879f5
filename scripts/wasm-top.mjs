#!/usr/bin/env node
// Where the bytes of a wasm module go: section sizes, the largest functions and the code size per
// crate (from the name section, so run it on a module that still has one: the output of
// wasm-bindgen before wasm-opt, or any module built with names kept).
//
//   node scripts/wasm-top.mjs target/size/runtime_k12.wasm [top=40] [filter]
//
// Sizes are of the function bodies as they are; wasm-opt shrinks them all, roughly evenly.
import { readWasm } from './wasm-names.mjs';

const [file, topArg = '40', filter] = process.argv.slice(2);
if (!file) {
  console.error('usage: wasm-top.mjs FILE.wasm [top] [name filter]');
  process.exit(2);
}
const { size, sections, functions: funcs, dataBytes } = readWasm(file);

/** @param {number} n */
const fmt = (n) => String(n).padStart(9);
console.log(`${file}: ${size} bytes`);
console.log('\nsections');
for (const [label, size] of sections.sort((a, b) => b[1] - a[1])) console.log(`${fmt(size)}  ${label}`);

const shown = filter ? funcs.filter((f) => f.name.includes(filter)) : funcs;
const top = Number(topArg);
console.log(`\nlargest functions${filter ? ` matching ${filter}` : ''} (${shown.length} of ${funcs.length}, ${shown.reduce((a, f) => a + f.size, 0)} bytes)`);
for (const f of [...shown].sort((a, b) => b.size - a.size).slice(0, top)) console.log(`${fmt(f.size)}  ${f.name.slice(0, 160)}`);

// Per crate: the first path segment of the (demangled) name; generic instances count where
// their impl block lives, e.g. `<yew::..>` under yew.
/** @param {string} n */
function crateOf(n) {
  let s = n.replace(/^_ZN/, '');
  s = s.replace(/^<+/, '').replace(/^(&|dyn |impl |\*const |\*mut )+/, '');
  const m = s.match(/^[A-Za-z_][A-Za-z0-9_]*/);
  return m ? m[0] : n.slice(0, 20);
}
const byCrate = new Map();
for (const f of funcs) {
  const c = crateOf(f.name);
  const e = byCrate.get(c) ?? { size: 0, n: 0 };
  e.size += f.size;
  e.n += 1;
  byCrate.set(c, e);
}
console.log('\ncode per crate (by name prefix)');
for (const [c, e] of [...byCrate].sort((a, b) => b[1].size - a[1].size).slice(0, 30)) console.log(`${fmt(e.size)}  ${String(e.n).padStart(5)} fns  ${c}`);
console.log(`\ndata section: ${dataBytes} bytes`);
