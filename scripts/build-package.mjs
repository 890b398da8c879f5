#!/usr/bin/env node
// @ts-check
// Builds the npm package `k12-export` from the embeddable bundle (dist/embed/, built by
// `scripts/build.sh --embed`) and packages/k12-export/, into target/package/k12-export/, and packs
// it: prints the tarball's path as its last line. `make package` runs it (scripts/package.sh).
//
//   dist/k12-export.js          the ES module: what `import … from 'k12-export'` reads (bundlers,
//                               <script type="module">)
//   dist/k12-export-classic.js  the classic script (window.k12export) for <script src> and CDNs:
//                               it checks the integrity of each runtime file it loads
//   dist/k12-export.css         the stylesheet (the history panel's shadow roots link it)
//   dist/runtime_k12-HASH.js, dist/runtime_k12-HASH_bg.wasm    the K12 runtime
//   dist/runtime_all-HASH.js, dist/runtime_all-HASH_bg.wasm    the runtime with every backend
//   dist/sri.json               the sha384 integrity of every file of dist/, for <script integrity>
//   dist/*.d.ts                 the types (packages/k12-export/types/)
//   custom-elements.json, CHANGELOG.md, README.md (README.md's "Installing from npm")
//
// The runtime files are named by the content of the pair (glue and wasm): a new release never
// shares a name with an old one, so no cache or proxy can pair a new glue with an old wasm. The
// loaders keep their names. The version is Cargo.toml's; packages/k12-export/package.json must
// say the same (checked here and by scripts/tests/package.test.mjs).
//
//   node scripts/build-package.mjs [--no-pack]
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildLoader, cargoVersion } from './build-loader.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const source = join(root, 'packages/k12-export');
const embed = join(root, 'dist/embed');
export const OUT = join(root, 'target/package');

/** The sha384 integrity of `file`, as `<script integrity>` and `fetch()` take it. */
export const sri = (/** @type {string} */ file) => `sha384-${createHash('sha384').update(bytes(file)).digest('base64')}`;
/** The bytes of `file`. */
const bytes = (/** @type {string} */ file) => new Uint8Array(readFileSync(file));

/**
 * README.md's section `heading` (to the next `## ` heading), for the package's own README.
 * @param {string} heading
 */
function readmeSection(heading) {
  const text = readFileSync(join(root, 'README.md'), 'utf8');
  const start = text.indexOf(`\n## ${heading}\n`);
  if (start < 0) throw new Error(`README.md has no "## ${heading}" section`);
  const end = text.indexOf('\n## ', start + 4);
  return text.slice(start + 1, end < 0 ? undefined : end + 1);
}

/** Builds target/package/k12-export/; returns its path. */
export async function buildPackage() {
  const version = cargoVersion();
  const pkg = JSON.parse(readFileSync(join(source, 'package.json'), 'utf8'));
  if (pkg.version !== version) {
    throw new Error(`packages/k12-export/package.json says ${pkg.version}, Cargo.toml's [workspace.package] ${version}: one version for both`);
  }
  const out = join(OUT, 'k12-export');
  const dist = join(out, 'dist');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(dist, { recursive: true });

  // The runtimes, named by their content.
  /** @type {Record<string, string>} */
  const names = {};
  /** @type {Record<string, string>} */
  const integrity = {};
  for (const base of ['runtime_k12', 'runtime_all']) {
    const glue = join(embed, `${base}.js`);
    const wasm = join(embed, `${base}_bg.wasm`);
    for (const f of [glue, wasm]) if (!existsSync(f)) throw new Error(`${f} is missing: scripts/build.sh --embed first`);
    const hash = createHash('sha256').update(bytes(glue)).update(bytes(wasm)).digest('hex').slice(0, 16);
    names[base] = `${base}-${hash}`;
    for (const [from, to] of [[glue, `${names[base]}.js`], [wasm, `${names[base]}_bg.wasm`]]) {
      copyFileSync(from, join(dist, to));
      integrity[to] = sri(join(dist, to));
    }
  }
  await buildLoader({ out: dist, k12: names.runtime_k12, all: names.runtime_all, version, integrity });

  for (const f of readdirSync(join(source, 'types'))) copyFileSync(join(source, 'types', f), join(dist, f));
  /** @type {Record<string, string>} */
  const files = {};
  for (const f of readdirSync(dist).sort()) if (!f.endsWith('.d.ts')) files[f] = sri(join(dist, f));
  writeFileSync(join(dist, 'sri.json'), `${JSON.stringify({ version, files }, null, 2)}\n`);

  copyFileSync(join(source, 'custom-elements.json'), join(out, 'custom-elements.json'));
  copyFileSync(join(root, 'CHANGELOG.md'), join(out, 'CHANGELOG.md'));
  writeFileSync(join(out, 'README.md'), `# k12-export\n\nAn async export button (导出) as a web component, in Rust and WebAssembly.\n\n${readmeSection('Installing from npm')}`);
  writeFileSync(join(out, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  return out;
}

/** Packs `dir` into target/package/; returns the tarball's path. */
export function pack(/** @type {string} */ dir) {
  const json = execFileSync('npm', ['pack', '--json', '--pack-destination', OUT], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return join(OUT, JSON.parse(json)[0].filename);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = await buildPackage();
  if (process.argv.includes('--no-pack')) console.log(dir);
  else console.log(pack(dir));
}
