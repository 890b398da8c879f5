// Runs the end-to-end suite: starts the mock backend (serving the built dist/) on a free port,
// then, for each engine in turn (headless Chromium, headless Firefox ESR, WebKitGTK), every
// e2e/*.test.mjs with node's test runner against it, one file at a time. Prints the wall time of
// each engine. Stops every process it started (mock, browsers, drivers, X servers) when it ends,
// fails, or is interrupted.
//
//   node e2e/run.mjs                               every file, every engine
//   node e2e/run.mjs export backends               files whose name contains one of the words
//   node e2e/run.mjs --engines=firefox,webkit export
//   node e2e/run.mjs --update-shots visual         writes the visual references anew (E2E_UPDATE_SHOTS=1)
import { spawn } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ENGINES, ENGINE_NAMES, isEngine } from './driver/index.mjs';
import { cleanupOnExit, killAll, markerEnv } from './driver/procs.mjs';
import { startMock } from '../scripts/mock.mjs';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const engineArg = args.find((a) => a.startsWith('--engines='));
const named = engineArg ? engineArg.slice('--engines='.length).split(',') : (process.env.E2E_ENGINES?.split(',') ?? ENGINES);
for (const e of named) if (!isEngine(e)) throw new Error(`unknown engine ${e} (one of ${ENGINES.join(', ')})`);
const engines = named.filter(isEngine);
const only = args.filter((a) => !a.startsWith('--'));
if (args.includes('--update-shots')) process.env.E2E_UPDATE_SHOTS = '1';

// The mock, and every browser the test files start, carry this process's marker: whatever
// happens, they are killed when this process ends.
cleanupOnExit();
const mock = await startMock({ dist: join(root, 'dist'), env: markerEnv() });
const base = mock.url;
console.log(`mock backend at ${base}`);

const files = readdirSync(join(root, 'e2e')).filter((f) => f.endsWith('.test.mjs')).sort().map((f) => join(root, 'e2e', f));
const selected = only.length ? files.filter((f) => only.some((o) => f.includes(o))) : files;
// Downloads and screenshots of earlier runs would only confuse.
rmSync(join(root, 'build', 'downloads'), { recursive: true, force: true });

/** @type {import('node:child_process').ChildProcess | null} */
let child = null;
for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM', 'SIGHUP'])) {
  process.removeAllListeners(signal);
  process.on(signal, () => {
    child?.kill(signal);
    killAll();
    process.exit(130);
  });
}

/** @type {[string, number][]} */
const times = [];
/** @type {string[]} */
const failed = [];
for (const engine of engines) {
  console.log(`\n== ${ENGINE_NAMES[engine]} ==`);
  rmSync(join(root, 'build', 'screenshots', engine), { recursive: true, force: true });
  const t0 = Date.now();
  const files = spawn(process.execPath, ['--test', '--test-concurrency=1', '--test-reporter=spec', ...selected], {
    stdio: 'inherit',
    env: { ...process.env, ...markerEnv(), E2E_BASE: base, E2E_ROOT: root, E2E_ENGINE: engine },
  });
  child = files;
  const code = await new Promise((resolve) => files.on('exit', (c, s) => resolve(c ?? (s ? 1 : 0))));
  child = null;
  times.push([engine, (Date.now() - t0) / 1000]);
  if (code !== 0) failed.push(engine);
}
await mock.stop();
killAll();

console.log('\nend-to-end wall time per engine:');
for (const [engine, s] of times) console.log(`  ${engine.padEnd(9)} ${s.toFixed(1)} s${failed.includes(engine) ? '  (FAILED)' : ''}`);
process.exit(failed.length ? 1 : 0);
