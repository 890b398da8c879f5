// A crashed runtime in the embeddable bundle (scripts/crash-test.sh builds it): the K12 runtime,
// built as pages get it (a panic aborts at once: a WebAssembly.RuntimeError trap), panics on purpose
// through its test-only `crash` export, in a wake-up of the page's clock as a bug in a timer would.
// Then, in headless Chromium against the mock backend: the button that was exporting shows "导出失败"
// with the crash's reason at once, and dispatches export-error (cause "crashed"); the idle one shows
// it, in its language, at the next click; that runtime sends no more requests and downloads nothing;
// the export of a button of the page's other runtime, running meanwhile on the same page clock, goes
// on to its download; and the console has one error, saying that the widget crashed and how to
// report it, and no uncaught error. Prints "N passed, N failed".
//
//   node e2e/crash.mjs http://127.0.0.1:PORT DIR     (DIR: the loader and runtimes, served at
//                                                    /crash-embed/ of the mock's origin)
import { readFileSync } from 'node:fs';
import { extname, join, normalize, resolve } from 'node:path';
import { launch } from './browser.mjs';

const [base = process.env.MOCK_URL, dirArg] = process.argv.slice(2);
if (!base || !dirArg) {
  console.error('usage: node e2e/crash.mjs MOCK_URL DIR');
  process.exit(2);
}
const dir = resolve(dirArg) + '/';
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css' };
const client = `crash-${process.pid}`;
const K12 = `config='{"homework-export":{"method":"GET","url":"/j/org/{termId}/homework/export","rest":true,"isPolling":true},
  "homework-export-progress":{"method":"GET","url":"/j/org/{termId}/homework/export/process","rest":true,"isPolling":true}}'
  filename="K12作业统计-{termName}"`;
const PAGE = `<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><link rel="icon" href="data:,">
<script type="module" src="/crash-embed/k12-export.js"></script></head><body>
<k12-export-button id="a" ${K12} data='{"termId":1001,"termName":"2024春季班","client":"${client}","durationMs":60000}'></k12-export-button>
<k12-export-button id="b" ${K12} lang="en" data='{"termId":1002,"termName":"2024秋季班","client":"${client}"}'></k12-export-button>
<k12-export-button id="c" protocol="minapp" options='{"tableId":1,"fileType":"csv","mode":"all","query":{"client":"${client}-c","durationMs":"5000"}}'></k12-export-button>
</body></html>`;

const results = [];
async function check(name, f) {
  try {
    await f();
    results.push([name, null]);
    console.log(`ok   ${name}`);
  } catch (e) {
    results.push([name, e]);
    console.log(`FAIL ${name}: ${e.message}`);
  }
}
function assert(cond, what) {
  if (!cond) throw new Error(what);
}

const browser = await launch();
const page = await browser.newPage({ acceptDownloads: true });
const errors = [];
const uncaught = [];
page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
page.on('pageerror', (e) => uncaught.push(String(e)));
const downloads = [];
page.on('download', (d) => downloads.push(d.suggestedFilename()));
await page.route(`${base}/crash-test.html`, (route) => route.fulfill({ contentType: 'text/html', body: PAGE }));
await page.route(`${base}/crash-embed/**`, (route) => {
  const file = normalize(join(dir, new URL(route.request().url()).pathname.slice('/crash-embed/'.length)));
  if (!file.startsWith(dir)) return route.fulfill({ status: 404 });
  try {
    return route.fulfill({ contentType: TYPES[extname(file)] || 'application/octet-stream', body: readFileSync(file) });
  } catch {
    return route.fulfill({ status: 404 });
  }
});
const requests = async () => (await (await fetch(`${base}/__mock/requests?client=${client}`)).json()).requests.length;
const shadow = (id, sel) => page.evaluate(([id, sel]) => document.getElementById(id).shadowRoot.querySelector(sel)?.textContent ?? null, [id, sel]);
const click = (id) => page.evaluate((id) => document.getElementById(id).shadowRoot.querySelector('.k12x-btn').click(), id);

await page.goto(`${base}/crash-test.html`);

await check('every button is mounted by its runtime; one of each runtime exports', async () => {
  await page.waitForFunction(() => ['a', 'b', 'c'].every((id) => document.getElementById(id).handle), null, { timeout: 30_000 });
  await page.evaluate(() => {
    window.crashEvents = [];
    for (const id of ['a', 'b', 'c']) document.getElementById(id).addEventListener('export-error', (e) => window.crashEvents.push([id, e.detail]));
  });
  for (const id of ['a', 'c']) {
    await click(id);
    await page.waitForFunction((id) => document.getElementById(id).shadowRoot.querySelector('.k12x[data-status="exporting"]'), id, { timeout: 10_000 });
  }
});
const other = page.waitForEvent('download', { predicate: (d) => d.suggestedFilename().endsWith('.csv'), timeout: 60_000 });

let atCrash;
await check('a trap of the K12 runtime shows the failure toast on the exporting button at once', async () => {
  await page.evaluate(async () => (await import('/crash-embed/k12-export.js')).ready.then((m) => m.crash(50)));
  await page.waitForFunction(() => document.getElementById('a').shadowRoot.querySelector('.k12x-toast'), null, { timeout: 5_000 });
  atCrash = await requests();
  assert((await shadow('a', '.k12x-toast-title')) === '导出失败', `title ${await shadow('a', '.k12x-toast-title')}`);
  assert((await shadow('a', '.k12x-toast-detail')) === '导出组件出错，请刷新页面', `reason ${await shadow('a', '.k12x-toast-detail')}`);
  const events = await page.evaluate(() => window.crashEvents);
  assert(events.length === 1 && events[0][0] === 'a' && events[0][1].cause === 'crashed', JSON.stringify(events));
  assert((await shadow('a', '.k12x[data-status]')) !== null && !(await shadow('b', '.k12x-toast')), 'b shows a toast before a click');
});

await check('the idle button of that runtime shows it at the next click, in its language', async () => {
  await click('b');
  await page.waitForFunction(() => document.getElementById('b').shadowRoot.querySelector('.k12x-toast'), null, { timeout: 5_000 });
  assert((await shadow('b', '.k12x-toast-title')) === 'Export failed', `title ${await shadow('b', '.k12x-toast-title')}`);
  assert((await shadow('b', '.k12x-toast-detail')) === 'The export component crashed; reload the page', `reason ${await shadow('b', '.k12x-toast-detail')}`);
  // From script too, without throwing.
  await page.evaluate(() => document.getElementById('a').start());
});

await check('the crashed runtime sends no more requests and downloads nothing', async () => {
  await page.waitForTimeout(4_000);
  const after = await requests();
  assert(after === atCrash, `${after - atCrash} requests after the crash`);
  assert(!downloads.some((f) => f.startsWith('K12')), `downloaded ${downloads}`);
});

await check("the export of the page's other runtime, running meanwhile, goes on to its download", async () => {
  await other;
  await page.waitForFunction(() => document.getElementById('c').shadowRoot.querySelector('.k12x[data-status="done"]'), null, { timeout: 10_000 });
});

await check('one console error says the widget crashed and how to report it; nothing uncaught', async () => {
  assert(uncaught.length === 0, `uncaught: ${uncaught.join(' | ')}`);
  assert(errors.length === 1, `${errors.length} console errors: ${errors.join(' | ')}`);
  assert(/k12-export: the export component crashed .*RuntimeError.*please report it/.test(errors[0]), errors[0]);
});

await browser.close();
const failed = results.filter(([, e]) => e).length;
console.log(`${results.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
