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
import { sleep } from './driver/index.mjs';
import { assert, checks, openPage, scriptArgs, serveDir, servePage } from './script.mjs';
import { K12_CONFIG_ATTR } from './fixtures.mjs';

const [base, dir] = scriptArgs('node e2e/crash.mjs MOCK_URL DIR', 1);
const client = `crash-${process.pid}`;
const K12 = `${K12_CONFIG_ATTR} filename="K12作业统计-{termName}"`;
const PAGE = `<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><link rel="icon" href="data:,">
<script type="module" src="/crash-embed/k12-export.js"></script></head><body>
<k12-export-button id="a" ${K12} data='{"termId":1001,"termName":"2024春季班","client":"${client}","durationMs":60000}'></k12-export-button>
<k12-export-button id="b" ${K12} lang="en" data='{"termId":1002,"termName":"2024秋季班","client":"${client}"}'></k12-export-button>
<k12-export-button id="c" protocol="minapp" options='{"tableId":1,"fileType":"csv","mode":"all","query":{"client":"${client}-c","durationMs":"5000"}}'></k12-export-button>
</body></html>`;

const { browser, page, playwright } = await openPage('crash');
const { check, finish } = checks();
/** The names of the files downloaded, in order. @type {string[]} */
const downloads = [];
playwright.on('download', (d) => downloads.push(d.suggestedFilename()));
await servePage(playwright, `${base}/crash-test.html`, PAGE);
await serveDir(playwright, base, '/crash-embed/', dir);
/** How many requests the mock recorded of this page's K12 buttons. */
const requests = async () => {
  const r = await fetch(`${base}/__mock/requests?client=${client}`);
  if (!r.ok) throw new Error(`the mock's requests: HTTP ${r.status}`);
  /** @type {{ requests: unknown[] }} */
  const body = await r.json();
  return body.requests.length;
};
/**
 * The text of `sel` in the shadow root of button `id`, or null.
 * @param {string} id
 * @param {string} sel
 */
const shadow = (id, sel) => page.locator(`#${id}`).evaluate((el, sel) => el.shadowRoot?.querySelector(sel)?.textContent ?? null, sel);
/** Clicks button `id`, as script does. @param {string} id */
const click = (id) => page.locator(`#${id}`).locator('.k12x-btn').evaluate((/** @type {HTMLElement} */ el) => el.click());
/**
 * Waits for `sel` in the shadow root of button `id`.
 * @param {string} id
 * @param {string} sel
 * @param {number} timeout
 */
const shows = (id, sel, timeout) => page.locator(`#${id}`).locator(sel).waitFor({ state: 'attached', timeout });

await page.goto(`${base}/crash-test.html`);

await check('every button is mounted by its runtime; one of each runtime exports', async () => {
  await page.waitFor(() => ['a', 'b', 'c'].every((id) => /** @type {K12xElement | null} */ (document.getElementById(id))?.handle), null, { timeout: 30_000, what: 'every button mounted' });
  await page.evaluate(() => {
    /** @type {[string, unknown][]} */
    const events = (window.crashEvents = []);
    for (const id of ['a', 'b', 'c']) document.getElementById(id)?.addEventListener('export-error', (e) => events.push([id, e instanceof CustomEvent ? e.detail : null]));
  });
  for (const id of ['a', 'c']) {
    await click(id);
    await shows(id, '.k12x[data-status="exporting"]', 10_000);
  }
});
// The next download: that of the other runtime's button (a K12 one would fail below).
const other = page.expectDownload({ timeout: 60_000 });

/** The requests recorded when the runtime crashed. @type {number | null} */
let atCrash = null;
await check('a trap of the K12 runtime shows the failure toast on the exporting button at once', async () => {
  await page.evaluate(async () => {
    // The page's own module (a URL of the page, not a module of this repository), and its
    // runtime's test-only export.
    const url = '/crash-embed/k12-export.js';
    /** @type {{ ready: Promise<{ crash(ms: number): void }> }} */
    const loader = await import(url);
    (await loader.ready).crash(50);
  });
  await shows('a', '.k12x-toast', 5_000);
  atCrash = await requests();
  assert((await shadow('a', '.k12x-toast-title')) === '导出失败', `title ${await shadow('a', '.k12x-toast-title')}`);
  assert((await shadow('a', '.k12x-toast-detail')) === '导出组件出错，请刷新页面', `reason ${await shadow('a', '.k12x-toast-detail')}`);
  const events = await page.evaluate(() => window.crashEvents ?? []);
  const cause = (/** @type {{ cause?: unknown } | null} */ (events[0]?.[1]))?.cause;
  assert(events.length === 1 && events[0][0] === 'a' && cause === 'crashed', JSON.stringify(events));
  assert((await shadow('a', '.k12x[data-status]')) !== null && !(await shadow('b', '.k12x-toast')), 'b shows a toast before a click');
});

await check('the idle button of that runtime shows it at the next click, in its language', async () => {
  await click('b');
  await shows('b', '.k12x-toast', 5_000);
  assert((await shadow('b', '.k12x-toast-title')) === 'Export failed', `title ${await shadow('b', '.k12x-toast-title')}`);
  assert((await shadow('b', '.k12x-toast-detail')) === 'The export component crashed; reload the page', `reason ${await shadow('b', '.k12x-toast-detail')}`);
  // From script too, without throwing.
  await page.evaluate(() => {
    const a = /** @type {K12xElement & { start(): void } | null} */ (document.getElementById('a'));
    if (!a) throw new Error('no #a');
    a.start();
  });
});

await check('the crashed runtime sends no more requests and downloads nothing', async () => {
  await sleep(4_000);
  assert(atCrash !== null, 'the crash was not seen');
  const after = await requests();
  assert(after === atCrash, `${after - atCrash} requests after the crash`);
  assert(!downloads.some((f) => f.startsWith('K12')), `downloaded ${downloads}`);
});

await check("the export of the page's other runtime, running meanwhile, goes on to its download", async () => {
  const { name } = await other;
  assert(name.endsWith('.csv'), `downloaded ${name}`);
  await shows('c', '.k12x[data-status="done"]', 10_000);
});

await check('one console error says the widget crashed and how to report it; nothing uncaught', async () => {
  // The driver's page says "uncaught: " before an uncaught error, as is before a console error.
  const all = await page.errors();
  const uncaught = all.filter((e) => e.startsWith('uncaught: '));
  const errors = all.filter((e) => !e.startsWith('uncaught: '));
  assert(uncaught.length === 0, uncaught.join(' | '));
  assert(errors.length === 1, `${errors.length} console errors: ${errors.join(' | ')}`);
  assert(/k12-export: the export component crashed .*RuntimeError.*please report it/.test(errors[0]), errors[0]);
});

await finish(browser);
