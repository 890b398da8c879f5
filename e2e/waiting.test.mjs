// Cancel, honest waiting, background tabs and in-app browsers, end to end on the homework page
// (the <k12-export-button> element, the built bundle) against the mock backend.
//
// A hidden tab: headless Chromium keeps every page visible (a second page in front, a minimised
// window: `document.visibilityState` stays "visible"), and so do the WebDriver engines here, so
// the test makes `document.hidden`/`visibilityState` say "hidden" and fires `visibilitychange`,
// as the browser does when the user switches tabs.
import test from 'node:test';
import assert from 'node:assert/strict';
import { open, BASE, ENGINE, client, requests, until, sleep, exportButton, shotPath, onlyIn } from './lib.mjs';

const PAGE_TITLE = '作业统计 · K12 教学管理';

/** The homework page for `c`, with extra export parameters (the mock's scenario knobs). */
async function homework(t, c, query = {}, size = {}) {
  const { page } = await open(t, size);
  const q = new URLSearchParams({ client: c, ...query });
  await page.goto(`${BASE}/examples/homework.html?${q}`);
  const button = exportButton(page);
  await button.waitFor();
  return { page, button };
}

/** Sets the widget's extra options (the element's `options` attribute) and listens to its events. */
async function configure(page, options) {
  await page.evaluate((o) => {
    const el = document.getElementById('export');
    window.k12xEvents = [];
    for (const name of ['export-start', 'export-done', 'export-error', 'export-cancel']) {
      el.addEventListener(name, (e) => window.k12xEvents.push({ name, detail: e.detail ?? null }));
    }
    el.setAttribute('options', JSON.stringify(o));
  }, options);
  // The element renders the change in a microtask; the button is redrawn by the runtime.
  await sleep(200);
}

/** Makes the page say it is hidden (or visible again), as a tab switch does. */
async function setHidden(page, hidden) {
  await page.evaluate((h) => {
    for (const [k, v] of [['hidden', h], ['visibilityState', h ? 'hidden' : 'visible']]) {
      Object.defineProperty(document, k, { configurable: true, get: () => v });
    }
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);
}

const status = (page) => page.locator('.k12x').attr('data-status');

test('a stalled export says how long it has waited; 取消导出 stops the polling at once, returns the button to idle, and nothing downloads later', async (t) => {
  const c = client('cancel');
  const { page, button } = await homework(t, c, { scenario: 'never-finishes', durationMs: '2000' });
  await configure(page, {});
  await button.click();
  await until('busy', async () => (await button.attr('aria-busy')) === 'true');
  await button.hover();
  const pop = page.locator('[role=tooltip]');
  await pop.waitFor({ state: 'visible' });
  // It stops at 63% (after 2 s × 63%); 15 s later the popover says the server is still working.
  const state = pop.locator('.k12x-pop-status');
  await until('the stalled text', async () => (await state.text()).startsWith('服务器仍在处理，已等待'), 30_000);
  const text = await state.text();
  assert.match(text, /^服务器仍在处理，已等待 \d+ 秒$/, text);
  assert.equal(await pop.locator('.k12x-pop-pct').text(), '63%');
  await page.screenshot(shotPath('waiting-stalled'));

  const cancel = pop.locator('button', { text: '取消导出' });
  await cancel.waitFor();
  const noDownload = page.expectDownload({ timeout: 4000 });
  await cancel.click();
  await until('idle', async () => (await status(page)) === 'idle');
  assert.equal(await button.attr('aria-busy'), null);
  assert.equal(await button.attr('aria-disabled'), null, 'clickable again');
  const polled = (await requests(c)).length;
  await sleep(3000);
  assert.equal((await requests(c)).length, polled, 'the mock saw no request after the cancel');
  await assert.rejects(noDownload, 'no download happens later');
  const events = await page.evaluate(() => window.k12xEvents);
  assert.deepEqual(events.filter((e) => e.name === 'export-cancel').map((e) => e.detail), [{ by: 'user', message: null }]);
  assert.ok(!events.some((e) => e.name === 'export-error'), 'a cancel is not an error');
  await page.screenshot(shotPath('waiting-cancelled'));
  assert.deepEqual(await page.errors(), []);
});

test('a hidden tab shows the percent in its title, then the end until it is seen; the page title comes back exactly', async (t) => {
  const c = client('title');
  const { page, button } = await homework(t, c, { durationMs: '4000' });
  await configure(page, { titleProgress: true });
  assert.equal(await page.evaluate(() => document.title), PAGE_TITLE);
  const download = page.expectDownload({ timeout: 30_000 });
  await button.click();
  await setHidden(page, true);
  await until('the percent in the title', async () => / 导出中 – 作业统计 · K12 教学管理$/.test(await page.evaluate(() => document.title)));
  assert.match(await page.evaluate(() => document.title), /^(\d+%|…) 导出中 – /);
  await download;
  await until('the end in the title', async () => (await page.evaluate(() => document.title)) === `✓ 导出完成 – ${PAGE_TITLE}`);
  await sleep(500);
  assert.equal(await page.evaluate(() => document.title), `✓ 导出完成 – ${PAGE_TITLE}`, 'stays until seen');
  await setHidden(page, false);
  await until('the page title back', async () => (await page.evaluate(() => document.title)) === PAGE_TITLE);
  assert.deepEqual(await page.errors(), []);
});

test('in an in-app browser (WeChat user agent) the file is not downloaded silently: guidance, the link and a copy action', onlyIn(['chromium'], 'the user agent is set through the DevTools protocol'), async (t) => {
  const c = client('inapp');
  const { page } = await open(t, { width: 320, height: 640 });
  const cdp = await page.context.newCDPSession(page.playwright);
  await cdp.send('Emulation.setUserAgentOverride', {
    userAgent: 'Mozilla/5.0 (Linux; Android 13; V2227A) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/116.0 Mobile Safari/537.36 MicroMessenger/8.0.47.2560(0x28002F35) WeChat/arm64 NetType/WIFI Language/zh_CN',
  });
  await page.goto(`${BASE}/examples/homework.html?client=${c}&durationMs=1000`);
  const button = exportButton(page);
  await button.waitFor();
  const noDownload = page.expectDownload({ timeout: 6000 });
  await button.click();
  const panel = page.locator('.k12x-inapp');
  await panel.waitFor({ timeout: 20_000 });
  assert.equal(await panel.locator('.k12x-inapp-title').text(), '请在浏览器中打开');
  const href = await panel.locator('.k12x-inapp-link').attr('href');
  assert.match(href, /\/files\//, href);
  assert.equal(await status(page), 'done');
  await page.screenshot(shotPath('waiting-in-app-320'));
  const box = await panel.box();
  assert.ok(box.x >= 0 && box.x + box.width <= 320, `the panel stays inside a 320 px window: ${JSON.stringify(box)}`);
  await panel.locator('button', { text: '复制链接' }).click();
  const said = panel.locator('.k12x-inapp-said');
  await until('the copy answered', async () => (await said.text()) !== '');
  assert.match(await said.text(), /^(链接已复制|无法自动复制)/);
  await assert.rejects(noDownload, 'no silent download');
  const log = await requests(c);
  assert.ok(!log.some((r) => r.path.startsWith('/files/')), 'the file was never fetched');
  assert.deepEqual(await page.errors(), []);
});

test('inApp: true forces the same guidance in any browser', async (t) => {
  const c = client('inapp-forced');
  const { page, button } = await homework(t, c, { durationMs: '800' });
  await configure(page, { inApp: true });
  await button.click();
  const panel = page.locator('.k12x-inapp');
  await panel.waitFor({ timeout: 20_000 });
  assert.match(await panel.locator('.k12x-inapp-link').attr('href'), /\/files\//);
  const box = await panel.box();
  const width = await page.evaluate(() => window.innerWidth);
  assert.ok(box.x >= 0 && box.x + box.width <= width, `the panel stays inside the window: ${JSON.stringify(box)}`);
  assert.equal(await page.locator('a.k12x-fallback').text(), '下载', 'the 下载 link stays by the button');
  await page.screenshot(shotPath(`waiting-in-app-${ENGINE}`));
  assert.deepEqual(await page.errors(), []);
});
