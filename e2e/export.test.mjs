// The whole flow in a real browser, in each engine: click, grey, rising percent, the file saved
// on disk under its Chinese name.
import test from 'node:test';
import assert from 'node:assert/strict';
import { open, BASE, client, requests, until, readXlsx, sleep, exportButton, shotPath, jobs } from './lib.mjs';

const HOMEWORK_HEADER = ['学号', '姓名', '班级', '作业1', '作业2', '作业3', '作业4', '作业5', '作业6', '作业7', '作业8', '平均分'];

/**
 * Opens the example page `example` for a long export of client `name`, clicks, and waits
 * until the widget polls the progress endpoint.
 * @param {import('node:test').TestContext} t
 * @param {string} name
 * @param {string} example
 */
async function polling(t, name, example) {
  const c = client(name);
  const { page } = await open(t);
  await page.goto(`${BASE}/examples/${example}.html?client=${c}&durationMs=30000&termId=1003`);
  await exportButton(page).click();
  await until('polling', async () => (await requests(c)).some((r) => r.path.endsWith('/process')));
  return { c, page };
}

/**
 * Fails unless the server sees no new request of client `c` for `ms`.
 * @param {string} c
 * @param {number} ms
 * @param {string} message
 */
async function assertQuiet(c, ms, message) {
  const n = (await requests(c)).length;
  await sleep(ms);
  assert.equal((await requests(c)).length, n, message);
}

/**
 * Samples the popover's percent until `stop()` is true.
 * @param {import('./driver/index.mjs').Page} page
 * @param {() => Promise<boolean>} stop
 */
async function percents(page, stop) {
  /** @type {string[]} */
  const seen = [];
  while (!(await stop())) {
    const pct = await page.locator('.k12x-pop-pct').evaluate((el) => el.textContent, null, 200).catch(() => null);
    if (pct && seen[seen.length - 1] !== pct) seen.push(pct);
    await sleep(40);
  }
  return seen;
}

test('homework page (custom element): click → grey → rising percent → the real workbook is saved under its Chinese name', async (t) => {
  const c = client('homework');
  const { page } = await open(t);
  await page.goto(`${BASE}/examples/homework.html?client=${c}&durationMs=3000`);
  const button = exportButton(page);
  await button.waitFor();
  assert.equal(await button.count(), 1, 'exactly one button named 导出');
  const download = page.expectDownload({ timeout: 20000 });
  let downloaded = false;
  download.then(() => { downloaded = true; }, () => {});
  await button.click();
  await until('busy', async () => (await button.attr('aria-busy')) === 'true');
  assert.equal(await button.attr('aria-disabled'), 'true');
  const cursor = await button.evaluate((b) => getComputedStyle(b).cursor);
  assert.equal(cursor, 'not-allowed', 'inert while exporting');
  await button.hover();
  const pop = page.locator('[role=tooltip]');
  await pop.waitFor({ state: 'visible' });
  assert.equal(await pop.locator('.k12x-pop-name').text(), 'K12作业统计-2024春季班.xlsx');
  // (No screenshot here: in WebKit one takes over half a second of this three-second export.)
  const seen = await percents(page, async () => downloaded);
  const values = seen.map((s) => Number(s.replace('%', '')));
  assert.ok(values.length >= 2, `percent rose while exporting: ${seen}`);
  assert.ok(values.every((v, i) => i === 0 || v > values[i - 1]), `monotonic: ${seen}`);
  assert.ok(values[values.length - 1] < 100 || values.length > 1);
  const d = await download;
  assert.equal(d.name, 'K12作业统计-2024春季班.xlsx');
  const rows = readXlsx(d.path);
  assert.deepEqual(rows[0], HOMEWORK_HEADER, 'header row');
  assert.equal(rows.length, 1 + 48, 'one row per student of 2024春季班');
  await until('button back to normal', async () => (await button.attr('aria-disabled')) === null);
  await page.screenshot(shotPath('homework-done'));
  assert.deepEqual(await page.errors(), []);
  const log = await requests(c);
  assert.ok(log.some((r) => r.path.endsWith('/homework/export/process')), 'it polled the progress endpoint');
});

test('stage-test page (mount()): exports the chosen term', async (t) => {
  const c = client('stage');
  const { page } = await open(t);
  await page.goto(`${BASE}/examples/stage-test.html?client=${c}&durationMs=1500`);
  const button = exportButton(page);
  await button.waitFor();
  assert.equal(await button.count(), 1, 'exactly one button named 导出');
  await page.waitFor(() => window.exportHandle !== undefined, null, { what: 'the page to mount the button' });
  await page.locator('#term').select('1005');
  await page.locator('tr[data-term="1005"][aria-selected="true"]').waitFor({ state: 'attached' });
  const download = page.expectDownload({ timeout: 20000 });
  await button.click();
  const d = await download;
  assert.equal(d.name, 'K12阶段测试统计-2025春季班.xlsx');
  const rows = readXlsx(d.path);
  assert.equal(rows[0][0], '学号');
  assert.equal(rows[0][rows[0].length - 1], '总分');
  assert.equal(rows.length, 1 + 320);
  assert.deepEqual(await page.errors(), []);
});

test('convention B: stays busy until the late URL, then downloads', async (t) => {
  const c = client('schemeb');
  const { page } = await open(t);
  await page.goto(`${BASE}/examples/homework.html?client=${c}&durationMs=1500&scheme=B&urlDelayMs=1500`);
  const button = exportButton(page);
  const download = page.expectDownload({ timeout: 20000 });
  await button.click();
  await button.hover();
  await page.locator('.k12x-pop-status', { text: '正在生成文件…' }).waitFor({ timeout: 10000 });
  assert.equal(await button.attr('aria-busy'), 'true', 'still exporting while the file is written');
  assert.equal(await page.locator('.k12x-pop-pct').text(), '99%');
  await page.screenshot(shotPath('convention-b-generating'));
  const d = await download;
  assert.equal(d.name, 'K12作业统计-2024春季班.xlsx');
  assert.equal(readXlsx(d.path).length, 1 + 48);
});

test('an empty term still downloads a workbook with only the header row', async (t) => {
  const c = client('empty');
  const { page } = await open(t);
  await page.goto(`${BASE}/examples/homework.html?client=${c}&durationMs=800&termId=1002`);
  const download = page.expectDownload({ timeout: 20000 });
  await exportButton(page).click();
  const d = await download;
  assert.equal(d.name, 'K12作业统计-2024暑期集训.xlsx');
  assert.equal(readXlsx(d.path).length, 1);
});

test('a failing export shows the toast "导出失败" and the button returns to normal', async (t) => {
  const c = client('fail');
  const { page } = await open(t);
  await page.goto(`${BASE}/examples/homework.html?client=${c}&durationMs=2000&scenario=fail&failAt=40`);
  const button = exportButton(page);
  await button.click();
  const alert = page.locator('[role=alert]');
  await alert.waitFor({ timeout: 15000 });
  assert.match(await alert.text(), /导出失败/);
  assert.match(await alert.text(), /数据库连接中断/);
  assert.ok(await alert.visible());
  assert.equal(await button.attr('aria-disabled'), null);
  assert.equal(await button.attr('aria-busy'), null);
  await page.screenshot(shotPath('failure-toast'));
  await assertQuiet(c, 2500, 'nothing left polling');
});

test('a 50 MB progress answer: the export fails within seconds as unreadable, the page never freezes, the rest is never downloaded, nothing polls afterwards', async (t) => {
  const c = client('huge-answer');
  const { page } = await open(t);
  await page.goto(`${BASE}/examples/homework.html?client=${c}&durationMs=30000&scenario=huge-answer`);
  const button = exportButton(page);
  await button.waitFor();
  // A timer in the page: the longest gap between its ticks is the longest the page was frozen.
  await page.evaluate(() => {
    /** @type {NonNullable<Window['gaps']>} */
    const gaps = (window.gaps = { last: performance.now(), max: 0 });
    gaps.timer = window.setInterval(() => {
      const now = performance.now();
      gaps.max = Math.max(gaps.max, now - gaps.last);
      gaps.last = now;
    }, 10);
  });
  const t0 = Date.now();
  await button.click();
  const alert = page.locator('[role=alert]');
  await alert.waitFor({ timeout: 60000 });
  const took = Date.now() - t0;
  const frozen = await page.evaluate(() => {
    if (!window.gaps) throw new Error('no timer in the page');
    clearInterval(window.gaps.timer);
    return window.gaps.max;
  });
  assert.match(await alert.text(), /导出失败/);
  assert.match(await alert.text(), /服务器返回了无法识别的数据/, 'an unreadable answer');
  assert.ok(took < 5000, `failed ${took} ms after the click`);
  assert.ok(frozen < 500, `the page's timer stood still for ${Math.round(frozen)} ms`);
  assert.equal(await button.attr('aria-disabled'), null);
  const [job] = await jobs(c);
  t.diagnostic(`failed ${took} ms after the click; longest timer gap ${Math.round(frozen)} ms; ${job.answerBytes} bytes sent`);
  assert.equal(job.progressRequests, 1, 'the answer over its limit is not asked for again');
  // 1 MiB was read; what the server sent beyond it was in flight when the browser hung up.
  assert.ok(job.answerBytes > 1048576 && job.answerBytes < 4 * 1048576, `${job.answerBytes} bytes of 50 MB sent`);
  await assertQuiet(c, 2500, 'nothing polled afterwards');
  assert.deepEqual(await page.errors(), []);
});

test('navigating away mid-export: the server sees no request for the job afterwards', async (t) => {
  const { c, page } = await polling(t, 'leave', 'homework');
  await page.goto('about:blank');
  await assertQuiet(c, 4000, 'no request after the page was left');
});

test('removing the custom element stops its traffic', async (t) => {
  const { c, page } = await polling(t, 'remove', 'homework');
  await page.evaluate(() => {
    const el = document.querySelector('k12-export-button');
    if (!el) throw new Error('no <k12-export-button>');
    el.remove();
  });
  await sleep(300);
  await assertQuiet(c, 4000, 'no request after removal');
  assert.equal(await page.locator('.k12x').count(), 0);
});

test('destroy() on a mounted handle stops its traffic', async (t) => {
  const { c, page } = await polling(t, 'destroy', 'stage-test');
  await page.evaluate(() => {
    if (!window.exportHandle) throw new Error('the page mounted no button');
    window.exportHandle.destroy();
  });
  await sleep(300);
  await assertQuiet(c, 4000, 'no request after destroy()');
  assert.equal(await page.locator('.k12x').count(), 0, 'the button is gone');
});

test('keyboard only: Tab to the button, Enter starts, focus shows the popover, Esc closes it', async (t) => {
  const c = client('keys');
  const { page } = await open(t);
  await page.goto(`${BASE}/examples/homework.html?client=${c}&durationMs=20000&termId=1003`);
  const button = exportButton(page);
  await button.waitFor();
  for (let i = 0; i < 12; i++) {
    await page.keyboard.press('Tab');
    if (await button.focused()) break;
  }
  assert.ok(await button.focused(), 'reachable with Tab');
  await page.keyboard.press('Enter');
  await until('exporting', async () => (await button.attr('aria-busy')) === 'true');
  const pop = page.locator('[role=tooltip]');
  await pop.waitFor({ state: 'visible' });
  assert.ok(await button.focused(), 'focus stays on the button');
  const describedBy = await button.attr('aria-describedby');
  assert.equal(describedBy, await pop.attr('id'));
  await page.screenshot(shotPath('keyboard-focus-popover'));
  await page.keyboard.press('Escape');
  await pop.waitFor({ state: 'hidden' });
  await page.keyboard.press('Enter');
  await sleep(300);
  assert.equal((await requests(c)).filter((r) => r.path.endsWith('/homework/export')).length, 1, 'Enter while busy starts nothing');
});

test('homework page in a narrow window: the popover of the button near the right edge stays inside the viewport', async (t) => {
  const c = client('edge');
  const { page } = await open(t, { width: 1000, height: 700 });
  await page.goto(`${BASE}/examples/homework.html?client=${c}&durationMs=20000`);
  const button = exportButton(page);
  await button.click();
  await button.hover();
  const pop = page.locator('[role=tooltip]');
  await pop.waitFor({ state: 'visible' });
  const b = await button.box();
  assert.ok(b.x + 300 > 1000, `the button sits near the right edge (x ${b.x})`);
  const r = await pop.box();
  assert.ok(r.left >= 0 && r.right <= 1000, `inside the viewport horizontally: ${r.left} .. ${r.right}`);
  assert.ok(r.top >= 0 && r.bottom <= 700, `inside the viewport vertically: ${r.top} .. ${r.bottom}`);
  await page.screenshot(shotPath('narrow-window-popover'));
  assert.deepEqual(await page.errors(), []);
});
