// One export across tabs: two tabs of the same profile on the same page run one job. The second
// tab shows the running export (busy, popover, percent) without a request of its own, the file is
// downloaded once, in the tab that started it; when that tab is closed mid-export, the other one
// takes the job over, polls it and downloads the file. In every engine: two pages of one
// Playwright context in Chromium, two windows of one WebDriver session in Firefox and WebKit. What
// each tab sent and downloaded is recorded in its page (its fetches of the export's API, the
// downloads the widget starts), the server's log and the download folder telling the rest.
import test from 'node:test';
import assert from 'node:assert/strict';
import { open, openTab, onlyIn, BASE, client, requests, jobs, until, sleep, exportButton, shotPath } from './lib.mjs';

/** @typedef {import('./driver/index.mjs').Page} Page */
/** @typedef {{ path: string, at: number }} Sent */
/** @typedef {import('node:test').TestContext} TestContext */

/** @param {string} path */
const isStart = (path) => /\/homework\/export$/.test(path);
/** @param {string} path */
const isPoll = (path) => /\/homework\/export\/process$/.test(path);

/**
 * Starts recording, in `tab`'s page, what the widget there does: its requests to the export's
 * API (the org API's paths but the term list, each with the time it was sent, as the page's
 * resource timing reports them once answered) and the downloads it starts (it adds an element
 * marked `data-k12x-download` for each: a link it clicks, or a frame). The page is only watched,
 * not changed. Read back by `sent` and `downloaded`; the record goes with the page.
 * @param {Page} tab
 * @param {string} prefix The paths recorded: those starting with it.
 */
async function watch(tab, prefix = '/j/org/') {
  await tab.evaluate((prefix) => {
    const record = { sent: /** @type {{ path: string, at: number }[]} */ ([]), downloads: 0 };
    window.__k12xTab = record;
    new PerformanceObserver((entries) => {
      for (const e of entries.getEntries()) {
        const path = new URL(e.name).pathname;
        // The time it was sent, on the clock of the tests (Date.now()), not the page's.
        if (path.startsWith(prefix) && path !== '/j/org/terms') record.sent.push({ path, at: Date.now() - performance.now() + e.startTime });
      }
    }).observe({ type: 'resource', buffered: true });
    new MutationObserver((changes) => {
      for (const change of changes) {
        for (const node of change.addedNodes) if (node instanceof Element && node.matches('[data-k12x-download]')) record.downloads += 1;
      }
    }).observe(document, { childList: true, subtree: true });
  }, prefix);
}

/** @param {Page} tab @returns {Promise<{ sent: Sent[], downloads: number }>} */
const recorded = async (tab) => {
  const r = await tab.evaluate(() => window.__k12xTab ?? null);
  if (!r) throw new Error('nothing recorded in this tab: watch() it after its page loads');
  return r;
};
/** The export's requests `tab` sent so far, answered, in the order sent. @param {Page} tab */
const sent = async (tab) => (await recorded(tab)).sent.sort((a, b) => a.at - b.at);
/** The downloads the widget started in each tab so far. @param {Page[]} tabs */
const downloaded = async (...tabs) => Promise.all(tabs.map(async (tab) => (await recorded(tab)).downloads));

/**
 * Both tabs on the homework page of client `c`, their live buttons ready, watched.
 * @param {TestContext} t
 * @param {string} c
 * @param {number} durationMs
 */
async function twoTabs(t, c, durationMs) {
  const { page: first } = await open(t);
  const second = await openTab(t, first);
  const url = `${BASE}/examples/homework.html?client=${c}&durationMs=${durationMs}`;
  for (const tab of [first, second]) {
    await tab.goto(url);
    // The live widget (not the loader's placeholder) renders the button inside its shadow root.
    await until('the live button', () => tab.evaluate(`() => !!document.getElementById('export').handle`));
    await watch(tab);
  }
  return { first, second };
}

/** @param {Page} tab */
const busy = async (tab) => (await exportButton(tab).attr('aria-busy')) === 'true';

/**
 * Two tabs as `twoTabs`, the export started in the first and polled, the second following it.
 * @param {TestContext} t
 * @param {string} c
 * @param {number} durationMs
 */
async function underWay(t, c, durationMs) {
  const tabs = await twoTabs(t, c, durationMs);
  await exportButton(tabs.first).click();
  await until('the second tab busy', () => busy(tabs.second));
  await until('the job under way', async () => (await sent(tabs.first)).some((r) => isPoll(r.path)));
  return tabs;
}
/** @param {Page} tab */
const percent = (tab) => tab.locator('.k12x-pop-pct').evaluate((el) => el.textContent, null, 200).catch(() => null);

test('two tabs, one job: the second tab shows the running export without a request; one file, in the first tab', async (t) => {
  const c = client('tabs');
  const { first, second } = await twoTabs(t, c, 4000);
  const saved = first.expectDownload({ timeout: 20000 });
  await exportButton(first).click();
  await until('the second tab busy, not clicked', () => busy(second));
  // A click there starts nothing: it opens the popover, as on the busy button of the first tab.
  await exportButton(second).click();
  await second.locator('[role=tooltip]').waitFor({ state: 'visible' });
  assert.equal(await second.locator('.k12x-pop-name').text(), 'K12作业统计-2024春季班.xlsx');
  const pct = await until('a percent in the second tab', async () => {
    const p = await percent(second);
    return p && Number(p.replace('%', '')) > 0 ? p : null;
  });
  await sleep(700); // the bar's transition to the percent
  await second.screenshot(shotPath('tabs-follower-popover'));
  assert.match(pct, /^\d+%$/);
  const { name } = await saved;
  assert.equal(name, 'K12作业统计-2024春季班.xlsx');
  await until('the second tab idle again', async () => !(await busy(second)));
  await sleep(800); // a second download would have started by now
  assert.deepEqual(await downloaded(first, second), [1, 0], 'one download, in the tab that started the export');
  assert.deepEqual(await sent(second), [], 'the second tab sent no request of the export');
  assert.equal((await jobs(c)).length, 1, 'one job on the server');
  const log = await requests(c);
  const starts = log.filter((r) => isStart(r.path));
  assert.equal(starts.length, (await sent(first)).filter((r) => isStart(r.path)).length, 'every start call came from the first tab');
  const calls = log.filter((r) => isStart(r.path) || isPoll(r.path)).length;
  assert.equal(calls, (await sent(first)).length + (await sent(second)).length, 'every request of the export seen in one of the tabs');
  const firstPoll = log.findIndex((r) => isPoll(r.path));
  assert.equal(log.slice(0, firstPoll).filter((r) => isStart(r.path)).length, 1, 'one start request');
  assert.deepEqual(await first.errors(), []);
  assert.deepEqual(await second.errors(), []);
});

test('the first tab closed mid-export: the second takes the job over, polls it and downloads the file', async (t) => {
  const c = client('takeover');
  const { first, second } = await underWay(t, c, 6000);
  await sleep(1000);
  assert.deepEqual(await downloaded(first), [0], 'the first tab, closed before the end, downloads nothing');
  const saved = second.expectDownload({ timeout: 30000 });
  const closedAt = Date.now();
  // Closing the tab only (not its profile, which the second tab shares), as a user would.
  await first.close();
  await exportButton(second).hover();
  await second.locator('[role=tooltip]').waitFor({ state: 'visible' });
  assert.ok(await busy(second), 'still busy after the first tab closed');
  await until('the second tab polling', async () => (await sent(second)).some((r) => isPoll(r.path)));
  await second.screenshot(shotPath('tabs-taken-over-popover'));
  const { name } = await saved;
  assert.equal(name, 'K12作业统计-2024春季班.xlsx');
  const all = await sent(second);
  const after = all.filter((r) => r.at >= closedAt);
  assert.ok(after.some((r) => isStart(r.path)), 'the second tab re-attached with a start call');
  assert.ok(after.some((r) => isPoll(r.path)), 'and polled');
  assert.deepEqual(all.filter((r) => r.at < closedAt), [], 'nothing from the second tab before');
  assert.deepEqual(await downloaded(second), [1], 'the second tab downloaded the file');
  assert.equal((await jobs(c)).length, 1, 'the same job, taken over, not a second one');
  await until('the second tab idle again', async () => !(await busy(second)));
  assert.deepEqual(await second.errors(), []);
});

test('share="false": each tab exports on its own', async (t) => {
  const c = client('noshare');
  const { first, second } = await twoTabs(t, c, 1500);
  for (const tab of [first, second]) await tab.evaluate(`() => document.getElementById('export').setAttribute('share', 'false')`);
  await sleep(100);
  const saved = [first.expectDownload({ timeout: 20000 }), second.expectDownload({ timeout: 20000 })];
  await exportButton(first).click();
  await until('the first tab busy', () => busy(first));
  await sleep(500);
  assert.equal(await busy(second), false, 'the second tab does not follow');
  await exportButton(second).click();
  await Promise.all(saved);
  assert.deepEqual(await downloaded(first, second), [1, 1]);
  assert.ok((await sent(second)).some((r) => isStart(r.path)), 'the second tab started on its own');
});

test('取消导出 in the following tab cancels the one export: both tabs idle, no file, no more polling', async (t) => {
  const c = client('tabcancel');
  const { first, second } = await underWay(t, c, 8000);
  await exportButton(second).hover();
  const cancel = second.locator('[role=tooltip]').locator('button', { text: '取消导出' });
  await cancel.waitFor();
  await cancel.click();
  await until('the first tab idle', async () => !(await busy(first)));
  await until('the second tab idle', async () => !(await busy(second)));
  const polled = (await sent(first)).length;
  await sleep(2500);
  assert.equal((await sent(first)).length, polled, 'the first tab sent nothing after the cancel');
  assert.deepEqual(await sent(second), [], 'the second tab sent no request of the export');
  assert.deepEqual(await downloaded(first, second), [0, 0], 'no file in either tab');
  assert.deepEqual(await first.errors(), []);
  assert.deepEqual(await second.errors(), []);
});

// ---- what no other tab or page can undo, wedge or start -------------------------------------

/**
 * Puts `tab` in the background as a browser does: `document.hidden`, a `visibilitychange`, and its
 * timers throttled to wake-ups on whole seconds (Chromium's background-tab timer alignment).
 * @param {Page} tab
 */
async function background(tab) {
  await tab.evaluate(() => {
    const later = window.setTimeout.bind(window);
    /** @type {(f: TimerHandler, ms?: number, ...args: unknown[]) => number} */
    const throttled = (f, ms = 0, ...args) => {
      const now = performance.now();
      return later(f, Math.ceil((now + Math.max(0, Number(ms) || 0)) / 1000) * 1000 - now, ...args);
    };
    window.setTimeout = /** @type {typeof window.setTimeout} */ (throttled);
    for (const [k, v] of /** @type {[string, unknown][]} */ ([['hidden', true], ['visibilityState', 'hidden']])) {
      Object.defineProperty(document, k, { configurable: true, get: () => v });
    }
    document.dispatchEvent(new Event('visibilitychange'));
  });
}

/** @param {Page} tab */
const cancelIn = async (tab) => {
  await exportButton(tab).hover();
  const cancel = tab.locator('[role=tooltip]').locator('button', { text: '取消导出' });
  await cancel.waitFor();
  await cancel.click();
};

test('取消导出 in a following tab while the running tab is in the background: no tab starts the job again, no file', async (t) => {
  const c = client('bgcancel');
  const { first, second } = await underWay(t, c, 5000);
  await background(first);
  await sleep(1200); // a wake-up or two of the throttled tab
  const cancelledAt = Date.now();
  await cancelIn(second);
  assert.equal(await busy(second), false, 'the following tab is idle at once');
  await until('the running tab idle', async () => !(await busy(first)), 5000);
  // Past the job's end on the server: a tab that took the job over would have its file by now.
  await sleep(6500);
  assert.deepEqual(await downloaded(first, second), [0, 0], 'no file in either tab');
  assert.deepEqual((await sent(second)).filter((r) => r.at >= cancelledAt), [], 'the following tab started nothing');
  assert.ok(!(await sent(first)).some((r) => r.at >= cancelledAt + 1500), 'the running tab stopped polling');
  assert.equal(await busy(second), false);
  assert.deepEqual(await second.errors(), []);
});

test('a running tab frozen by a dialog wedges no other tab: a following tab frees its button at once, and exports on its own when clicked', onlyIn(['chromium', 'firefox'], 'WebKitWebDriver never answers a switch to a window that shows a dialog, so the frozen tab could be neither answered nor closed'), async (t) => {
  const c = client('frozen');
  /** @type {import('./driver/page.mjs').Dialog | null} */
  let dialog = null;
  // Registered first, so run first: the frozen tab answers before its tabs close.
  t.after(() => dialog?.dismiss());
  const { first, second } = await underWay(t, c, 8000);
  // alert() in the running tab: its page runs nothing until the dialog is closed. Nothing is sent
  // to that tab from now on: a command there would answer the dialog (WebDriver's default).
  const opened = first.expectDialog();
  await first.evaluate(() => { setTimeout(() => alert('另一个对话框'), 50); });
  const shown = await opened;
  dialog = shown;
  assert.equal(shown.message, '另一个对话框');
  // The following tab's cancel frees its own button, whether the running tab answers or not.
  await cancelIn(second);
  assert.equal(await busy(second), false, 'idle at once');
  // Its user asks again: the running tab does not answer, so this tab exports on its own (its
  // start re-attaches to the job on the server) and gets the file.
  const saved = second.expectDownload({ timeout: 40000 });
  const clickedAt = Date.now();
  await exportButton(second).click();
  await until('the second tab busy', () => busy(second));
  const { name } = await saved;
  assert.equal(name, 'K12作业统计-2024春季班.xlsx');
  const waited = ((await sent(second)).find((r) => r.at >= clickedAt)?.at ?? Infinity) - clickedAt;
  assert.ok(waited < 10_000, `it began within two unanswered asks (${waited} ms)`);
  assert.deepEqual(await downloaded(second), [1]);
  assert.equal((await jobs(c)).length, 1, 'the same job, re-attached, not a second one');
  dialog = null;
  await shown.dismiss();
});

/**
 * A page of the same site that posts on the widget's channel, listening to it too.
 * @param {TestContext} t
 * @param {Page} first
 */
async function forger(t, first) {
  const page = await openTab(t, first);
  await page.goto(`${BASE}/examples/`);
  await page.evaluate(() => {
    window.k12xHeard = [];
    const channel = (window.k12xChannel = new BroadcastChannel('k12-export'));
    channel.onmessage = (e) => window.k12xHeard?.push(e.data);
  });
  return page;
}

/** The key of a job, heard on the channel (`null` until one is). @param {Page} page */
const heardKey = (page) => page.evaluate(() => {
  for (const text of window.k12xHeard ?? []) {
    /** @type {unknown} */
    let m;
    try {
      m = JSON.parse(text);
    } catch (e) {
      if (!(e instanceof SyntaxError)) throw e;
      continue; // not a message of the widget's
    }
    if (typeof m === 'object' && m !== null && 'key' in m && typeof m.key === 'string') return m.key;
  }
  return null;
});

test('the channel is trusted with nothing: a message from any page of the site starts no export, and no script link is shown', async (t) => {
  const c = client('forged');
  const { page: first } = await open(t);
  const evil = await forger(t, first);
  const url = `${BASE}/examples/homework.html?client=${c}&durationMs=4000`;
  await first.goto(url);
  await until('the live button', () => first.evaluate(`() => !!document.getElementById('export').handle`));
  await watch(first, '/j/org/1001');
  const key = await until('the key of the job, heard on the channel', () => heardKey(evil));
  // "This job runs" (its view at 40%), again and again: nobody holds its lock, so it is not true.
  const view = [1, 1, 'K12作业统计-2024春季班.xlsx', 40, null, false, null, null, null, false, null, null, null];
  await evil.evaluate((/** @type {[string, unknown[]]} */ [key, view]) => {
    window.k12xForge = window.setInterval(() => window.k12xChannel?.postMessage(JSON.stringify({ key, type: 'view', view })), 200);
  }, [key, view]);
  await sleep(3000);
  await evil.evaluate(() => clearInterval(window.k12xForge));
  assert.equal(await busy(first), false, 'the idle tab did not follow a job nobody runs');
  assert.deepEqual(await sent(first), [], 'and sent no request');
  assert.deepEqual(await downloaded(first), [0]);

  // A real job now, followed in a second tab; a forged end carrying a script link.
  const second = await openTab(t, first);
  await second.goto(url);
  await until('the second live button', () => second.evaluate(`() => !!document.getElementById('export').handle`));
  await exportButton(first).click();
  await until('the second tab follows', () => busy(second));
  const end = [2, 1, 'x.xlsx', 100, null, false, null, null, null, true, 'javascript:window.k12xPwned=1', 'x.xlsx', null];
  await evil.evaluate((/** @type {[string, unknown[]]} */ [key, end]) => window.k12xChannel?.postMessage(JSON.stringify({ key, type: 'end', view: end })), [key, end]);
  await until('the second tab shows the end', async () => !(await busy(second)));
  const links = await second.evaluate(() => {
    /** @type {string[]} */
    const hrefs = [];
    /** @param {Document | ShadowRoot} root */
    const walk = (root) => {
      for (const a of root.querySelectorAll('a[href]')) hrefs.push(a.getAttribute('href') ?? '');
      for (const el of root.querySelectorAll('*')) if (el.shadowRoot) walk(el.shadowRoot);
    };
    walk(document);
    return hrefs;
  });
  assert.ok(!links.some((h) => /^\s*(javascript|data):/i.test(h)), `no script link: ${links.join(', ')}`);
  assert.equal(await second.evaluate(() => window.k12xPwned ?? null), null);
});
