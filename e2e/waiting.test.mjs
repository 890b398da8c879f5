// Cancel, honest waiting, background tabs and in-app browsers, end to end on the homework page
// (the <k12-export-button> element, the built bundle) against the mock backend.
//
// A hidden tab: headless Chromium keeps every page visible (a second page in front, a minimised
// window: `document.visibilityState` stays "visible"), and so do the WebDriver engines here, so
// `setHidden` (lib.mjs) makes `document.hidden`/`visibilityState` say "hidden", fires
// `visibilitychange` and throttles the page's timers, as the browser does when the user switches
// tabs.
import test from 'node:test';
import assert from 'node:assert/strict';
import { open, BASE, ENGINE, client, requests, until, sleep, exportButton, shotPath, onlyIn, setHidden, readXlsx, playwright } from './lib.mjs';

const PAGE_TITLE = '作业统计 · K12 教学管理';

/** @typedef {import('./driver/index.mjs').Page} Page */

/**
 * The homework page for `c`, with extra export parameters (the mock's scenario knobs).
 * @param {import('node:test').TestContext} t
 * @param {string} c
 * @param {Record<string, string>} [query]
 * @param {{ width?: number, height?: number }} [size]
 */
async function homework(t, c, query = {}, size = {}) {
  const { page } = await open(t, size);
  const q = new URLSearchParams({ client: c, ...query });
  await page.goto(`${BASE}/examples/homework.html?${q}`);
  const button = exportButton(page);
  await button.waitFor();
  return { page, button };
}

/**
 * Sets the widget's extra options (the element's `options` attribute) and listens to its events.
 * @param {Page} page
 * @param {Record<string, unknown>} options
 */
async function configure(page, options) {
  await page.evaluate((o) => {
    const el = document.getElementById('export');
    if (!el) throw new Error('no #export');
    /** @type {{ name: string, detail: unknown }[]} */
    const events = (window.k12xEvents = []);
    for (const name of ['export-start', 'export-done', 'export-error', 'export-cancel']) {
      el.addEventListener(name, (e) => events.push({ name, detail: (e instanceof CustomEvent ? e.detail : null) ?? null }));
    }
    el.setAttribute('options', JSON.stringify(o));
  }, options);
  // The element renders the change in a microtask; the button is redrawn by the runtime.
  await sleep(200);
}

/** @param {Page} page */
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
  const events = await page.evaluate(() => window.k12xEvents ?? []);
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
  const p = playwright(page);
  const cdp = await p.context().newCDPSession(p);
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
  const href = (await panel.locator('.k12x-inapp-link').attr('href')) ?? '';
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
  assert.match((await panel.locator('.k12x-inapp-link').attr('href')) ?? '', /\/files\//);
  const box = await panel.box();
  const width = await page.evaluate(() => window.innerWidth);
  assert.ok(box.x >= 0 && box.x + box.width <= width, `the panel stays inside the window: ${JSON.stringify(box)}`);
  assert.equal(await page.locator('a.k12x-fallback').text(), '下载', 'the 下载 link stays by the button');
  await page.screenshot(shotPath(`waiting-in-app-${ENGINE}`));
  assert.deepEqual(await page.errors(), []);
});

/** @param {Page} page */
const title = (page) => page.evaluate(() => document.title);
/** @param {Page} page @param {string} id */
const statusOf = (page, id) => page.locator(`#${id}`).locator('.k12x').attr('data-status');

test('two buttons of one page in a hidden tab: one title for both (the least advanced percent and how many), then the end, then exactly the page title', async (t) => {
  const c = client('titles');
  // Terms whose files no other test here expects by name.
  const { page } = await homework(t, c, { durationMs: '3000', termId: '1005' });
  await configure(page, { titleProgress: true });
  // A second export button on the page: another term, a longer job.
  await page.evaluate((c) => {
    const first = document.getElementById('export');
    if (!first) throw new Error('no #export');
    const second = document.createElement('k12-export-button');
    second.id = 'export2';
    second.setAttribute('config', first.getAttribute('config') ?? '');
    second.setAttribute('data', JSON.stringify({ termId: 1003, termName: '2024秋季班', client: c, durationMs: '6000' }));
    second.setAttribute('filename', 'K12作业统计-{termName}');
    second.setAttribute('options', JSON.stringify({ titleProgress: true }));
    first.after(second);
  }, c);
  const second = page.locator('#export2').locator('.k12x-btn');
  await second.waitFor();
  await page.locator('#export').locator('.k12x-btn').click();
  await second.click();
  await setHidden(page, true);
  /** @type {string[]} */
  const seen = [];
  await until('both exports done', async () => {
    seen.push(await title(page));
    return (await statusOf(page, 'export')) === 'done' && (await statusOf(page, 'export2')) === 'done';
  }, 40_000);
  const forms = [
    new RegExp(`^(\\d+%|…) 导出中（共 2 个）– ${PAGE_TITLE}$`),
    new RegExp(`^(\\d+%|…) 导出中 – ${PAGE_TITLE}$`),
    new RegExp(`^✓ 导出完成 – ${PAGE_TITLE}$`),
  ];
  for (const s of new Set(seen)) assert.ok(forms.some((f) => f.test(s)), `one title for the page, not one per button: ${JSON.stringify(s)}`);
  assert.ok(seen.some((s) => forms[0].test(s)), `both exports counted: ${JSON.stringify([...new Set(seen)])}`);
  await until('the end in the title', async () => (await title(page)) === `✓ 导出完成 – ${PAGE_TITLE}`);
  await sleep(500);
  assert.equal(await title(page), `✓ 导出完成 – ${PAGE_TITLE}`, 'stays until seen');
  await setHidden(page, false);
  await until('the page title back', async () => (await title(page)) === PAGE_TITLE);
  await sleep(1500);
  assert.equal(await title(page), PAGE_TITLE, 'and it stays');
  assert.deepEqual(await page.errors(), []);
});

test('a title the page sets during an export stays: no later progress or end overwrites it; the next export shows itself again', async (t) => {
  const c = client('own-title');
  const { page, button } = await homework(t, c, { durationMs: '5000', termId: '1005' });
  await configure(page, { titleProgress: true });
  await button.click();
  await setHidden(page, true);
  await until('the percent in the title', async () => / 导出中 – 作业统计 · K12 教学管理$/.test(await title(page)));
  const own = '作业统计（3 条新消息）';
  await page.evaluate((own) => {
    document.title = own;
  }, own);
  const seen = new Set();
  await until('done', async () => {
    seen.add(await title(page));
    return (await status(page)) === 'done';
  }, 30_000);
  await sleep(1500);
  seen.add(await title(page));
  assert.deepEqual([...seen], [own], 'the page keeps its own title');
  await setHidden(page, false);
  assert.equal(await title(page), own);
  // The next export in a hidden tab shows itself again, on the page's new title, and gives it back.
  await button.click();
  await setHidden(page, true);
  await until('the percent again', async () => (await title(page)).endsWith(` 导出中 – ${own}`), 20_000);
  await until('the end again', async () => (await title(page)) === `✓ 导出完成 – ${own}`, 30_000);
  await setHidden(page, false);
  assert.equal(await title(page), own);
  assert.deepEqual(await page.errors(), []);
});

const ANDROID_CHROME = 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36';

test('notify: the permission is asked from the click in a desktop browser, never in Android Chrome, which cannot show a page notification', async (t) => {
  for (const [ua, asked] of /** @type {[string | null, number][]} */ ([[null, 1], [ANDROID_CHROME, 0]])) {
    // A start the server refuses at once: the click is what matters, and nothing downloads.
    const { page, button } = await homework(t, client('notify'), { scenario: 'code-error-start' });
    await configure(page, { notify: true });
    await page.evaluate((ua) => {
      window.k12xAsked = 0;
      // An engine without notifications gets a stand-in: the question is whether the widget asks.
      if (typeof Notification !== 'function') window.Notification = /** @type {typeof Notification} */ (/** @type {unknown} */ (function Notification() {}));
      Object.defineProperty(Notification, 'permission', { configurable: true, get: () => 'default' });
      Notification.requestPermission = () => {
        window.k12xAsked = (window.k12xAsked ?? 0) + 1;
        return Promise.resolve('default');
      };
      if (ua) Object.defineProperty(navigator, 'userAgent', { configurable: true, get: () => ua });
    }, ua);
    await button.click();
    await until('the export ran', async () => (await status(page)) === 'failed', 20_000);
    assert.equal(await page.evaluate(() => window.k12xAsked), asked, ua ?? 'desktop');
    assert.deepEqual(await page.errors(), []);
    await page.close();
  }
});

/** Makes the page's clipboard a recorder (headless browsers refuse the real one). @param {Page} page */
const recordClipboard = (page) =>
  page.evaluate(() => {
    Object.defineProperty(navigator, 'clipboard', {
      configurable: true,
      value: { writeText: async (/** @type {string} */ text) => void (window.k12xCopied = text) },
    });
  });

test('a relative link (/files/…) is shown, linked and copied absolute in the in-app panel, and downloads as before', async (t) => {
  const c = client('relative');
  const { page, button } = await homework(t, c, { scenario: 'relative-url', durationMs: '800' });
  await configure(page, { inApp: true });
  await recordClipboard(page);
  const here = await page.evaluate(() => location.href);
  await button.click();
  const panel = page.locator('.k12x-inapp');
  await panel.waitFor({ timeout: 20_000 });
  const link = panel.locator('.k12x-inapp-link');
  const url = await link.text();
  assert.ok(url.startsWith(`${BASE}/files/`), `absolute: ${url}`);
  assert.equal(await link.attr('href'), url);
  assert.equal(await page.locator('a.k12x-fallback').attr('href'), url, 'the 下载 link too');
  await panel.locator('button', { text: '复制链接' }).click();
  await until('copied', async () => (await page.evaluate(() => window.k12xCopied ?? null)) !== null);
  assert.equal(await page.evaluate(() => window.k12xCopied), url);
  // The 下载 link on this origin downloads the file.
  assert.equal(await page.locator('a.k12x-fallback').attr('target'), null);
  const again = page.expectDownload({ timeout: 30_000 });
  await page.locator('a.k12x-fallback').click();
  assert.equal((await again).name, 'K12作业统计-2024春季班.xlsx');
  assert.equal(await page.evaluate(() => location.href), here);
  // Where the browser downloads, the same relative link downloads the file by itself.
  await configure(page, {});
  const download = page.expectDownload({ timeout: 30_000 });
  await button.click();
  assert.equal((await download).name, 'K12作业统计-2024春季班.xlsx');
  assert.deepEqual(await page.errors(), []);
});

test('a file on another origin, served as an attachment, downloads and the page stays', async (t) => {
  const c = client('foreign');
  const { page, button } = await homework(t, c, { scenario: 'foreign-url', durationMs: '800' });
  const here = await page.evaluate(() => location.href);
  const download = page.expectDownload({ timeout: 30_000 });
  await button.click();
  const d = await download;
  assert.equal(d.name, 'K12作业统计-2024春季班.xlsx', 'named by the server');
  assert.equal(readXlsx(d.path).length, 49);
  assert.equal(await page.evaluate(() => location.href), here);
  assert.ok((await requests(c)).some((r) => r.path.startsWith('/files/')), 'fetched from the other origin');
  assert.deepEqual(await page.errors(), []);
});

test('a download link on another origin that answers 403 with XML (an expired signed link) leaves the page where it is; the 下载 link opens in a new tab', async (t) => {
  const c = client('expired');
  const { page, button } = await homework(t, c, { scenario: 'expired-link', durationMs: '800' });
  const here = await page.evaluate(() => {
    window.k12xMarker = 'still here';
    return location.href;
  });
  await button.click();
  await until('the link followed', async () => (await requests(c)).some((r) => r.path.startsWith('/storage/')), 20_000);
  await sleep(1500);
  assert.equal(await page.evaluate(() => location.href), here, 'the page was not navigated away');
  assert.equal(await page.evaluate(() => window.k12xMarker ?? null), 'still here', 'the same document');
  assert.equal(await status(page), 'done');
  const fallback = page.locator('a.k12x-fallback');
  assert.match((await fallback.attr('href')) ?? '', /^http:\/\/localhost:\d+\/storage\//);
  assert.equal(await fallback.attr('target'), '_blank', 'opens beside the page, never in its place');
  assert.equal(await fallback.attr('rel'), 'noopener');
  assert.equal(await fallback.attr('download'), null, 'ignored on another origin anyway');
  await page.screenshot(shotPath('waiting-expired-link'));
  // The 下载 link, on another origin, opens a tab of its own: this one stays.
  const asked = (await requests(c)).filter((r) => r.path.startsWith('/storage/')).length;
  await fallback.click();
  await until('the link opened', async () => (await requests(c)).filter((r) => r.path.startsWith('/storage/')).length > asked, 20_000);
  await sleep(1000);
  assert.equal(await page.evaluate(() => location.href), here, 'the page was not navigated away by the link');
  assert.equal(await page.evaluate(() => window.k12xMarker ?? null), 'still here');
  // The browser reports the 403 of the hidden frame; nothing else went wrong.
  assert.deepEqual((await page.errors()).filter((e) => !/403|Forbidden/.test(e)), []);
});
