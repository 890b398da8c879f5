// Fault matrix: every scenario of the mock backend (read from /__mock/scenarios, so new ones are
// covered), plus leaving the page, destroy() and removing the custom element mid-export, each
// through the real widget in Chromium (a bench page using mount(); the element case on
// /examples/homework.html), each with its own client id, several at once.
//
// For each: the outcome (export-done / export-error with its kind and message), the requests the
// mock recorded, the time from the click to the outcome, and whether anything was left polling:
// an API request (/j/...) recorded after the outcome, watched for 3 s. Outcome times are mapped
// onto the mock's clock (see Mock.syncClock). Also watched: dialogs (alert), injected <img>
// elements, downloads and their names, and the page's errors.
import { BLANK, CONFIG, Mock, clientId, countKinds, freshPage, int, pool, requestKind, sleep, table } from './lib.mjs';

const QUIET_MS = 3000;
const SHORT_TIMEOUT_MS = 8000;
const TIMEOUT_MS = 30000;

/** What the widget should do: 'done', or the failure kind. */
const EXPECTED = {
  normal: 'done', fast: 'done', slow: 'done', empty: 'done', huge: 'done',
  fail: 'server',
  'http500-once': 'done', 'http500-always': 'http', 'http502-once': 'done', 'http502-always': 'http',
  'rate-limited': 'done', 'malformed-json': 'bad-response', 'malformed-once': 'done',
  'result-null': 'done', 'string-numbers': 'done', 'loaded-over-total': 'done',
  'url-never': 'timed-out', 'never-finishes': 'timed-out',
  'javascript-url': 'unsafe-url', 'hostile-filename': 'done', 'slow-start': 'done', flaky: 'done',
  'code-error-start': 'server',
};

/** The export data and options of a scenario: short jobs, short deadlines where nothing ends. */
function settings(name) {
  const data = { termId: 1001, termName: '2024春季班', scenario: name };
  if (!['fast', 'slow', 'huge'].includes(name)) data.durationMs = 2000;
  const timeoutMs = name === 'never-finishes' || name === 'url-never' ? SHORT_TIMEOUT_MS : TIMEOUT_MS;
  return { data, timeoutMs };
}

async function watch(page) {
  const seen = { dialogs: [], downloads: [] };
  page.on('dialog', (d) => { seen.dialogs.push(d.message()); d.dismiss().catch(() => {}); });
  page.on('download', (d) => { seen.downloads.push(d.suggestedFilename()); });
  return seen;
}

/** One mock scenario through mount() on the bench page. */
async function scenario(browser, base, name) {
  const client = clientId(`fault-${name}`);
  const { data, timeoutMs } = settings(name);
  const { context, page, errors } = await freshPage(browser);
  const seen = await watch(page);
  await page.goto(base + BLANK);
  const r = await page.evaluate(async ({ config, data, timeoutMs, wait }) => {
    const d = await import('/bench/driver.js');
    const { mount } = await import('/embed/k12-export.js');
    const el = d.host();
    window.__handle = await mount(el, { config, data, filename: 'K12作业统计-{termName}', timeoutMs });
    const result = d.outcome(el, wait);
    const clickedAt = performance.timeOrigin + performance.now();
    const clicks = await d.clickUntilStarted(el, '.k12x-btn');
    const o = await result;
    await d.frame();
    return { ...o, clickedAt, clicks, toast: el.querySelector('[role=alert]')?.textContent ?? null };
  }, { config: CONFIG, data: { ...data, client }, timeoutMs, wait: timeoutMs + 15000 });
  await sleep(QUIET_MS);
  const injected = await page.evaluate(() => document.querySelectorAll('img').length);
  await page.evaluate(() => window.__handle.destroy());
  await context.close();
  return {
    name,
    client,
    expected: EXPECTED[name] ?? '?',
    outcome: r.timedOut ? 'none' : r.done ? 'done' : 'failed',
    kind: r.done || r.timedOut ? null : r.detail.kind,
    reason: r.timedOut ? `no outcome in ${(timeoutMs + 15000) / 1000} s` : r.done ? r.detail.filename : `${r.detail.kind}: ${r.detail.message}`,
    clickedAt: r.clickedAt,
    at: r.at,
    clicks: r.clicks,
    toast: r.toast,
    injected,
    seen,
    errors,
  };
}

/** Stops mid-export in one of three ways, once the widget has polled twice. */
async function interrupted(browser, base, mock, how) {
  const client = clientId(`fault-${how}`);
  const { context, page, errors } = await freshPage(browser);
  const seen = await watch(page);
  const data = { termId: 1001, termName: '2024春季班', client, durationMs: 20000 };
  let clickedAt;
  if (how === 'element-removed') {
    const q = new URLSearchParams({ client, durationMs: '20000' });
    await page.goto(`${base}/examples/homework.html?${q}`);
    // The page sets the export data (with our client id) once it has the terms.
    await page.waitForFunction((c) => (document.querySelector('k12-export-button')?.getAttribute('data') || '').includes(c), client);
    clickedAt = await page.evaluate(async () => {
      const d = await import('/bench/driver.js');
      const t = performance.timeOrigin + performance.now();
      await d.clickUntilStarted(document.querySelector('k12-export-button'), '.k12x-btn');
      return t;
    });
  } else {
    await page.goto(base + BLANK);
    clickedAt = await page.evaluate(async ({ config, data }) => {
      const d = await import('/bench/driver.js');
      const { mount } = await import('/embed/k12-export.js');
      const el = d.host();
      window.__handle = await mount(el, { config, data, filename: 'K12作业统计-{termName}' });
      addEventListener('pagehide', () => sessionStorage.setItem('pagehideAt', String(performance.timeOrigin + performance.now())));
      const t = performance.timeOrigin + performance.now();
      await d.clickUntilStarted(el, '.k12x-btn');
      return t;
    }, { config: CONFIG, data });
  }
  for (let i = 0; i < 200; i++) {
    if (countKinds(await mock.requests(client)).progress >= 2) break;
    await sleep(100);
  }
  let at;
  if (how === 'page-left') {
    await page.goto(`${base}${BLANK}?left`);
    at = Number(await page.evaluate(() => sessionStorage.getItem('pagehideAt')));
  } else if (how === 'destroy') {
    at = await page.evaluate(() => { window.__handle.destroy(); return performance.timeOrigin + performance.now(); });
  } else {
    at = await page.evaluate(() => { document.querySelector('k12-export-button').remove(); return performance.timeOrigin + performance.now(); });
  }
  await sleep(QUIET_MS);
  await context.close();
  const label = { 'page-left': 'left', destroy: 'destroyed', 'element-removed': 'removed' }[how];
  return {
    name: { 'page-left': 'page left mid-export (pagehide)', destroy: 'destroy() mid-export', 'element-removed': '<k12-export-button> removed mid-export' }[how],
    client,
    expected: label,
    outcome: label,
    kind: label,
    reason: how === 'page-left' ? 'navigated to another page after 2 progress requests' : 'after 2 progress requests',
    clickedAt,
    at,
    clicks: 1,
    toast: null,
    injected: 0,
    seen,
    errors,
  };
}

function notes(r, requests, mock) {
  const n = [];
  if (r.clicks > 1) n.push(`${r.clicks - 1} click(s) ignored after mount`);
  if (r.seen.dialogs.length) n.push(`DIALOG: ${r.seen.dialogs.join(', ')}`);
  if (r.injected) n.push(`INJECTED <img>: ${r.injected}`);
  if (r.seen.downloads.length) n.push(`saved as ${r.seen.downloads.map((f) => `"${f}"`).join(', ')}`);
  else if (r.outcome === 'done') n.push('no download event');
  if (r.name === 'javascript-url') n.push(r.seen.downloads.length || r.seen.dialogs.length ? 'URL USED' : 'URL not used');
  if (r.name === 'rate-limited') {
    const gaps = [];
    requests.forEach((q, i) => { if (q.status === 429 && requests[i + 1]) gaps.push(requests[i + 1].t - q.t); });
    if (gaps.length) n.push(`after 429: next request ${gaps.map((g) => `${int(g)} ms`).join(', ')} later (Retry-After: 1)`);
  }
  const statuses = {};
  for (const q of requests) if (q.status >= 400) statuses[q.status] = (statuses[q.status] || 0) + 1;
  const s = Object.entries(statuses).map(([k, v]) => `${v}× ${k}`).join(', ');
  if (s) n.push(`answers: ${s}`);
  if (r.toast && r.outcome === 'failed' && !r.toast.includes('导出失败')) n.push('no "导出失败" toast');
  if (r.errors.length) n.push(`page errors: ${r.errors.slice(0, 2).join('; ')}`);
  return n.join('; ');
}

export async function run({ browser, base, mock, concurrency = 8 }) {
  const names = (await mock.scenarios()).map((s) => s.name);
  // Longest first, so the pool finishes together.
  const slowFirst = ['slow', 'url-never', 'never-finishes', 'http500-always', 'http502-always', 'malformed-json', 'huge', 'flaky', 'slow-start', 'rate-limited'];
  names.sort((a, b) => ((slowFirst.indexOf(a) + 1 || 99) - (slowFirst.indexOf(b) + 1 || 99)));
  const jobs = [
    ...names.map((n) => () => scenario(browser, base, n)),
    ...['page-left', 'destroy', 'element-removed'].map((h) => () => interrupted(browser, base, mock, h)),
  ];
  const t0 = Date.now();
  const results = await pool(jobs, concurrency, (job) => job());
  const seconds = (Date.now() - t0) / 1000;

  const tolerance = mock.clockError + 2;
  const ignoredClicks = results.filter((r) => r.clicks > 1).length;
  const rows = [];
  const leftPolling = [];
  const unexpected = [];
  for (const r of results) {
    const requests = await mock.requests(r.client);
    const n = countKinds(requests);
    const outcomeT = r.at - mock.offset;
    const after = requests.filter((q) => q.t > outcomeT + tolerance && requestKind(q) !== 'file');
    const ok = after.length === 0;
    if (!ok) leftPolling.push(`${r.name} (${after.length})`);
    const asExpected = r.outcome === 'done' ? r.expected === 'done' : r.kind === r.expected;
    if (!asExpected) unexpected.push(`${r.name}: expected ${r.expected}, got ${r.outcome === 'none' ? 'no outcome' : r.kind || r.outcome}`);
    rows.push([
      r.name,
      r.expected,
      `${asExpected ? '✓' : '✗'} ${r.outcome}`,
      r.reason,
      `${n.start} / ${n.progress} / ${n.file}`,
      `${int(r.at - r.clickedAt)} ms`,
      ok ? 'no ✓' : `**YES: ${after.length} request(s) after**`,
      notes(r, requests, mock),
    ]);
  }
  const markdown = [
    `${results.length} cases, ${concurrency} at a time (${int(seconds)} s). Each its own client and page; jobs of 2 s unless the scenario sets its`,
    `own length (fast, slow, huge); timeoutMs ${SHORT_TIMEOUT_MS} for url-never and never-finishes, ${TIMEOUT_MS} elsewhere. Requests: start / progress /`,
    `file, as the mock recorded them. Time to outcome: click → export-done / export-error (wall clock; set by the scenarios'`,
    'timings and the widget\'s retry and deadline policy). Left polling: any /j/ request recorded after the outcome, watched',
    `for ${QUIET_MS / 1000} s (clocks matched within ${tolerance.toFixed(0)} ms). The last three rows stop an export of 20 s after two progress requests.`,
    '',
    table(['case', 'expected', 'outcome', 'reason / file', 'requests s/p/f', 'time to outcome', 'left polling', 'notes'], rows, 'llllrrll'),
    '',
    leftPolling.length ? `**Left polling: ${leftPolling.join(', ')}.**` : '**Nothing was left polling in any case.**',
    unexpected.length ? `Outcomes other than expected: ${unexpected.join('; ')}.` : 'Every outcome as expected.',
    ignoredClicks ? `In ${ignoredClicks} of ${results.length} cases the first click right after mount() resolved was ignored (the driver clicks again each frame).` : '',
  ].join('\n');
  return {
    title: 'Fault matrix',
    markdown,
    seconds,
    checks: [
      { name: 'fault matrix: nothing left polling', ok: leftPolling.length === 0, detail: leftPolling.length ? leftPolling.join(', ') : `${results.length} cases`, checked: true },
      { name: 'fault matrix: outcomes as expected', ok: unexpected.length === 0, detail: unexpected.length ? unexpected.join('; ') : `${results.length} cases`, checked: false },
    ],
    data: results,
  };
}

export { Mock };
