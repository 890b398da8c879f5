// The example Yew application (examples/yew-app: the k12-export crate on the published crates, as
// an application depends on it, built by Trunk into examples/yew-app/dist) in headless Chromium
// against the mock backend: the button and the history panel render with the crate's stylesheet,
// a K12 export downloads the real file, a MinApp export downloads its file and then shows in the
// history panel, and nothing is logged as an error. Prints one closing line, "N passed, N failed".
//
//   node e2e/yew-app.mjs http://127.0.0.1:PORT     (a running mock backend; the app's files are
//                                                  served at /yew-app/ of its origin)
import { readFileSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch } from './browser.mjs';

const base = process.argv[2] || process.env.MOCK_URL;
if (!base) {
  console.error('usage: node e2e/yew-app.mjs MOCK_URL');
  process.exit(2);
}
const dist = fileURLToPath(new URL('../examples/yew-app/dist/', import.meta.url));
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css' };

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
page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
page.on('pageerror', (e) => errors.push(String(e)));
// The app at /yew-app/ of the mock's origin, so that its relative URLs reach the mock.
await page.route(`${base}/yew-app/**`, (route) => {
  const path = new URL(route.request().url()).pathname.slice('/yew-app/'.length) || 'index.html';
  const file = normalize(join(dist, path));
  if (!file.startsWith(dist)) return route.fulfill({ status: 404 });
  try {
    return route.fulfill({ contentType: TYPES[extname(file)] || 'application/octet-stream', body: readFileSync(file) });
  } catch {
    return route.fulfill({ status: 404 });
  }
});
await page.goto(`${base}/yew-app/`);

const k12 = '#k12 .k12x-btn';
const minapp = '#minapp .k12x-btn';

await check('the button and the history panel render with the stylesheet', async () => {
  await page.waitForSelector(k12, { timeout: 30_000 });
  assert((await page.textContent('#k12 .k12x-label')) === '导出', 'K12 label');
  assert((await page.textContent('#minapp .k12x-label')) === 'Export products', 'MinApp label');
  const styled = await page.$eval(k12, (el) => getComputedStyle(el).minWidth);
  assert(styled === '64px', `stylesheet not applied (min-width: ${styled})`);
  await page.waitForSelector('#minapp .k12x-history', { timeout: 10_000 });
});

await check('a K12 export downloads the file', async () => {
  const download = page.waitForEvent('download', { timeout: 60_000 });
  await page.click(k12);
  await page.waitForSelector('#k12 .k12x[data-status="exporting"]', { timeout: 10_000 });
  const d = await download;
  assert(d.suggestedFilename().startsWith('K12作业统计-2024春季班'), `filename ${d.suggestedFilename()}`);
  const bytes = readFileSync(await d.path());
  // An .xlsx file is a zip archive.
  assert(bytes.length > 100 && bytes.subarray(0, 2).toString() === 'PK', `not an xlsx file (${bytes.length} bytes)`);
  await page.waitForSelector('#k12 .k12x[data-status="done"]', { timeout: 10_000 });
});

await check('a MinApp export downloads its file and shows in the history panel', async () => {
  const download = page.waitForEvent('download', { timeout: 60_000 });
  await page.click(minapp);
  const d = await download;
  const text = readFileSync(await d.path(), 'utf8');
  assert(d.suggestedFilename().endsWith('.csv') && text.length > 0, `file ${d.suggestedFilename()} (${text.length} chars)`);
  await page.waitForSelector('#minapp .k12x-history [data-state="done"]', { timeout: 20_000 });
});

await check('nothing was logged as an error', async () => {
  assert(errors.length === 0, errors.join(' | '));
});

await browser.close();
const failed = results.filter(([, e]) => e).length;
console.log(`${results.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
