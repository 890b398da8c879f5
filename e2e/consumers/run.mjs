// @ts-check
// The npm package as its users meet it: fresh apps (each from its own package.json and lockfile
// in e2e/consumers/) install the packed tarball, build with no wasm-related configuration, and
// export a real file in headless Chromium against the mock backend.
//
//   node e2e/consumers/run.mjs TARBALL        (`make package` prints its path)
//
// - vite: `vite build`, served from its own static server, exports; the same build with its wasm
//   answered by an HTML page (a fallback), which the button explains, and with its wasm served as
//   application/octet-stream, which still runs and is named in the console; then the dev server
//   (`vite`) once.
// - webpack: webpack 5 with html-webpack-plugin (no experiments, no wasm rule), exports.
// - plain: a page on one origin loading the classic build from a second one with SRI, exports; a
//   tampered runtime file is refused; a second copy of another version on the page is named in
//   the console, and both export.
// - node: `await import('k12-export')` in Node exits at once and touches nothing.
// - types: `tsc --strict` compiles the typed samples (their @ts-expect-error lines prove the
//   errors); publint and @arethetypeswrong/cli (ESM-only profile) pass on the tarball.
//
// Each app is copied to target/consumers/NAME and installed there (e2e/consumers/apps.mjs: `npm
// ci` for its own locked dependencies, then the tarball without rewriting the lockfile). Prints
// each step's time.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { launch } from '../driver/index.mjs';
import { markerEnv, freePort } from '../driver/procs.mjs';
import { startHost as startHostUntyped } from '../host/server.mjs';
import { startMock } from '../../scripts/mock.mjs';
import { buildLoader } from '../../scripts/build-loader.mjs';
import { WORK as work, install as installApp, sh, took } from './apps.mjs';

/**
 * e2e/host/server.mjs: a static server (`dist`, with CORS headers for `cors`), test pages
 * (`pages`), the rest passed through to the mock (`mock`).
 * @type {(o: { dist?: string, cors?: boolean, mock?: string, pages?: Record<string, string | { type: string, body: string }> }) => Promise<{ base: string, requests: string[], close(): Promise<void> }>}
 */
const startHost = startHostUntyped;

const tarball = resolve(process.argv[2] || process.env.K12X_PACKAGE || '');
if (!tarball.endsWith('.tgz') || !existsSync(tarball)) {
  console.error('usage: node e2e/consumers/run.mjs TARBALL   (make package prints it)');
  process.exit(2);
}
const FILENAME = 'K12作业统计-2024春季班';
const install = (/** @type {string} */ name) => installApp(name, tarball);

/** Headless Chromium, through the end-to-end driver. @type {Awaited<ReturnType<typeof launch>>} */
let browser;
/** @type {{ url: string, stop(): Promise<unknown> }} */
let mock;
/** @type {Record<string, Promise<string>>} */
const apps = {};

before(async () => {
  // The installs run side by side (mostly waiting on the disk and the network).
  for (const name of ['vite', 'webpack', 'plain', 'types']) {
    apps[name] = install(name);
    // Not lost: each test awaits its app and fails with the install's error.
    apps[name].catch(() => {});
  }
  mock = await startMock({ stderr: 'ignore' });
  browser = await launch('chromium', { downloads: join(work, 'downloads') });
});

/**
 * A page of a fresh profile (downloads accepted), as Playwright's page; `close()` closes it and
 * its profile.
 * @returns {Promise<{ page: import('playwright-core').Page, close(): Promise<void> }>}
 */
async function freshPage() {
  const driven = await browser.newPage();
  if (!driven.playwright) throw new Error('a Chromium page without its Playwright page');
  return { page: driven.playwright, close: () => driven.close() };
}

after(async () => {
  await browser?.close();
  await mock?.stop();
});

/**
 * Opens `url`, waits for the widget, clicks, and checks the download, the page's status line and
 * that nothing was logged as a warning or an error. Resolves to the wasm responses.
 * @param {string} url
 * @param {{ button?: string, allow?: RegExp }} [o]
 */
async function exportsAFile(url, { button = '.k12x-btn', allow } = {}) {
  const { page, close } = await freshPage();
  try {
    /** @type {string[]} */
    const logged = [];
    page.on('console', (m) => (m.type() === 'error' || m.type() === 'warning') && !allow?.test(m.text()) && logged.push(m.text()));
    page.on('pageerror', (e) => logged.push(`uncaught: ${e.message}`));
    /** @type {{ url: string, type: string | undefined, status: number }[]} */
    const wasm = [];
    page.on('response', (r) => r.url().endsWith('.wasm') && wasm.push({ url: r.url(), type: r.headers()['content-type'], status: r.status() }));
    await page.goto(url);
    // The runtime has taken over (its root renders the button).
    await page.locator(`.k12x-root ${button}`).first().waitFor({ timeout: 30_000 });
    const download = page.waitForEvent('download', { timeout: 60_000 });
    await page.locator(button).first().click();
    const d = await download;
    assert.ok(d.suggestedFilename().startsWith(FILENAME), `downloaded ${d.suggestedFilename()}`);
    assert.deepEqual(logged, [], 'nothing logged as a warning or an error');
    return { page, wasm, close };
  } catch (e) {
    await close();
    throw e;
  }
}

/**
 * Serves `dir` on its own origin (the app's static server).
 * @param {string} dir @param {Record<string, string | { type: string, body: string }>} [pages]
 */
const serve = (dir, pages) => startHost({ dist: dir, pages });

test('vite 8: a build with no configuration exports a file; its wasm is an asset of the build', async () => {
  const dir = await apps.vite;
  let t0 = Date.now();
  await sh(dir, 'node_modules/.bin/vite', ['build', '--logLevel', 'warn']);
  took('vite build', t0);
  const out = join(dir, 'dist');
  const assets = readdirSync(join(out, 'assets'));
  assert.equal(assets.filter((f) => f.endsWith('.wasm')).length, 2, `both runtimes' wasm emitted: ${assets}`);
  t0 = Date.now();
  const site = await serve(out);
  try {
    const { page, wasm, close } = await exportsAFile(`${site.base}/index.html?api=${mock.url}`);
    assert.match(await page.locator('#status').textContent() ?? '', /已导出 K12作业统计/);
    assert.equal(wasm.length, 1, 'the K12 runtime only');
    assert.ok(wasm[0].url.startsWith(`${site.base}/assets/`) && wasm[0].status === 200 && wasm[0].type === 'application/wasm', JSON.stringify(wasm));
    await close();
  } finally {
    await site.close();
  }
  took('vite build: export in Chromium', t0);
});

test('vite 8: a wasm answered by an HTML fallback page: the button explains, the console names the fix', async () => {
  const dir = await apps.vite;
  const out = join(dir, 'dist');
  const fallback = readFileSync(join(out, 'index.html'), 'utf8');
  // What a single-page app's server answers for a path it does not have.
  const wasm = readdirSync(join(out, 'assets')).filter((f) => f.endsWith('.wasm')).map((f) => `/assets/${f}`);
  const site = await serve(out, Object.fromEntries(wasm.map((p) => [p, { type: 'text/html', body: fallback }])));
  const { page, close } = await freshPage();
  try {
    /** @type {string[]} */
    const errors = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.goto(`${site.base}/index.html?api=${mock.url}`);
    await page.evaluate(() => document.addEventListener('export-error', (e) => { /** @type {any} */ (window).seen = /** @type {CustomEvent} */ (e).detail; }));
    await page.waitForFunction(() => document.querySelector('#export k12x-host'));
    for (let i = 0; i < 100 && !errors.length; i++) await new Promise((r) => setTimeout(r, 100));
    await page.locator('.k12x-btn').click();
    const alert = page.locator('[role=alert]');
    await alert.waitFor({ timeout: 5000 });
    assert.match(await alert.textContent() ?? '', /导出组件加载失败/);
    const seen = await page.evaluate(() => /** @type {any} */ (window).seen);
    assert.equal(seen.kind, 'unavailable');
    assert.equal(seen.cause, 'load');
    assert.equal(errors.length, 1, JSON.stringify(errors));
    assert.match(errors[0], /is text\/html, not the \.wasm \(a fallback page\?\): serve the file there/);
  } finally {
    await close();
    await site.close();
  }
});

test('vite 8: a wasm served with another type still runs, and the console names the fix', async () => {
  const dir = await apps.vite;
  const out = join(dir, 'dist');
  const site = await serve(out);
  const { page, close } = await freshPage();
  try {
    await page.route('**/*.wasm', async (route) => {
      const r = await route.fetch();
      await route.fulfill({ response: r, headers: { ...r.headers(), 'content-type': 'application/octet-stream' } });
    });
    /** @type {string[]} */
    const logged = [];
    page.on('console', (m) => (m.type() === 'error' || m.type() === 'warning') && logged.push(m.text()));
    await page.goto(`${site.base}/index.html?api=${mock.url}`);
    await page.locator('.k12x-root .k12x-btn').waitFor({ timeout: 30_000 });
    const download = page.waitForEvent('download', { timeout: 60_000 });
    await page.locator('.k12x-btn').click();
    assert.ok((await download).suggestedFilename().startsWith(FILENAME));
    assert.equal(logged.length, 1, JSON.stringify(logged));
    assert.match(logged[0], /^k12-export: serve http:\/\/.*_bg-[\w-]+\.wasm as application\/wasm, not application\/octet-stream$/);
  } finally {
    await close();
    await site.close();
  }
});

test('vite 8: the dev server serves the package as it is, and the button exports', async () => {
  const dir = await apps.vite;
  const t0 = Date.now();
  const port = await freePort();
  const child = spawn('node_modules/.bin/vite', ['--port', String(port), '--strictPort', '--host', '127.0.0.1'], {
    cwd: dir, env: { ...process.env, ...markerEnv() }, stdio: ['ignore', 'pipe', 'pipe'], detached: true,
  });
  let output = '';
  child.stdout?.on('data', (d) => { output += d; });
  child.stderr?.on('data', (d) => { output += d; });
  try {
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i++) {
      // Refused until the server listens; bounded, and the server's output names a failure.
      const up = await fetch(`${base}/`).then((r) => r.ok, () => false);
      if (up) break;
      assert.ok(i < 300 && child.exitCode === null, `the dev server did not start:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    // The dev server's own client logs its connection; the rest must be quiet.
    const { page, close } = await exportsAFile(`${base}/?api=${mock.url}`);
    assert.match(await page.locator('#status').textContent() ?? '', /已导出 K12作业统计/);
    await close();
  } finally {
    if (child.exitCode === null && child.pid) {
      const exited = new Promise((r) => child.once('exit', r));
      process.kill(-child.pid, 'SIGTERM');
      await exited;
    }
  }
  took('vite dev server: start and export', t0);
});

test('webpack 5: a build with no wasm rule and no experiments exports a file', async () => {
  const dir = await apps.webpack;
  let t0 = Date.now();
  const { stdout, stderr } = await sh(dir, 'node_modules/.bin/webpack', []);
  // No warning but webpack's size hint for the runtime with every backend (loaded on demand).
  assert.doesNotMatch(`${stdout}${stderr}`.replace(/WARNING in asset size limit:[^]*?\n\n/, ''), /WARNING|Critical dependency/);
  took('webpack build', t0);
  t0 = Date.now();
  const out = join(dir, 'dist');
  assert.equal(readdirSync(out).filter((f) => f.endsWith('.wasm')).length, 2, `both runtimes' wasm emitted: ${readdirSync(out)}`);
  const site = await serve(out);
  try {
    const { page, wasm, close } = await exportsAFile(`${site.base}/index.html?api=${mock.url}`);
    assert.match(await page.locator('#status').textContent() ?? '', /已导出 K12作业统计/);
    assert.ok(wasm.length === 1 && wasm[0].url.startsWith(site.base) && wasm[0].type === 'application/wasm', JSON.stringify(wasm));
    await close();
  } finally {
    await site.close();
  }
  took('webpack build: export in Chromium', t0);
});

/**
 * The plain page with the CDN's address and the classic script's integrity filled in.
 * @param {string} dir @param {string} cdn
 */
function plainPage(dir, cdn) {
  const sri = JSON.parse(readFileSync(join(dir, 'node_modules/k12-export/dist/sri.json'), 'utf8'));
  const html = readFileSync(join(dir, 'index.html'), 'utf8');
  const page = html
    .replace('https://cdn.example.com/npm/k12-export@0.1.0/dist/', `${cdn}/`)
    .replace('sha384-FROM-DIST-SRI-JSON', sri.files['k12-export-classic.js']);
  assert.notEqual(page, html);
  return page;
}

test('a plain page: the classic build from a second origin with SRI loads nothing until used, exports; a tampered runtime file is refused', async () => {
  const dir = await apps.plain;
  const t0 = Date.now();
  const dist = join(dir, 'node_modules/k12-export/dist');
  const cdn = await startHost({ dist, cors: true });
  // The same files, but one byte of the K12 wasm changed on the way.
  const tampered = join(work, 'plain-tampered');
  rmSync(tampered, { recursive: true, force: true });
  cpSync(dist, tampered, { recursive: true });
  const wasmName = readdirSync(tampered).find((f) => /^runtime_k12-[0-9a-f]{16}_bg\.wasm$/.test(f));
  assert.ok(wasmName);
  const bytes = new Uint8Array(readFileSync(join(tampered, wasmName)));
  bytes[bytes.length - 1] ^= 1;
  writeFileSync(join(tampered, wasmName), bytes);
  const evil = await startHost({ dist: tampered, cors: true });
  // The loader alone, without an element: it loads nothing until `ready` is awaited.
  const bare = plainPage(dir, cdn.base).replace(/<k12-export-button[^]*<\/k12-export-button>/, '');
  const site = await startHost({
    mock: mock.url,
    pages: { '/index.html': plainPage(dir, cdn.base), '/tampered.html': plainPage(dir, evil.base), '/bare.html': bare },
  });
  try {
    const { page: p1, close: close1 } = await freshPage();
    await p1.goto(`${site.base}/bare.html`);
    await p1.waitForFunction(() => customElements.get('k12-export-button'));
    await new Promise((r) => setTimeout(r, 1000));
    assert.deepEqual(cdn.requests.filter((r) => /runtime_k12/.test(r)), [], 'nothing loaded at import');
    assert.equal(await p1.evaluate(async () => typeof (await /** @type {any} */ (window).k12export.ready).mount), 'function');
    assert.deepEqual(cdn.requests.filter((r) => /runtime_k12/.test(r)).sort(), [`/${wasmName.replace('_bg.wasm', '.js')}`, `/${wasmName}`], 'the K12 runtime, once awaited');
    await close1();

    await (await exportsAFile(`${site.base}/index.html`)).close();

    const { page, close: close2 } = await freshPage();
    /** @type {string[]} */
    const errors = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.goto(`${site.base}/tampered.html`);
    for (let i = 0; i < 100 && !errors.some((e) => e.startsWith('k12-export:')); i++) await new Promise((r) => setTimeout(r, 100));
    await page.locator('.k12x-btn').click();
    await page.locator('[role=alert]').waitFor({ timeout: 5000 });
    assert.match(await page.locator('[role=alert]').textContent() ?? '', /导出组件加载失败/);
    assert.ok(errors.some((e) => /^k12-export: cannot load .*_bg\.wasm/.test(e)), JSON.stringify(errors));
    await close2();
  } finally {
    await Promise.all([site.close(), cdn.close(), evil.close()]);
  }
  took('plain page: CDN with SRI, tampered file', t0);
});

test('two versions on one page: the console names them, and both export', async () => {
  const dir = await apps.plain;
  const dist = join(dir, 'node_modules/k12-export/dist');
  // A second copy of the loader, as another version would be, beside the same runtime files.
  const other = join(work, 'plain-other');
  rmSync(other, { recursive: true, force: true });
  cpSync(dist, other, { recursive: true });
  const base = (/** @type {RegExp} */ re) => /** @type {string} */ (readdirSync(other).find((f) => re.test(f))).replace(/\.js$/, '');
  await buildLoader({ out: other, k12: base(/^runtime_k12-[0-9a-f]{16}\.js$/), all: base(/^runtime_all-[0-9a-f]{16}\.js$/), version: '0.0.0-other' });
  const cdn = await startHost({ dist, cors: true });
  const cdn2 = await startHost({ dist: other, cors: true });
  const page2 = plainPage(dir, cdn.base).replace('</body>', `<div id="second"></div>
<script type="module">
  import { mount, version } from '${cdn2.base}/k12-export.js';
  const config = JSON.parse(document.querySelector('k12-export-button').getAttribute('config'));
  await mount(document.querySelector('#second'), { config, data: { termId: 1002, termName: '2024春季班' }, filename: 'K12作业统计-{termName}', label: version });
</script></body>`);
  const site = await startHost({ mock: mock.url, pages: { '/two.html': page2 } });
  try {
    const { page, close } = await freshPage();
    /** @type {string[]} */
    const warnings = [];
    page.on('console', (m) => m.type() === 'warning' && warnings.push(m.text()));
    await page.goto(`${site.base}/two.html`);
    for (const sel of ['k12-export-button', '#second']) {
      await page.locator(`${sel} .k12x-root .k12x-btn`).waitFor({ timeout: 30_000 });
      const download = page.waitForEvent('download', { timeout: 60_000 });
      await page.locator(`${sel} .k12x-btn`).click();
      const name = (await download).suggestedFilename();
      // The mock names the second term's file after it.
      assert.ok(name.startsWith(sel === '#second' ? 'K12作业统计-2024暑期集训' : FILENAME), `${sel}: downloaded ${name}`);
    }
    assert.equal(await page.locator('#second .k12x-label').textContent(), '0.0.0-other');
    assert.deepEqual(warnings, ["k12-export: two versions on this page: 0.1.0 and 0.0.0-other (both work; the elements are 0.1.0's): load one"]);
    await close();
  } finally {
    await Promise.all([site.close(), cdn.close(), cdn2.close()]);
  }
});

test('node: importing the package has no side effect and exits at once', async () => {
  const dir = await apps.vite;
  const script = `const k = await import('k12-export');
const before = Object.getOwnPropertySymbols(globalThis).length;
if (typeof k.mount != 'function' || typeof k.mountHistory != 'function' || typeof k.ready.then != 'function') throw new Error('exports');
if (typeof globalThis.customElements != 'undefined' || typeof globalThis.document != 'undefined') throw new Error('a DOM?');
if (Object.getOwnPropertySymbols(globalThis).length != before) throw new Error('globalThis touched');
console.log(k.version);`;
  const t0 = Date.now();
  const { stdout } = await sh(dir, process.execPath, ['--input-type=module', '-e', script]);
  assert.equal(stdout.trim(), JSON.parse(readFileSync(join(dir, 'node_modules/k12-export/package.json'), 'utf8')).version);
  // No timer, socket or promise kept it alive: it ended as soon as the script did.
  assert.ok(Date.now() - t0 < 5000);
});

test('types: tsc --strict compiles the samples, whose @ts-expect-error lines are errors', async () => {
  const dir = await apps.types;
  const t0 = Date.now();
  await sh(dir, 'node_modules/.bin/tsc', ['-p', '.']);
  // The samples prove something only while the types are not `any`: without the package's
  // types, every @ts-expect-error line would go unused.
  const stripped = join(dir, 'node_modules/k12-export/dist/k12-export.d.ts');
  const types = readFileSync(stripped, 'utf8');
  writeFileSync(stripped, 'declare const anything: any;\nexport = anything;\n');
  try {
    await assert.rejects(sh(dir, 'node_modules/.bin/tsc', ['-p', '.']), /Unused '@ts-expect-error' directive/);
  } finally {
    writeFileSync(stripped, types);
  }
  took('tsc', t0);
});

test('publint and @arethetypeswrong/cli (ESM only) pass on the tarball', async () => {
  const dir = await apps.types;
  const t0 = Date.now();
  const lint = await sh(dir, 'node_modules/.bin/publint', ['run', '--strict', tarball]);
  assert.doesNotMatch(lint.stdout, /warning|error|suggestion/i, lint.stdout);
  await sh(dir, 'node_modules/.bin/attw', [tarball, '--profile', 'esm-only', '--format', 'table-flipped']);
  took('publint + attw', t0);
});
