// scripts/rename-glue.mjs on a small glue in wasm-bindgen's shape (an import object, a snippet
// imported straight into the wasm, `wasm.name` uses) and the names map wasm-opt prints for it
// (three maps, as `--converge` prints them, the second renaming again): the renamed glue is the
// fixture with exactly the expected lines renamed (and nothing else changed), and a map entry dropped or added, or a name the glue does not have, fails the
// script with a message naming it and leaves the glue as it was.
//
//   node --test scripts/tests/
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { composeNamesMap } from '../names-map.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const FIXTURE = join(here, 'fixtures/rename-glue');
const SCRIPT = join(here, '../rename-glue.mjs');
const GLUE = readFileSync(join(FIXTURE, 'glue.js'), 'utf8');
const MAP = readFileSync(join(FIXTURE, 'names.json'), 'utf8');

/**
 * What the script changes in the fixture's glue, line by line (every other line stays as it is):
 * the uses of the exports, the imports' keys by their new names (the snippet's import `place`,
 * which the glue hands to the wasm as it is, added by its new name), the one module's name.
 * @type {[string, string][]}
 */
const RENAMED = [
  ['    const ret = wasm.mount(element, options);', '    const ret = wasm.$(element, options);'],
  ['        __wbg_Error_208446807d0d1e30: function(arg0, arg1) {', '        "c": import1.place,\n        "b": function(arg0, arg1) {'],
  ['        __wbg_closeOn_b9cb772ef0fb26d9: function(arg0, arg1, arg2) {', '        "a": function(arg0, arg1, arg2) {'],
  ['        __wbindgen_init_externref_table: function() {', '        "d": function() {'],
  ['            const table = wasm.__wbindgen_externrefs;', '            const table = wasm.f;'],
  ['        "./runtime_k12_bg.js": import0,\n        "./snippets/k12-export-5967c0da949316d2/src/components/popover.js": import1,', '        "a": import0,'],
  ['        cachedUint8ArrayMemory0 = new Uint8Array(wasm.memory.buffer);', '        cachedUint8ArrayMemory0 = new Uint8Array(wasm.e.buffer);'],
  ['    const value = wasm.__wbindgen_externrefs.get(idx);', '    const value = wasm.f.get(idx);'],
  ['    wasm.__externref_table_dealloc(idx);', '    wasm.g(idx);'],
  ['    wasm.__wbindgen_start();', '    wasm.$$();'],
];

/** The fixture's glue with the `RENAMED` lines renamed; each is there once. */
function expectedGlue() {
  let out = GLUE;
  for (const [from, to] of RENAMED) {
    assert.equal(out.split(`\n${from}\n`).length, 2, `the fixture has ${from} once`);
    out = out.replace(`\n${from}\n`, () => `\n${to}\n`);
  }
  return out;
}

/**
 * A wasm module importing functions `imports` ([module, name]) and exporting functions `exports`.
 * @param {[string, string][]} imports
 * @param {string[]} exports
 */
function wasmModule(imports, exports) {
  /** @param {number} n */
  const leb = (n) => {
    const out = [];
    do {
      let b = n & 0x7f;
      n >>>= 7;
      if (n) b |= 0x80;
      out.push(b);
    } while (n);
    return out;
  };
  /** @param {string} s */
  const str = (s) => {
    const b = [...Buffer.from(s, 'utf8')];
    return [...leb(b.length), ...b];
  };
  /** @param {number[][]} items */
  const vec = (items) => [...leb(items.length), ...items.flat()];
  /** @param {number} id @param {number[]} body */
  const section = (id, body) => [id, ...leb(body.length), ...body];
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([[0x60, 0, 0]])), // one type: () -> ()
    ...section(2, vec(imports.map(([m, n]) => [...str(m), ...str(n), 0x00, 0]))),
    ...section(3, vec(exports.map(() => [0]))),
    ...section(7, vec(exports.map((n, i) => [...str(n), 0x00, ...leb(imports.length + i)]))),
    ...section(10, vec(exports.map(() => [2, 0, 0x0b]))), // empty bodies
  ]);
}

// The module wasm-opt made: every import under the one new module name "a", every name minified
// as the (whole, correct) map says.
const final = composeNamesMap(MAP);
const AFTER = wasmModule(final.imports.map((i) => ['a', i[2]]), final.exports.map((e) => e[1]));

/**
 * Runs the script on `map` and `glue`: its exit code, what it printed, the glue after and as given.
 * @param {{ map?: string, glue?: string }} [inputs]
 */
function rename({ map = MAP, glue = GLUE } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'k12x-rename-glue-'));
  try {
    const paths = { map: join(dir, 'names.json'), wasm: join(dir, 'after.wasm'), glue: join(dir, 'glue.js') };
    writeFileSync(paths.map, map);
    writeFileSync(paths.wasm, AFTER);
    writeFileSync(paths.glue, glue);
    const r = spawnSync(process.execPath, [SCRIPT, paths.map, paths.wasm, paths.glue], { encoding: 'utf8' });
    return { code: r.status, out: r.stdout + r.stderr, glue: readFileSync(paths.glue, 'utf8'), given: glue };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `text` with `line` (a whole line, the first one that matches) taken out; it must be there.
 * @param {string} text
 * @param {string} line
 */
function without(text, line) {
  assert.ok(text.includes(`${line}\n`), `the fixture has ${line}`);
  return text.replace(`${line}\n`, '');
}

/**
 * `text` with `line` put in before `before` (the first one that matches).
 * @param {string} text
 * @param {string} before
 * @param {string} line
 */
function withLine(text, before, line) {
  assert.ok(text.includes(`${before}\n`), `the fixture has ${before}`);
  return text.replace(`${before}\n`, `${line}\n${before}\n`);
}

/**
 * The script fails, says `...parts`, and leaves the glue as it was.
 * @param {ReturnType<typeof rename>} r
 * @param {string[]} parts
 */
function fails(r, ...parts) {
  assert.equal(r.code, 1, `exit code 1, not ${r.code}: ${r.out}`);
  for (const p of parts) assert.ok(r.out.includes(p), `the message names ${p}: ${r.out}`);
  assert.equal(r.glue, r.given, 'the glue is unchanged');
}

test('the fixture module is what the map describes', () => {
  const m = new WebAssembly.Module(AFTER);
  assert.deepEqual(WebAssembly.Module.imports(m).map((i) => `${i.module}.${i.name}`), ['a.b', 'a.a', 'a.c', 'a.d']);
  assert.deepEqual(WebAssembly.Module.exports(m).map((e) => e.name), ['e', '$', 'f', 'g', '$$', '$a']);
});

test('the glue is renamed as expected', () => {
  const r = rename();
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /4 imports, 1 module\(s\), 6 exports renamed/);
  assert.equal(r.glue, expectedGlue());
});

test('the maps compose: the second renames again, the third keeps the names', () => {
  assert.deepEqual(final.imports.map((i) => [i[1], i[2]]), [
    ['__wbg_Error_208446807d0d1e30', 'b'],
    ['__wbg_closeOn_b9cb772ef0fb26d9', 'a'],
    ['place', 'c'],
    ['__wbindgen_init_externref_table', 'd'],
  ]);
  assert.deepEqual(final.exports.find((e) => e[0] === '__wbindgen_start'), ['__wbindgen_start', '$$']);
});

test('an import dropped from the map fails, naming it', () => {
  fails(rename({ map: without(MAP, '  ["./runtime_k12_bg.js", "__wbg_Error_208446807d0d1e30", "a"],') }),
    'import b of the minified module: not in the map', '__wbg_Error_208446807d0d1e30');
});

test('an export dropped from the map fails, naming it', () => {
  fails(rename({ map: without(MAP, '  ["__externref_table_dealloc", "g"],') }),
    'export g of the minified module: not in the map', '__externref_table_dealloc');
});

test('an entry dropped from a later map fails, naming it', () => {
  fails(rename({ map: without(MAP, '  ["a", "c", "c"],') }), 'import c (at first place) is missing from map 2');
  fails(rename({ map: without(MAP, '  ["g", "g"],') }), 'export g (at first __externref_table_dealloc) is missing from map 2');
});

test('an import added to the map fails, naming it', () => {
  let map = withLine(MAP, '  ["./runtime_k12_bg.js", "__wbindgen_init_externref_table", "d"]',
    '  ["./runtime_k12_bg.js", "__wbg_extra_0123456789abcdef", "z"],');
  for (let i = 0; i < 2; i++) map = map.replace('  ["a", "c", "c"],\n  ["a", "d", "d"]\n', '  ["a", "c", "c"],\n  ["a", "z", "z"],\n  ["a", "d", "d"]\n');
  fails(rename({ map }), 'import __wbg_extra_0123456789abcdef (renamed z): in the map, not in the minified module');
});

test('an export added to the map fails, naming it', () => {
  let map = withLine(MAP, '  ["mount", "$"],', '  ["handle_destroy", "i"],');
  for (let i = 0; i < 2; i++) map = map.replace('  ["e", "e"],\n  ["$", "$"],\n', '  ["e", "e"],\n  ["i", "i"],\n  ["$", "$"],\n');
  fails(rename({ map }), 'export handle_destroy (renamed i): in the map, not in the minified module');
});

test('an import the glue does not define fails, naming it', () => {
  fails(rename({ glue: GLUE.replace('__wbg_closeOn_b9cb772ef0fb26d9: function', '__wbg_closeOn_ffffffffffffffff: function') }),
    'import __wbg_closeOn_b9cb772ef0fb26d9: found 0 definitions in the glue, expected 1');
});

test('a module the glue does not return its imports under fails, naming it', () => {
  fails(rename({ glue: without(GLUE, '        "./runtime_k12_bg.js": import0,') }), 'module ./runtime_k12_bg.js not found in the glue');
});

test('a map that is not JSON fails, saying which', () => {
  fails(rename({ map: MAP.replace('"exports"', 'exports') }), 'map 1 is not JSON');
});
