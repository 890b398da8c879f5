// The example Yew application (examples/yew-app: the k12-export crate on the published crates, as
// an application depends on it, built by Trunk into examples/yew-app/dist) in headless Chromium
// against the mock backend: the button and the history panel render with the crate's stylesheet,
// a K12 export downloads the real file, a MinApp export downloads its file and then shows in the
// history panel, and nothing is logged as an error. Prints one closing line, "N passed, N failed".
//
//   node e2e/yew-app.mjs http://127.0.0.1:PORT     (a running mock backend; the app's files are
//                                                  served at /yew-app/ of its origin)
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { assert, checks, openPage, scriptArgs, serveDir } from './script.mjs';

const [base] = scriptArgs('node e2e/yew-app.mjs MOCK_URL');
const dist = fileURLToPath(new URL('../examples/yew-app/dist/', import.meta.url));

const { browser, page, playwright } = await openPage('yew-app');
const { check, finish } = checks();
// The app at /yew-app/ of the mock's origin, so that its relative URLs reach the mock.
await serveDir(playwright, base, '/yew-app/', dist);
await page.goto(`${base}/yew-app/`);

const k12 = '#k12 .k12x-btn';
// (The MinApp button's panel below it has buttons of its own: the export button is the first.)
const minapp = '#minapp .k12x-btn';

await check('the button and the history panel render with the stylesheet', async () => {
  await page.locator(k12).waitFor({ timeout: 30_000 });
  assert((await page.locator('#k12 .k12x-label').text()) === '导出', 'K12 label');
  assert((await page.locator('#minapp .k12x-label').text()) === 'Export products', 'MinApp label');
  const styled = await page.locator(k12).evaluate((el) => getComputedStyle(el).minWidth);
  assert(styled === '64px', `stylesheet not applied (min-width: ${styled})`);
  await page.locator('#minapp .k12x-history').waitFor({ timeout: 10_000 });
});

await check('a K12 export downloads the file', async () => {
  const download = page.expectDownload({ timeout: 60_000 });
  await page.locator(k12).click();
  await page.locator('#k12 .k12x[data-status="exporting"]').waitFor({ timeout: 10_000 });
  const d = await download;
  assert(d.name.startsWith('K12作业统计-2024春季班'), `filename ${d.name}`);
  const bytes = readFileSync(d.path);
  // An .xlsx file is a zip archive.
  assert(bytes.length > 100 && bytes.subarray(0, 2).toString() === 'PK', `not an xlsx file (${bytes.length} bytes)`);
  await page.locator('#k12 .k12x[data-status="done"]').waitFor({ timeout: 10_000 });
});

await check('a MinApp export downloads its file and shows in the history panel', async () => {
  const download = page.expectDownload({ timeout: 60_000 });
  await page.locator(minapp).first().click();
  const d = await download;
  const text = readFileSync(d.path, 'utf8');
  assert(d.name.endsWith('.csv') && text.length > 0, `file ${d.name} (${text.length} chars)`);
  await page.locator('#minapp .k12x-history [data-state="done"]').first().waitFor({ timeout: 20_000 });
});

await check('nothing was logged as an error', async () => {
  const errors = await page.errors();
  assert(errors.length === 0, errors.join(' | '));
});

await finish(browser);
