// The workspaces of this repository pin the same crates: the bundle's (bundle/Cargo.lock, built with
// patched crates for size) and the example Yew application's (examples/yew-app/Cargo.lock) resolve
// every crate they share with the main workspace (Cargo.lock) to the same version, so that what
// the tests compile is what the bundle and the example compile, and the one wasm-bindgen CLI that
// scripts/setup.sh installs (the version in Cargo.lock) fits each of them.
//
//   node --test scripts/tests/
import test from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/**
 * `name -> [versions]` of the packages of a Cargo.lock.
 * @param {string} file the lockfile, relative to the repository
 * @returns {Map<string, string[]>}
 */
function packages(file) {
  /** @type {Map<string, string[]>} */
  const out = new Map();
  for (const block of readFileSync(join(root, file), 'utf8').split('[[package]]').slice(1)) {
    const name = /^name = "([^"]+)"$/m.exec(block)?.[1];
    const version = /^version = "([^"]+)"$/m.exec(block)?.[1];
    assert.ok(name && version, `${file}: a package without a name or version`);
    out.set(name, [...(out.get(name) || []), version].sort());
  }
  return out;
}

const main = packages('Cargo.lock');

for (const file of ['bundle/Cargo.lock', 'examples/yew-app/Cargo.lock']) {
  test(`${file} pins the crates it shares with Cargo.lock at the same versions`, () => {
    assert.ok(existsSync(join(root, file)), `${file} is missing`);
    const other = packages(file);
    const differ = [];
    for (const [name, versions] of other) {
      const pinned = main.get(name);
      if (pinned && !versions.every((v) => pinned.includes(v))) differ.push(`${name} ${versions.join(', ')} (Cargo.lock: ${pinned.join(', ')})`);
    }
    assert.deepEqual(differ, [], `${file} differs from Cargo.lock; copy Cargo.lock over it and let cargo resolve the rest (see the file's workspace manifest)`);
    assert.ok(other.has('wasm-bindgen'), `${file} has no wasm-bindgen`);
  });
}
