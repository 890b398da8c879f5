// @ts-check
// scripts/trim-glue.mjs on the loading part of a wasm-bindgen glue (fixtures/trim-glue/glue.js, as
// wasm-bindgen 0.2.130 writes it): the default wasm address, initSync and the two warnings go, the
// rest stays and still initialises from a module passed in; a glue of another shape (a part
// missing) fails naming the part, and the script then leaves the file as it was.
//
//   node --test scripts/tests/
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { trimGlue } from '../trim-glue.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const GLUE = readFileSync(join(here, 'fixtures/trim-glue/glue.js'), 'utf8');

test('the default address, initSync and the warnings go; loading from a module passed in stays', async () => {
  const out = trimGlue(GLUE, 'runtime_k12');
  assert.doesNotMatch(out, /import\.meta\.url|`WebAssembly.instantiateStreaming` failed|for the initialization function|export \{ initSync/);
  assert.match(out, /^export \{ __wbg_init as default \};$/m);
  assert.equal(GLUE.split('\n').length - out.split('\n').length, 5, 'five lines fewer');
  // The trimmed glue still initialises, from the empty module given as the loader gives its wasm.
  const dir = mkdtempSync(join(tmpdir(), 'k12x-trim-'));
  try {
    writeFileSync(join(dir, 'glue.mjs'), out);
    const glue = await import(join(dir, 'glue.mjs'));
    const bytes = Uint8Array.of(0, 97, 115, 109, 1, 0, 0, 0).buffer;
    assert.deepEqual(Object.keys(await glue.default({ module_or_path: bytes })), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a glue of another shape fails naming what is missing, and the file is left as it was', () => {
  for (const [cut, what] of [
    ["module_or_path = new URL('runtime_k12_bg.wasm', import.meta.url);", 'the default wasm address'],
    ['export { initSync, __wbg_init as default };', 'the export of initSync'],
    ["console.warn('using deprecated parameters for the initialization function; pass a single object instead')", 'the warning for positional init arguments'],
  ]) {
    const other = GLUE.replace(cut, '');
    assert.throws(() => trimGlue(other, 'runtime_k12'), new RegExp(`${what} found 0 times in the glue of runtime_k12`));
    const dir = mkdtempSync(join(tmpdir(), 'k12x-trim-'));
    try {
      const file = join(dir, 'runtime_k12.js');
      writeFileSync(file, other);
      const r = spawnSync(process.execPath, [join(here, '../trim-glue.mjs'), file, 'runtime_k12'], { encoding: 'utf8' });
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stderr, new RegExp(what));
      assert.equal(readFileSync(file, 'utf8'), other);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  // Another runtime's name is another address.
  assert.throws(() => trimGlue(GLUE, 'runtime_all'), /the default wasm address found 0 times/);
});
