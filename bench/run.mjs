// The browser benchmarks of the async export button, against a running mock backend that serves
// dist/ (with the peers in dist/bench/). Prints one markdown report on stdout; exits 1 when a
// checked target fails (after printing everything). Normally run by scripts/bench.sh.
//
//   node bench/run.mjs --base http://127.0.0.1:PORT --simulation bench/out/poll-efficiency.txt
//
// Environment: BENCH_STARTUP_RUNS (12), BENCH_MEMORY_CYCLES (500), BENCH_ONLY (comma-separated
// sections: size,startup,polling,scale,cost,memory,faults), BENCH_COST_RUNS (3), BENCH_FAULT_RUNS, BENCH_FAULT_CASES and
// BENCH_FAULT_CONCURRENCY (see browser/faults.mjs).
import os from 'node:os';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Mock, launch, table } from './browser/lib.mjs';
import * as size from './browser/size.mjs';
import * as startup from './browser/startup.mjs';
import * as polling from './browser/polling.mjs';
import * as scale from './browser/scale.mjs';
import * as cost from './browser/cost.mjs';
import * as memory from './browser/memory.mjs';
import * as faults from './browser/faults.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const base = arg('base', process.env.BENCH_BASE);
if (!base) {
  console.error('usage: node bench/run.mjs --base http://127.0.0.1:PORT [--simulation FILE]');
  process.exit(2);
}
const simulationFile = arg('simulation', join(root, 'bench', 'out', 'poll-efficiency.txt'));
const startupRuns = Number(process.env.BENCH_STARTUP_RUNS || 12);
const memoryCycles = Number(process.env.BENCH_MEMORY_CYCLES || 500);
const only = process.env.BENCH_ONLY ? process.env.BENCH_ONLY.split(',') : null;

const say = (text = '') => process.stdout.write(`${text}\n`);
const log = (text) => process.stderr.write(`\x1b[1;34mbench\x1b[0m ${text}\n`);

// Everything the sections load must be served: a clear message beats six time-outs.
const served = ['/examples/homework.html', '/examples/terms.js', '/embed/k12-export.js', '/embed/runtime_k12.js', '/embed/runtime_k12_bg.wasm',
  '/embed/k12-export.css', '/bench/blank.html', '/bench/driver.js', '/bench/react/k12-peer.js', '/bench/react/homework.html',
  '/bench/vanilla/k12-peer.js', '/bench/vanilla/homework.html'];
const missing = [];
for (const path of served) {
  const r = await fetch(base + path).catch((e) => ({ ok: false, status: e.message }));
  if (!r.ok) missing.push(`${path} (${r.status})`);
}
if (missing.length) {
  console.log(`**Cannot run: the mock at ${base} does not serve ${missing.join(', ')}.**`);
  process.exit(1);
}

const browser = await launch();
const mock = new Mock(base);
await mock.syncClock();

const cpu = os.cpus()[0]?.model?.trim() || 'unknown CPU';
let versions = {};
try {
  versions = JSON.parse(readFileSync(join(root, 'bench', 'out', 'site', 'bench', 'versions.json'), 'utf8'));
} catch (e) {
  // Peers not built: the sections that need them will say so.
  if (!(e instanceof Error && 'code' in e && e.code === 'ENOENT')) throw e;
}
say('## Machine');
say();
say(table(['', ''], [
  ['date', new Date().toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC')],
  ['commit', process.env.BENCH_COMMIT || '—'],
  ['CPU', `${cpu}, ${os.availableParallelism ? os.availableParallelism() : os.cpus().length} cores (nproc ${process.env.BENCH_NPROC || '?'})`],
  ['memory', `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} at start`],
  ['OS', `${os.type()} ${os.release()} ${os.arch()}`],
  ['browser', `Chromium ${await browser.version()} (headless, playwright-core)`],
  ['tools', [`node ${process.version}`, process.env.BENCH_RUSTC, ...Object.entries(versions).map(([k, v]) => `${k} ${v}`)].filter(Boolean).join(', ')],
], 'll'));
say();

const sections = [
  ['size', () => size.run({ browser, base, root, viteApp: process.env.BENCH_VITE_APP })],
  ['startup', () => startup.run({ browser, base, runs: startupRuns })],
  ['polling', () => polling.run({ browser, base, mock, simulation: readFileSync(simulationFile, 'utf8') })],
  ['scale', () => scale.run({ browser, base, mock })],
  ['cost', () => cost.run({ browser, base, mock })],
  ['memory', () => memory.run({ browser, base, cycles: memoryCycles })],
  ['faults', () => faults.run({ browser, base, mock })],
];

const checks = [];
const timings = [];
let n = 0;
for (const [key, fn] of sections) {
  if (only && !only.includes(key)) continue;
  n++;
  log(`${key}…`);
  const t0 = Date.now();
  let result;
  try {
    result = await fn();
  } catch (e) {
    result = {
      title: key,
      markdown: `**This section failed to run:**\n\n\`\`\`\n${e.stack || e}\n\`\`\``,
      checks: [{ name: `${key}: runs`, ok: false, detail: String(e.message || e).split('\n')[0], checked: true }],
    };
  }
  const seconds = (Date.now() - t0) / 1000;
  timings.push([key, `${seconds.toFixed(0)} s`]);
  log(`${key}: ${seconds.toFixed(0)} s`);
  say(`## ${n}. ${result.title}`);
  say();
  say(result.markdown);
  say();
  checks.push(...result.checks);
}
await browser.close();

const failedChecked = checks.filter((c) => c.checked && !c.ok);
say('## Targets');
say();
say(table(['target', 'measured', 'status', 'kind'], checks.map((c) => [
  c.name,
  c.detail,
  c.ok ? 'met' : c.checked ? '**FAILED**' : 'not met',
  c.checked ? 'checked: fails the bench' : 'reported',
]), 'llll'));
say();
say(`Browser sections: ${timings.map(([k, t]) => `${k} ${t}`).join(', ')}.`);
say();
if (failedChecked.length) {
  say(`**BENCH FAILED: ${failedChecked.length} checked target(s) not met — ${failedChecked.map((c) => `${c.name} (${c.detail})`).join('; ')}.**`);
  process.exitCode = 1;
} else {
  say('**All checked targets met.**');
}
