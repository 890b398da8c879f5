// The size rules of the K12 bundle, checked rather than remembered (rules and figures in
// bench/size-budget.json, the one place a size effort changes):
//
// - the bundle's gzip total (as scripts/size.sh measures it) may not grow more than
//   `recorded.toleranceBytes` over `recorded.gzipBytes`, and must not sit more than that under it
//   either: a smaller bundle is recorded (`scripts/size.sh --record`), so the next growth is seen;
// - the release wasm may not contain a `banned` code family (float formatting and parsing, the
//   standard sorts, the substring searcher, the formatting machinery of `format!`/`to_string()`:
//   each measured at about a kilobyte or more), found by the
//   function names of the module before wasm-opt (scripts/build.sh keeps it in target/size/).
//
//   node scripts/size-rules.mjs check GZIP_TOTAL NAMED_WASM   exit 1 (after printing why) on a breach
//   node scripts/size-rules.mjs record GZIP_TOTAL             writes GZIP_TOTAL as the recorded figure
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readWasm } from './wasm-names.mjs';

const file = join(dirname(fileURLToPath(import.meta.url)), '..', 'bench', 'size-budget.json');
/**
 * The size budget (bench/size-budget.json; other members are kept as they are).
 * @typedef {{ recorded: { gzipBytes: number, toleranceBytes: number }, banned: { family: string, pattern: string, costGzipBytes: number }[] }} Budget
 */
/** @type {unknown} */
const parsed = JSON.parse(readFileSync(file, 'utf8'));
/**
 * The member `key` of `v` (undefined when `v` is no object or has none).
 * @param {unknown} v
 * @param {string} key
 * @returns {unknown}
 */
const member = (v, key) => (typeof v === 'object' && v !== null ? /** @type {Record<string, unknown>} */ (v)[key] : undefined);
/** @param {unknown} v @returns {v is Budget} */
const isBudget = (v) => {
  const recorded = member(v, 'recorded');
  const banned = member(v, 'banned');
  return typeof member(recorded, 'gzipBytes') === 'number' && typeof member(recorded, 'toleranceBytes') === 'number'
    && Array.isArray(banned)
    && banned.every((b) => typeof member(b, 'family') === 'string' && typeof member(b, 'pattern') === 'string' && typeof member(b, 'costGzipBytes') === 'number');
};
if (!isBudget(parsed)) {
  console.error(`size-rules: ${file} is not a size budget: it needs recorded.gzipBytes, recorded.toleranceBytes and banned [{ family, pattern, costGzipBytes }]`);
  process.exit(2);
}
const budget = parsed;
const [command, total, wasm] = process.argv.slice(2);
const gzip = Number(total);
if (!['check', 'record'].includes(command) || !Number.isInteger(gzip) || (command === 'check' && !wasm)) {
  console.error('usage: size-rules.mjs check GZIP_TOTAL NAMED_WASM | record GZIP_TOTAL');
  process.exit(2);
}

if (command === 'record') {
  budget.recorded.gzipBytes = gzip;
  writeFileSync(file, `${JSON.stringify(budget, null, 2)}\n`);
  console.log(`recorded ${gzip} B in bench/size-budget.json: commit it`);
  process.exit(0);
}

const problems = [];
const { gzipBytes: recorded, toleranceBytes: tolerance } = budget.recorded;
// The figure is recorded for the release build (nightly, -Z build-std); the stable fallback that
// scripts/build.sh makes where no nightly with rust-src is installed is about 12 KB larger.
const toolchainFile = (wasm ?? '').replace(/\.wasm$/, '.toolchain');
const toolchain = existsSync(toolchainFile) ? readFileSync(toolchainFile, 'utf8').trim() : 'nightly';
if (toolchain !== 'nightly') {
  console.log(`size: warning: ${wasm} is the ${toolchain} fallback build, so its ${gzip} B gzip is not compared with the recorded ${recorded} B (the nightly build's); install nightly Rust with rust-src for that check`);
} else if (gzip > recorded + tolerance) {
  problems.push(`the bundle grew: ${gzip} B gzip, ${gzip - recorded} B over the recorded ${recorded} B (tolerance ${tolerance} B)`);
} else if (gzip < recorded - tolerance) {
  problems.push(`the bundle shrank to ${gzip} B gzip, ${recorded - gzip} B under the recorded ${recorded} B: record it with scripts/size.sh --record and commit bench/size-budget.json`);
} else {
  console.log(`size: ${gzip} B gzip, within ${tolerance} B of the recorded ${recorded} B`);
}
const { functions } = readWasm(wasm);
for (const { family, pattern, costGzipBytes } of budget.banned) {
  const re = new RegExp(pattern);
  const found = functions.filter((f) => re.test(f.name));
  if (found.length) {
    const names = found.slice(0, 5).map((f) => `    ${f.name.slice(0, 140)}`).join('\n');
    problems.push(`banned code in the wasm: ${family} (about ${costGzipBytes} B gzip), ${found.length} functions:\n${names}`);
  }
}
if (problems.length) {
  for (const p of problems) console.log(`size: ${p}`);
  process.exit(1);
}
console.log(`size: none of the banned families (${budget.banned.map((b) => b.family).join(', ')}) in ${wasm}`);
