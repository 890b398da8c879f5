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
