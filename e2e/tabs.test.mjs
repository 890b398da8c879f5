// One export across tabs: two tabs of the same profile on the same page run one job. The second
// tab shows the running export (busy, popover, percent) without a request of its own, the file is
// downloaded once, in the tab that started it; when that tab is closed mid-export, the other one
// takes the job over, polls it and downloads the file. Chromium only: the WebDriver sessions of
// the Firefox and WebKit drivers here drive one window each.
import test from 'node:test';
import assert from 'node:assert/strict';
import { open, openTab, onlyIn, BASE, client, requests, json, until, sleep, exportButton, shotPath } from './lib.mjs';

const only = onlyIn(['chromium'], 'two tabs of one profile need a second window of the same session');
const isStart = (path) => /\/homework\/export$/.test(path);
const isPoll = (path) => /\/homework\/export\/process$/.test(path);

/** Both tabs on the homework page of client `c`, their live buttons ready. */
async function twoTabs(t, c, durationMs) {
  const { page: first } = await open(t);
  const second = await openTab(t, first);
  const url = `${BASE}/examples/homework.html?client=${c}&durationMs=${durationMs}`;
  const tabs = [first, second];
  const sent = tabs.map(() => []);
  const downloads = tabs.map(() => 0);
  tabs.forEach((tab, i) => {
    tab.playwright.on('request', (r) => {
      const path = new URL(r.url()).pathname;
      if (path.startsWith('/j/org/') && path !== '/j/org/terms') sent[i].push({ path, at: Date.now() });
    });
    tab.playwright.on('download', () => { downloads[i] += 1; });
  });
  for (const tab of tabs) {
    await tab.goto(url);
    // The live widget (not the loader's placeholder) renders the button inside its shadow root.
    await until('the live button', () => tab.evaluate(`() => !!document.getElementById('export').handle`));
  }
  return { first, second, sent, downloads };
}

const busy = async (tab) => (await exportButton(tab).attr('aria-busy')) === 'true';

/** Two tabs as `twoTabs`, the export started in the first and polled, the second following it. */
async function underWay(t, c, durationMs) {
  const tabs = await twoTabs(t, c, durationMs);
  await exportButton(tabs.first).click();
  await until('the second tab busy', () => busy(tabs.second));
  await until('the job under way', () => tabs.sent[0].some((r) => isPoll(r.path)));
  return tabs;
}
const percent = (tab) => tab.locator('.k12x-pop-pct').evaluate((el) => el.textContent, null, 200).catch(() => null);

test('two tabs, one job: the second tab shows the running export without a request; one file, in the first tab', only, async (t) => {
  const c = client('tabs');
  const { first, second, sent, downloads } = await twoTabs(t, c, 4000);
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
  assert.deepEqual(downloads, [1, 0], 'one download, in the tab that started the export');
  assert.deepEqual(sent[1], [], 'the second tab sent no request of the export');
  const jobs = (await json(`/__mock/jobs?client=${c}`)).jobs;
  assert.equal(jobs.length, 1, 'one job on the server');
  const log = await requests(c);
  const starts = log.filter((r) => isStart(r.path));
  assert.equal(starts.length, sent[0].filter((r) => isStart(r.path)).length, 'every start call came from the first tab');
  const firstPoll = log.findIndex((r) => isPoll(r.path));
  assert.equal(log.slice(0, firstPoll).filter((r) => isStart(r.path)).length, 1, 'one start request');
  assert.deepEqual(await first.errors(), []);
  assert.deepEqual(await second.errors(), []);
});

test('the first tab closed mid-export: the second takes the job over, polls it and downloads the file', only, async (t) => {
  const c = client('takeover');
  const { first, second, sent, downloads } = await underWay(t, c, 6000);
  await sleep(1000);
  const saved = second.expectDownload({ timeout: 30000 });
  const closedAt = Date.now();
  // Closing the tab only (not its profile, which the second tab shares), as a user would.
  await first.playwright.close({ runBeforeUnload: true });
  await exportButton(second).hover();
  await second.locator('[role=tooltip]').waitFor({ state: 'visible' });
  assert.ok(await busy(second), 'still busy after the first tab closed');
  await until('the second tab polling', () => sent[1].some((r) => isPoll(r.path)));
  await second.screenshot(shotPath('tabs-taken-over-popover'));
  const { name } = await saved;
  assert.equal(name, 'K12作业统计-2024春季班.xlsx');
  const after = sent[1].filter((r) => r.at >= closedAt);
  assert.ok(after.some((r) => isStart(r.path)), 'the second tab re-attached with a start call');
  assert.ok(after.some((r) => isPoll(r.path)), 'and polled');
  assert.deepEqual(sent[1].filter((r) => r.at < closedAt), [], 'nothing from the second tab before');
  assert.equal(downloads[1], 1, 'the second tab downloaded the file');
  assert.equal(downloads[0], 0, 'the first tab, closed before the end, did not');
  const jobs = (await json(`/__mock/jobs?client=${c}`)).jobs;
  assert.equal(jobs.length, 1, 'the same job, taken over, not a second one');
  await until('the second tab idle again', async () => !(await busy(second)));
  assert.deepEqual(await second.errors(), []);
});

test('share="false": each tab exports on its own', only, async (t) => {
  const c = client('noshare');
  const { first, second, sent, downloads } = await twoTabs(t, c, 1500);
  for (const tab of [first, second]) await tab.evaluate(`() => document.getElementById('export').setAttribute('share', 'false')`);
  await sleep(100);
  const saved = [first.expectDownload({ timeout: 20000 }), second.expectDownload({ timeout: 20000 })];
  await exportButton(first).click();
  await until('the first tab busy', () => busy(first));
  await sleep(500);
  assert.equal(await busy(second), false, 'the second tab does not follow');
  await exportButton(second).click();
  await Promise.all(saved);
  assert.deepEqual(downloads, [1, 1]);
  assert.ok(sent[1].some((r) => isStart(r.path)), 'the second tab started on its own');
});

test('取消导出 in the following tab cancels the one export: both tabs idle, no file, no more polling', only, async (t) => {
  const c = client('tabcancel');
  const { first, second, sent, downloads } = await underWay(t, c, 8000);
  await exportButton(second).hover();
  const cancel = second.locator('[role=tooltip]').locator('button', { text: '取消导出' });
  await cancel.waitFor();
  await cancel.click();
  await until('the first tab idle', async () => !(await busy(first)));
  await until('the second tab idle', async () => !(await busy(second)));
  const polled = sent[0].length;
  await sleep(2500);
  assert.equal(sent[0].length, polled, 'the first tab sent nothing after the cancel');
  assert.deepEqual(sent[1], [], 'the second tab sent no request of the export');
  assert.deepEqual(downloads, [0, 0], 'no file in either tab');
  assert.deepEqual(await first.errors(), []);
  assert.deepEqual(await second.errors(), []);
});

// ---- what no other tab or page can undo, wedge or start -------------------------------------

/**
 * Puts `tab` in the background as a browser does: `document.hidden`, a `visibilitychange`, and its
 * timers throttled to wake-ups on whole seconds (Chromium's background-tab timer alignment).
 */
async function background(tab) {
  await tab.evaluate(() => {
    const later = window.setTimeout.bind(window);
    window.setTimeout = (f, ms = 0, ...args) => {
      const now = performance.now();
      return later(f, Math.ceil((now + Math.max(0, Number(ms) || 0)) / 1000) * 1000 - now, ...args);
    };
    for (const [k, v] of [['hidden', true], ['visibilityState', 'hidden']]) {
      Object.defineProperty(document, k, { configurable: true, get: () => v });
    }
    document.dispatchEvent(new Event('visibilitychange'));
  });
}

const cancelIn = async (tab) => {
  await exportButton(tab).hover();
  const cancel = tab.locator('[role=tooltip]').locator('button', { text: '取消导出' });
  await cancel.waitFor();
  await cancel.click();
};

test('取消导出 in a following tab while the running tab is in the background: no tab starts the job again, no file', only, async (t) => {
  const c = client('bgcancel');
  const { first, second, sent, downloads } = await underWay(t, c, 5000);
  await background(first);
  await sleep(1200); // a wake-up or two of the throttled tab
  const cancelledAt = Date.now();
  await cancelIn(second);
  assert.equal(await busy(second), false, 'the following tab is idle at once');
  await until('the running tab idle', async () => !(await busy(first)), 5000);
  // Past the job's end on the server: a tab that took the job over would have its file by now.
  await sleep(6500);
  assert.deepEqual(downloads, [0, 0], 'no file in either tab');
  assert.deepEqual(sent[1].filter((r) => r.at >= cancelledAt), [], 'the following tab started nothing');
  assert.ok(!sent[0].some((r) => r.at >= cancelledAt + 1500), 'the running tab stopped polling');
  assert.equal(await busy(second), false);
  assert.deepEqual(await second.errors(), []);
});

test('a running tab frozen by a dialog wedges no other tab: a following tab frees its button at once, and exports on its own when clicked', only, async (t) => {
  const c = client('frozen');
  const { first, second, sent, downloads } = await underWay(t, c, 8000);
  // alert() in the running tab: its page runs nothing until the dialog is closed.
  let dialog = null;
  first.playwright.on('dialog', (d) => { dialog = d; });
  await first.evaluate(() => { setTimeout(() => alert('另一个对话框'), 0); });
  await until('the dialog open', () => dialog !== null);
  t.after(() => dialog?.dismiss().catch(() => {}));
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
  const waited = (sent[1].find((r) => r.at >= clickedAt)?.at ?? Infinity) - clickedAt;
  assert.ok(waited < 10_000, `it began within two unanswered asks (${waited} ms)`);
  assert.equal(downloads[1], 1);
  const jobs = (await json(`/__mock/jobs?client=${c}`)).jobs;
  assert.equal(jobs.length, 1, 'the same job, re-attached, not a second one');
});

/** A page of the same site that posts on the widget's channel; resolves the job's key it heard. */
async function forger(t, first) {
  const page = await openTab(t, first);
  await page.goto(`${BASE}/examples/`);
  await page.evaluate(() => {
    window.k12xHeard = [];
    window.k12xChannel = new BroadcastChannel('k12-export');
    window.k12xChannel.onmessage = (e) => window.k12xHeard.push(e.data);
  });
  return page;
}

const heardKey = (page) => page.evaluate(() => {
  for (const text of window.k12xHeard) {
    try {
      const m = JSON.parse(text);
      if (typeof m.key === 'string') return m.key;
    } catch {}
  }
  return null;
});

test('the channel is trusted with nothing: a message from any page of the site starts no export, and no script link is shown', only, async (t) => {
  const c = client('forged');
  const { page: first } = await open(t);
  const evil = await forger(t, first);
  const url = `${BASE}/examples/homework.html?client=${c}&durationMs=4000`;
  let downloads = 0;
  const sent = [];
  first.playwright.on('download', () => { downloads += 1; });
  first.playwright.on('request', (r) => { if (new URL(r.url()).pathname.startsWith('/j/org/1001')) sent.push(r.url()); });
  await first.goto(url);
  await until('the live button', () => first.evaluate(`() => !!document.getElementById('export').handle`));
  const key = await until('the key of the job, heard on the channel', () => heardKey(evil));
  // "This job runs" (its view at 40%), again and again: nobody holds its lock, so it is not true.
  const view = [1, 1, 'K12作业统计-2024春季班.xlsx', 40, null, false, null, null, null, false, null, null, null];
  await evil.evaluate(([key, view]) => {
    window.k12xForge = setInterval(() => window.k12xChannel.postMessage(JSON.stringify({ key, type: 'view', view })), 200);
  }, [key, view]);
  await sleep(3000);
  await evil.evaluate(() => clearInterval(window.k12xForge));
  assert.equal(await busy(first), false, 'the idle tab did not follow a job nobody runs');
  assert.deepEqual(sent, [], 'and sent no request');
  assert.equal(downloads, 0);

  // A real job now, followed in a second tab; a forged end carrying a script link.
  const second = await openTab(t, first);
  await second.goto(url);
  await until('the second live button', () => second.evaluate(`() => !!document.getElementById('export').handle`));
  await exportButton(first).click();
  await until('the second tab follows', () => busy(second));
  const end = [2, 1, 'x.xlsx', 100, null, false, null, null, null, true, 'javascript:window.k12xPwned=1', 'x.xlsx', null];
  await evil.evaluate(([key, end]) => window.k12xChannel.postMessage(JSON.stringify({ key, type: 'end', view: end })), [key, end]);
  await until('the second tab shows the end', async () => !(await busy(second)));
  const links = await second.evaluate(() => {
    const hrefs = [];
    const walk = (root) => {
      for (const a of root.querySelectorAll('a[href]')) hrefs.push(a.getAttribute('href'));
      for (const el of root.querySelectorAll('*')) if (el.shadowRoot) walk(el.shadowRoot);
    };
    walk(document);
    return hrefs;
  });
  assert.ok(!links.some((h) => /^\s*(javascript|data):/i.test(h)), `no script link: ${links.join(', ')}`);
  assert.equal(await second.evaluate(() => window.k12xPwned ?? null), null);
});
