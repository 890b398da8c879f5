// The built embeddable bundle (dist/embed: minified glue, loader and stylesheet, optimised wasm) in
// a plain page, end to end against the mock backend: the element mounts with its stylesheet, an
// export runs to its download, bad options throw naming the field, attribute changes update it,
// removal destroys it, and nothing is logged as an error. Prints one closing line, "N passed, N failed".
//
//   node e2e/embed.mjs http://127.0.0.1:PORT     (a mock backend serving a dist/ that has embed/)
import { assert, checks, openPage, scriptArgs, servePage } from './script.mjs';
import { K12_CONFIG_ATTR } from './fixtures.mjs';

const [base] = scriptArgs('node e2e/embed.mjs MOCK_URL');

const PAGE = `<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><link rel="icon" href="data:,">
<script type="module" src="/embed/k12-export.js"></script></head><body>
<k12-export-button id="export"
  ${K12_CONFIG_ATTR}
  data='{"termId":1001,"termName":"2024春季班"}' filename="K12作业统计-{termName}"></k12-export-button>
<div id="direct"></div></body></html>`;

/**
 * The embed's custom element as these checks use it: its handle on the widget.
 * @typedef {HTMLElement & { handle: { mounted: boolean } }} ExportElement
 */

const { browser, page, playwright } = await openPage('embed');
const { check, finish } = checks();
await servePage(playwright, `${base}/embed-test.html`, PAGE);
await page.goto(`${base}/embed-test.html`);
/** The page's button: its content is in its shadow root. */
const widget = page.locator('k12-export-button');

await check('the element mounts the button with its stylesheet', async () => {
  await widget.locator('.k12x-btn').waitFor({ timeout: 20_000 });
  assert((await widget.locator('.k12x-label').text()) === '导出', 'label');
  const styled = await widget.locator('.k12x-btn').evaluate((el) => getComputedStyle(el).minWidth);
  assert(styled === '64px', `stylesheet not applied (min-width: ${styled})`);
});

await check('an export runs to its download', async () => {
  const download = page.expectDownload({ timeout: 60_000 });
  await widget.locator('.k12x-btn').click();
  await widget.locator('.k12x[data-status="exporting"]').waitFor({ timeout: 10_000 });
  const { name } = await download;
  assert(name.startsWith('K12作业统计-2024春季班'), `filename ${name}`);
  await widget.locator('.k12x[data-status="done"]').waitFor({ timeout: 10_000 });
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
  await page.waitFor(() => document.querySelector('#export')?.shadowRoot?.querySelector('.k12x-label')?.textContent === 'Export now', null, { timeout: 5_000, what: 'the new label' });
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
  const errors = await page.errors();
  assert(errors.length === 0, errors.join(' | '));
});

await finish(browser);
