#!/usr/bin/env node
// Runs wasm-bindgen browser tests built as the embeddable bundle is (scripts/ship-test.sh) in
// headless Chromium, the way wasm-bindgen-test's own runner page does: the page imports the glue,
// initialises the wasm, and hands the test exports to the harness in the wasm
// (`WasmBindgenTestContext.run`), which runs them and writes its report into `<pre id="output">`.
// The wasm's exports have minified names here; the names map wasm-opt printed gives each test's.
//
//   MOCK_URL=http://127.0.0.1:PORT node scripts/ship-test.mjs SUITE_DIR... [-- FILTER]
//
// Each SUITE_DIR holds NAME.js (the glue), NAME_bg.wasm and NAME.names.json, NAME being the
// directory's name (the test binary's). FILTER keeps the tests whose name (as the harness writes
// it: module path and function, e.g. k12_runtime::button::english_labels) contains it.
//
// Each test runs in a fresh page (SHIP_TEST_JOBS at a time, default 2, each worker in a browser
// context of its own), so that the report names the test that failed however it failed: an
// assertion (in this build a panic aborts at once, without a message: the wasm traps), a JS
// exception, a crash of the page or a timeout (SHIP_TEST_TIMEOUT seconds per test, default 60;
// the whole run SHIP_TEST_TOTAL_TIMEOUT, default 900). Prints each test's result and the figures;
// exits 1 if any test failed or none ran. The browser and the server stop on every way out.
import { createServer } from 'node:http';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, extname, join, resolve, sep } from 'node:path';
import { composeNamesMap } from './names-map.mjs';
import { launchChromium } from '../e2e/driver/chromium.mjs';
import { cleanupOnExit, killAll } from '../e2e/driver/procs.mjs';

const args = process.argv.slice(2);
const dashes = args.indexOf('--');
const dirs = (dashes < 0 ? args : args.slice(0, dashes)).map((d) => resolve(d));
const filter = dashes < 0 ? '' : args.slice(dashes + 1).join(' ');
if (!dirs.length) {
  console.error('usage: ship-test.mjs SUITE_DIR... [-- FILTER]');
  process.exit(2);
}
/** @param {unknown} e */
const message = (e) => (e instanceof Error ? e.message : String(e));
/**
 * A whole number > 0 from the environment variable `name` (`fallback` when unset).
 * @param {string} name
 * @param {number} fallback
 */
const whole = (name, fallback) => {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  if (!/^\d+$/.test(v) || Number(v) === 0) {
    console.error(`ship-test: ${name} must be a whole number above 0, not '${v}'`);
    process.exit(2);
  }
  return Number(v);
};
const MOCK_URL = process.env.MOCK_URL;
if (!MOCK_URL) {
  console.error('ship-test: MOCK_URL is not set: start the mock backend first (source scripts/mock.sh; start_mock)');
  process.exit(2);
}
const TEST_TIMEOUT = whole('SHIP_TEST_TIMEOUT', 60);
const TOTAL_TIMEOUT = whole('SHIP_TEST_TOTAL_TIMEOUT', 900);
const JOBS = whole('SHIP_TEST_JOBS', 2);

/**
 * One test: its name (module path and function), the name of its export in the minified module,
 * whether it is `#[ignore]`d.
 * @typedef {{ name: string, export: string, ignored: boolean }} Test
 */
/**
 * The tests of one suite directory.
 * @typedef {{ suite: string, dir: string, tests: Test[] }} Suite
 */
/**
 * What the test page reports of one test: whether it passed, why it broke off, the harness's
 * output.
 * @typedef {{ passed: boolean, broken?: string, output?: string }} Outcome
 */
/**
 * What the test page puts on its window, as its functions see it (they run in the page).
 * @typedef {{ shipReady?: string, shipTest?: (exported: string) => Promise<Outcome> }} ShipWindow
 */

/**
 * The tests of one suite directory: `{ suite, dir, name, tests: [{ name, export, ignored }] }`.
 * @param {string} dir
 * @returns {Suite}
 */
function suite(dir) {
  const name = basename(dir);
  const files = [`${name}.js`, `${name}_bg.wasm`, `${name}.names.json`].map((f) => join(dir, f));
  for (const f of files) if (!existsSync(f)) throw new Error(`${f} is missing: build the suite with scripts/ship-test.sh`);
  let map;
  try {
    map = composeNamesMap(readFileSync(files[2], 'utf8'));
  } catch (e) {
    throw new Error(`${files[2]}: ${message(e)}`, { cause: e });
  }
  // `#[wasm_bindgen_test]` exports each test as `__wbgt_{"$" if ignored}_{module path}::{name}`.
  /** @type {Test[]} */
  const tests = [];
  for (const [original, minified] of map.exports) {
    const m = original.match(/^__wbgt_(\$?)_(.+)$/);
    if (!m) continue;
    if (!m[2].includes('::')) throw new Error(`${files[2]}: test export ${original} has no module path`);
    tests.push({ name: m[2], export: minified, ignored: m[1] === '$' });
  }
  return { suite: name, dir, tests };
}

// The test page: the harness writes its report into #output; console output goes to the harness
// (which shows a test's with its failure). A trap of the wasm (a panic: it aborts in this build)
// ends the test under way at once: the harness cannot report it.
/** @param {string} name */
const page = (name) => `<!DOCTYPE html>
<html><head><meta charset="utf-8"><link rel="icon" href="data:,"></head>
<body><pre id="output"></pre>
<script type="module">
// The harness calls each test through this (a runner may wrap it).
window.__wbg_test_invoke = (f) => f();
// The mock backend the live tests talk to (tests/live.rs).
window.K12X_MOCK_URL = ${JSON.stringify(MOCK_URL)};
for (const method of ['debug', 'log', 'info', 'warn', 'error']) {
  const original = console[method];
  console[method] = function (...args) {
    window['on_console_' + method]?.(args);
    original.apply(this, args);
  };
}
let abort;
// A trap reaches the page as an uncaught error (from an event or a timer) or an unhandled
// rejection (from a future); other errors are the tests' own business, as in the harness.
const trapped = (e) => e instanceof WebAssembly.RuntimeError && abort?.('the wasm trapped: ' + e.message
  + ' (a panic aborts at once in this build, without a message: run the debug browser tests for it)');
addEventListener('error', (e) => trapped(e.error));
addEventListener('unhandledrejection', (e) => trapped(e.reason));
try {
  const glue = await import('./${name}.js');
  const wasm = await glue.default({ module_or_path: './${name}_bg.wasm' });
  for (const method of ['debug', 'log', 'info', 'warn', 'error']) window['on_console_' + method] = glue['__wbgtest_console_' + method];
  const output = document.getElementById('output');
  window.shipTest = async (exported) => {
    const before = output.textContent.length;
    const cx = new glue.WasmBindgenTestContext(false);
    const failed = new Promise((resolve) => { abort = (why) => resolve({ passed: false, broken: why }); });
    const run = cx.run([wasm[exported]]).then((passed) => ({ passed }), (e) => ({ passed: false, broken: 'thrown: ' + (e?.stack || e) }));
    const result = await Promise.race([run, failed]);
    abort = undefined;
    return { ...result, output: output.textContent.slice(before) };
  };
  window.shipReady = 'ready';
} catch (e) {
  window.shipReady = 'the test module did not load: ' + (e?.stack || e);
}
</script></body></html>`;

/** @type {Record<string, string>} */
const TYPES = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html; charset=utf-8' };

/**
 * Serves suite `i` under /i/: its page at /i/, its files beside it.
 * @param {Suite[]} suites
 * @returns {Promise<import('node:http').Server>}
 */
function serve(suites) {
  const server = createServer((req, res) => {
    // The wasm may be cached: each test's page loads it again, and Chromium keeps its compiled
    // code for a cached one.
    /** @param {number} status @param {string} type @param {string | Buffer} body */
    const send = (status, type, body) => {
      res.writeHead(status, { 'Content-Type': type, 'Cache-Control': type === TYPES['.wasm'] ? 'max-age=3600' : 'no-store' });
      res.end(body);
    };
    let path;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    } catch (e) {
      // A request line that is no URL, or escapes that are no UTF-8.
      if (!(e instanceof TypeError || e instanceof URIError)) throw e;
      return send(400, 'text/plain', e.message);
    }
    const m = path.match(/^\/(\d+)\/(.*)$/);
    const s = m && suites[Number(m[1])];
    if (!s) return send(404, 'text/plain', 'not found');
    if (m[2] === '') return send(200, TYPES['.html'], page(s.suite));
    const file = resolve(s.dir, m[2]);
    if (!file.startsWith(s.dir + sep) || !existsSync(file) || !statSync(file).isFile()) return send(404, 'text/plain', 'not found');
    send(200, TYPES[extname(file)] || 'application/octet-stream', readFileSync(file));
  });
  return new Promise((done) => server.listen(0, '127.0.0.1', () => done(server)));
}

/**
 * A promise that fails with `what` after `ms`, unless cleared first.
 * @param {number} ms
 * @param {string} what
 * @returns {{ p: Promise<never>, clear: () => void }}
 */
const timeout = (ms, what) => {
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  /** @type {Promise<never>} */
  const p = new Promise((_, fail) => { timer = setTimeout(() => fail(new Error(what)), ms); });
  return { p, clear: () => clearTimeout(timer) };
};

/** @type {import('playwright-core').Browser | null} */
let browser = null;
/** @type {import('node:http').Server | null} */
let server = null;
async function stop() {
  // A browser that will not close is killed below, with anything else it left.
  await browser?.close().catch(() => {});
  browser = null;
  server?.closeAllConnections();
  server?.close();
  server = null;
  killAll();
}
cleanupOnExit();

const t0 = Date.now();
/** @type {[string, 'ok' | 'FAIL' | 'ignored', number][]} */
const results = [];
// The tests under way, for the message when the whole run times out.
const running = new Set();
const total = setTimeout(() => {
  console.error(`ship-test: timed out: the run took more than ${TOTAL_TIMEOUT} s (SHIP_TEST_TOTAL_TIMEOUT); `
    + `${results.length} tests had finished; still running: ${[...running].join(', ') || 'none'}`);
  // At once, without waiting for the browser to close: killAll() stops it (and the exit handler
  // of cleanupOnExit() again).
  killAll();
  process.exit(1);
}, TOTAL_TIMEOUT * 1000);

/**
 * Runs one test in a page of its own, in `context`: a test that leaves something behind (a
 * download still spaced out, a listener, a trapped instance: in this build a failed assertion
 * traps and drops nothing) cannot fail the next one. Pushes `[name, status, ms]` to `results`.
 * @param {import('playwright-core').BrowserContext} context
 * @param {{ test: Test, base: string }} item
 */
async function runTest(context, { test, base }) {
  const name = test.name;
  running.add(name);
  const t = Date.now();
  const limit = timeout(TEST_TIMEOUT * 1000, `did not finish within ${TEST_TIMEOUT} s (SHIP_TEST_TIMEOUT)`);
  /** @type {import('playwright-core').Page | undefined} */
  let p;
  /** @type {Outcome} */
  let r;
  try {
    p = await context.newPage();
    const page = p;
    /** @type {Promise<Outcome>} */
    const crashed = new Promise((resolve) => page.on('crash', () => resolve({ passed: false, broken: 'the page crashed' })));
    r = await Promise.race([
      (async () => {
        await page.goto(base);
        // These run in the page (its `globalThis` is the test page's window, a ShipWindow).
        await page.waitForFunction(() => /** @type {ShipWindow} */ (/** @type {unknown} */ (globalThis)).shipReady, null, { timeout: 0 });
        const ready = await page.evaluate(() => /** @type {ShipWindow} */ (/** @type {unknown} */ (globalThis)).shipReady);
        if (ready !== 'ready') return { passed: false, broken: ready };
        return page.evaluate((e) => {
          const run = /** @type {ShipWindow} */ (/** @type {unknown} */ (globalThis)).shipTest;
          if (!run) throw new Error('the test page is ready without its shipTest');
          return run(e);
        }, test.export);
      })(),
      crashed,
      limit.p,
    ]);
  } catch (e) {
    r = { passed: false, broken: message(e).split('\n')[0] };
  } finally {
    limit.clear();
    // A page that cannot be closed (its browser gone) has nothing left to stop.
    await p?.close().catch(() => {});
    running.delete(name);
  }
  const ms = Date.now() - t;
  // An ignored test goes through the harness too, which says why it is left out.
  const ignored = test.ignored && r.passed && (r.output || '').match(/\.\.\. ignored(?:, (.*))?/);
  if (ignored) {
    results.push([name, 'ignored', ms]);
    console.log(`test ${name} ... ignored${ignored[1] ? `: ${ignored[1]}` : ''}`);
    return;
  }
  const status = r.passed ? 'ok' : 'FAIL';
  results.push([name, status, ms]);
  const lines = [`test ${name} ... ${status} (${(ms / 1000).toFixed(1)} s)`];
  if (!r.passed) {
    if (r.broken) lines.push(`    ${r.broken}`);
    const out = (r.output || '').trim();
    if (out) lines.push(...out.split('\n').map((l) => `    | ${l}`));
  }
  console.log(lines.join('\n'));
}

/**
 * Runs `queue` with JOBS workers, each with a browser context of its own (its own storage, Web
 * Locks and BroadcastChannel: the tests of one export across tabs hear only their own).
 * @param {{ test: Test, base: string }[]} queue
 */
async function runAll(queue) {
  const worker = async () => {
    if (!browser) throw new Error('no browser to run the tests in');
    const context = await browser.newContext();
    try {
      for (let item = queue.shift(); item; item = queue.shift()) await runTest(context, item);
    } finally {
      // (Only fails when the browser is gone: stop() deals with that.)
      await context.close().catch(() => {});
    }
  };
  await Promise.all(Array.from({ length: JOBS }, worker));
}

let code = 1;
try {
  const suites = dirs.map(suite);
  server = await serve(suites);
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error(`the test server listens at ${address}`);
  const base = `http://127.0.0.1:${address.port}`;
  browser = await launchChromium();
  /** @type {{ test: Test, base: string }[]} */
  const queue = [];
  for (const [i, s] of suites.entries()) {
    const chosen = s.tests.filter((test) => !filter || test.name.includes(filter));
    console.log(`${s.suite}: ${chosen.length} of ${s.tests.length} tests (${s.dir})`);
    queue.push(...chosen.map((test) => ({ test, base: `${base}/${i}/` })));
  }
  console.log(`running ${queue.length} tests, ${JOBS} at a time, each in a fresh page\n`);
  await runAll(queue);
  /** @param {string} status */
  const count = (status) => results.filter((r) => r[1] === status).length;
  const run = results.length - count('ignored');
  const failed = results.filter((r) => r[1] === 'FAIL');
  console.log(`\nship tests: ${run} run, ${count('ok')} passed, ${failed.length} failed, ${count('ignored')} ignored `
    + `in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  if (failed.length) console.log(`failed:\n${failed.map((r) => `    ${r[0]}`).join('\n')}`);
  if (!run) console.error(`ship-test: no test ran${filter ? ` (filter '${filter}')` : ''}`);
  code = failed.length || !run ? 1 : 0;
} catch (e) {
  console.error(`ship-test: ${message(e)}`);
} finally {
  clearTimeout(total);
  await stop();
}
process.exit(code);
