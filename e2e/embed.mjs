// The built embeddable bundle (dist/embed: minified glue, loader and stylesheet, optimised wasm) in
// a plain page, end to end against the mock backend: the element mounts with its stylesheet, an
// export runs to its download, bad options throw naming the field, attribute changes update it,
// removal destroys it, and nothing is logged as an error. Prints one closing line, "N passed, N failed".
//
//   node e2e/embed.mjs http://127.0.0.1:PORT     (a mock backend serving a dist/ that has embed/)
import { launch } from './browser.mjs';

const base = process.argv[2] || process.env.MOCK_URL;
if (!base) {
  console.error('usage: node e2e/embed.mjs MOCK_URL');
  process.exit(2);
}

const PAGE = `<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><link rel="icon" href="data:,">
<script type="module" src="/embed/k12-export.js"></script></head><body>
<k12-export-button id="export"
  config='{"homework-export":{"method":"GET","url":"/j/org/{termId}/homework/export","rest":true,"isPolling":true},
           "homework-export-progress":{"method":"GET","url":"/j/org/{termId}/homework/export/process","rest":true,"isPolling":true}}'
  data='{"termId":1001,"termName":"2024春季班"}' filename="K12作业统计-{termName}"></k12-export-button>
<div id="direct"></div></body></html>`;

/** Each check's name and how it failed (`null`: it passed). @type {[string, unknown][]} */
const results = [];
/**
 * Runs check `name`: it passes unless `f` throws.
 * @param {string} name
 * @param {() => Promise<void>} f
 */
async function check(name, f) {
  try {
    await f();
    results.push([name, null]);
    console.log(`ok   ${name}`);
  } catch (e) {
    results.push([name, e]);
    console.log(`FAIL ${name}: ${e instanceof Error ? e.message : e}`);
  }
}
/** @param {unknown} cond @param {string} what */
function assert(cond, what) {
  if (!cond) throw new Error(what);
}

/**
 * The embed's custom element as these checks use it: its handle on the widget.
 * @typedef {HTMLElement & { handle: { mounted: boolean } }} ExportElement
 */

const browser = await launch();
const page = await browser.newPage({ acceptDownloads: true });
/** @type {string[]} */
const errors = [];
page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
page.on('pageerror', (e) => errors.push(String(e)));
await page.route(`${base}/embed-test.html`, (route) => route.fulfill({ contentType: 'text/html', body: PAGE }));
await page.goto(`${base}/embed-test.html`);

await check('the element mounts the button with its stylesheet', async () => {
  await page.waitForSelector('k12-export-button .k12x-btn', { timeout: 20_000 });
  assert((await page.textContent('k12-export-button .k12x-label')) === '导出', 'label');
  const styled = await page.$eval('k12-export-button .k12x-btn', (el) => getComputedStyle(el).minWidth);
  assert(styled === '64px', `stylesheet not applied (min-width: ${styled})`);
});

await check('an export runs to its download', async () => {
  const download = page.waitForEvent('download', { timeout: 60_000 });
  await page.click('k12-export-button .k12x-btn');
  await page.waitForSelector('k12-export-button .k12x[data-status="exporting"]', { timeout: 10_000 });
  const d = await download;
  assert(d.suggestedFilename().startsWith('K12作业统计-2024春季班'), `filename ${d.suggestedFilename()}`);
  await page.waitForSelector('k12-export-button .k12x[data-status="done"]', { timeout: 10_000 });
});

await check('mount() from script throws naming the field', async () => {
  const message = await page.evaluate(async () => {
    // The page's own module (a URL of the page, not a module of this repository).
    const url = '/embed/k12-export.js';
    /** @type {{ mount: (el: Element | null, options: unknown) => Promise<unknown> }} */
    const { mount } = await import(url);
    try {
      await mount(document.getElementById('direct'), { config: { a: { url: '/a' } }, retries: 'x' });
      return 'no error';
    } catch (e) {
      return e instanceof Error ? e.message : `not an Error: ${e}`;
    }
  });
  assert(message.includes('options.'), message);
});

await check('an attribute change updates the button, removing it destroys it', async () => {
  await page.evaluate(() => {
    const el = document.getElementById('export');
    if (!el) throw new Error('no #export');
    el.setAttribute('label', 'Export now');
  });
  await page.waitForFunction(() => document.querySelector('#export')?.shadowRoot?.querySelector('.k12x-label')?.textContent === 'Export now', null, { timeout: 5_000 });
  const mounted = await page.evaluate(async () => {
    const el = /** @type {ExportElement | null} */ (document.getElementById('export'));
    if (!el) throw new Error('no #export');
    const handle = el.handle;
    el.remove();
    return [handle.mounted, el.childElementCount];
  });
  assert(mounted[0] === false, 'handle still mounted after removal');
});

await check('nothing was logged as an error', async () => {
  assert(errors.length === 0, errors.join(' | '));
});

await browser.close();
const failed = results.filter(([, e]) => e).length;
console.log(`${results.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
