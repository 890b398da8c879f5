// Fault matrix: every scenario of the mock backend (read from /__mock/scenarios, so new ones are
// covered), plus leaving the page, destroy() and removing the custom element mid-export, each
// through the real widget in Chromium (a bench page using mount(); the element case on
// /examples/homework.html), each with its own client id, several at once.
//
// For each: the outcome (export-done / export-error with its kind and message), the requests the
// mock recorded, the time from the click to the outcome, and whether anything was left polling,
// watched for 3 s after the outcome. The page logs its own fetch calls, clicks and the widget's
// events on its clock (pageLog), and maps that clock onto the mock's with probe requests of its
// own (syncPageClock), so that every API request (/j/...) the mock saw is matched with the fetch
// that sent it. Left polling: a request the page *sent* after the outcome, a request in flight
// at the outcome that was not aborted, or one the mock saw after the outcome that the page did
// not send. A request sent before the outcome, aborted at it, but seen by the mock only after it
// (counted by arrival) is reported, not counted. Also watched: dialogs (alert), injected <img>
// elements, downloads and their names, and the page's errors.
//
// The timing-sensitive cases (deadlines, retries, leaving or destroying mid-export) run
// BENCH_FAULT_RUNS times each (5); BENCH_FAULT_CASES (comma-separated case names) runs only some;
// BENCH_FAULT_CONCURRENCY pages at a time (8). Every run's log: bench/out/faults.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  BLANK, CONFIG, Mock, clientId, countKinds, freshPage, int, pageLog, pool, readPageLogs, requestKind, sleep,
  syncPageClock, table,
} from './lib.mjs';

const QUIET_MS = 3000;
const SHORT_TIMEOUT_MS = 8000;
const TIMEOUT_MS = 30000;
/** Every run's page log, matched requests and verdict, for a closer look: bench/out/faults.json. */
const LOG_FILE = join(dirname(fileURLToPath(import.meta.url)), '..', 'out', 'faults.json');
const RUNS = Math.max(1, Number(process.env.BENCH_FAULT_RUNS || 5));
const ONLY = process.env.BENCH_FAULT_CASES ? process.env.BENCH_FAULT_CASES.split(',') : null;

/** Cases whose outcome hangs on timers racing requests: each runs RUNS times. */
const REPEATED = new Set([
  'url-never', 'never-finishes', // the deadline
  'http500-once', 'http500-always', 'http502-once', 'http502-always', 'rate-limited', 'malformed-json',
  'malformed-once', 'flaky', // retries
  'page-left', 'destroy', 'element-removed', 'page-left-in-request', 'destroy-in-request',
  'element-removed-in-request', // stopped mid-export
  'request-held', // the deadline, with a request on its way
]);

/** The ways an export is stopped from outside: how, and whether while a request is in flight. */
const INTERRUPTIONS = [
  { id: 'page-left', how: 'page-left', inRequest: false },
  { id: 'destroy', how: 'destroy', inRequest: false },
  { id: 'element-removed', how: 'element-removed', inRequest: false },
  { id: 'page-left-in-request', how: 'page-left', inRequest: true },
  { id: 'destroy-in-request', how: 'destroy', inRequest: true },
  { id: 'element-removed-in-request', how: 'element-removed', inRequest: true },
];

/** What the widget should do: 'done', or the failure kind. */
const EXPECTED = {
  normal: 'done', fast: 'done', slow: 'done', empty: 'done', huge: 'done',
  fail: 'server',
  'http500-once': 'done', 'http500-always': 'http', 'http502-once': 'done', 'http502-always': 'http',
  'rate-limited': 'done', 'malformed-json': 'bad-response', 'malformed-once': 'done',
  'result-null': 'done', 'string-numbers': 'done', 'loaded-over-total': 'done',
  'url-never': 'timed-out', 'never-finishes': 'timed-out',
  'javascript-url': 'unsafe-url', 'hostile-filename': 'done', 'slow-start': 'done', flaky: 'done',
  'code-error-start': 'server', 'huge-answer': 'bad-response',
  // The link is the widget's to hand over; an expired one answers its 403 inside a hidden frame.
  'relative-url': 'done', 'foreign-url': 'done', 'expired-link': 'done',
};

/** The export data and options of a scenario: short jobs, short deadlines where nothing ends. */
function settings(name) {
  const data = { termId: 1001, termName: '2024春季班', scenario: name };
  if (!['fast', 'slow', 'huge'].includes(name)) data.durationMs = 2000;
  const timeoutMs = name === 'never-finishes' || name === 'url-never' ? SHORT_TIMEOUT_MS : TIMEOUT_MS;
  return { data, timeoutMs };
}

/** How long the `request-held` case holds the start request on its way to the mock. */
const HOLD_MS = 3000;

/**
 * Cases of the check itself, beside the mock's scenarios.
 *
 * `request-held`: a request on its way when the deadline comes, which the server reads only after
 * it — what a slow link or a busy server does, and what the machine's load did to url-never's
 * last request in one run. The start request is held for HOLD_MS, longer than the deadline
 * (timeoutMs 1500), then sent on from outside the page (route.fetch), where the widget's abort
 * cannot reach it. The widget fails at its deadline and aborts the request; the mock records it
 * after the outcome. Counted by arrival it looks left polling; it was in flight at the outcome and
 * aborted by it, every time.
 *
 * `click-after-outcome`, the control: a click on the button after the outcome starts a new
 * export, whose request is sent after the outcome; the check must see it, or it is blind.
 */
const OWN_CASES = [
  { id: 'request-held', scenario: 'normal', timeoutMs: 1500, holdStart: true, expected: 'timed-out' },
  { id: 'click-after-outcome', scenario: 'code-error-start', timeoutMs: TIMEOUT_MS, clickAfterOutcome: true, expected: 'server', control: true },
];

function ownCaseName(own) {
  return own.holdStart
    ? `deadline while the start request is held on its way (${HOLD_MS / 1000} s)`
    : 'control: a click after the outcome starts a new export';
}

async function watch(page) {
  const seen = { dialogs: [], downloads: [] };
  page.on('dialog', (d) => { seen.dialogs.push(d.message()); d.dismiss().catch(() => {}); });
  page.on('download', (d) => { seen.downloads.push(d.suggestedFilename()); });
  return seen;
}

/**
 * One mock scenario through mount() on the bench page; `own` is one of OWN_CASES instead (its
 * `scenario` is the mock's).
 */
async function scenario(browser, base, name, run, own = null) {
  const id = own ? own.id : name;
  const client = clientId(`fault-${id}-${run}`);
  const { data, timeoutMs } = own
    ? { data: { termId: 1001, termName: '2024春季班', scenario: own.scenario, durationMs: 2000 }, timeoutMs: own.timeoutMs }
    : settings(name);
  const { context, page, errors, close } = await freshPage(browser);
  await context.addInitScript(pageLog);
  if (own?.holdStart) {
    let held = 0;
    const start = (url) => url.pathname.endsWith('/homework/export') && url.searchParams.get('client') === client;
    await context.route(start, async (route) => {
      if (held++) return route.continue();
      await sleep(HOLD_MS);
      try {
        await route.fulfill({ response: await route.fetch() });
      } catch (e) {
        // The page aborted the request (or left): nobody to answer.
        if (!(e instanceof Error && /disposed|closed|aborted|already handled/i.test(e.message))) throw e;
      }
    });
  }
  const seen = await watch(page);
  await page.goto(base + BLANK);
  const clock = await syncPageClock(page, `${client}-clk`);
  const r = await page.evaluate(async ({ config, data, timeoutMs, wait, clickAfter }) => {
    const d = await import('/bench/driver.js');
    const { mount } = await import('/embed/k12-export.js');
    const el = d.host();
    window.__handle = await mount(el, { config, data, filename: 'K12作业统计-{termName}', timeoutMs });
    const result = d.outcome(el, wait);
    const clickedAt = performance.timeOrigin + performance.now();
    const clicks = await d.clickUntilStarted(el, '.k12x-btn');
    const o = await result;
    await d.frame();
    const toast = d.deepQuery(el, '[role=alert]')?.textContent ?? null;
    if (clickAfter) {
      await d.sleep(200);
      d.deepQuery(el, '.k12x-btn').click();
    }
    return { ...o, clickedAt, clicks, toast };
  }, { config: CONFIG, data: { ...data, client }, timeoutMs, wait: timeoutMs + 15000, clickAfter: Boolean(own?.clickAfterOutcome) });
  await sleep(QUIET_MS);
  const logs = await readPageLogs(page);
  const injected = await page.evaluate(() => document.querySelectorAll('img').length);
  await page.evaluate(() => window.__handle.destroy());
  await close();
  return {
    id,
    run,
    name: own ? ownCaseName(own) : name,
    control: Boolean(own?.control),
    client,
    clock,
    logs,
    expected: own ? own.expected : EXPECTED[name] ?? '?',
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

/**
 * True once the page has an API request in flight that the mock has already received: its job
 * exists (the mock records a request only once it has answered it).
 */
async function requestInFlight(page, mock, client) {
  const pending = await page.evaluate(() => {
    const log = window.__benchLog;
    return log ? log.fetches.filter((f) => f.path.startsWith('/j/') && f.result === 'pending').length : 0;
  });
  return pending > 0 && (await mock.jobs(client)).length > 0;
}

/**
 * Stops an export in one of three ways: once the widget has polled twice (between two progress
 * requests, most likely), or — `inRequest` — while the start request is in flight (the
 * `slow-start` scenario answers it after 3 s).
 */
async function interrupted(browser, base, mock, { id, how, inRequest }, run) {
  const client = clientId(`fault-${id}-${run}`);
  const { context, page, errors, close } = await freshPage(browser);
  await context.addInitScript(pageLog);
  const seen = await watch(page);
  const data = { termId: 1001, termName: '2024春季班', client, durationMs: 20000 };
  if (inRequest) data.scenario = 'slow-start';
  let clickedAt;
  let clock;
  if (how === 'element-removed') {
    const q = new URLSearchParams(Object.entries(data).filter(([k]) => !['termId', 'termName'].includes(k)).map(([k, v]) => [k, String(v)]));
    await page.goto(`${base}/examples/homework.html?${q}`);
    // The page sets the export data (with our client id) once it has the terms.
    await page.waitForFunction((c) => (document.querySelector('k12-export-button')?.getAttribute('data') || '').includes(c), client);
    clock = await syncPageClock(page, `${client}-clk`);
    clickedAt = await page.evaluate(async () => {
      const d = await import('/bench/driver.js');
      const t = performance.timeOrigin + performance.now();
      await d.clickUntilStarted(document.querySelector('k12-export-button'), '.k12x-btn');
      return t;
    });
  } else {
    await page.goto(base + BLANK);
    clock = await syncPageClock(page, `${client}-clk`);
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
  for (let i = 0; i < 400; i++) {
    if (inRequest ? await requestInFlight(page, mock, client) : countKinds(await mock.requests(client)).progress >= 2) break;
    await sleep(50);
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
  const logs = await readPageLogs(page);
  await close();
  const label = { 'page-left': 'left', destroy: 'destroyed', 'element-removed': 'removed' }[how];
  const what = { 'page-left': 'page left', destroy: 'destroy()', 'element-removed': '<k12-export-button> removed' }[how];
  return {
    id,
    run,
    name: `${what} ${inRequest ? 'while a request is in flight' : 'mid-export'}${how === 'page-left' ? ' (pagehide)' : ''}`,
    control: false,
    client,
    clock,
    logs,
    expected: label,
    outcome: label,
    kind: label,
    reason: inRequest
      ? 'while the start request (slow-start: answered after 3 s) was in flight'
      : `${how === 'page-left' ? 'navigated to another page ' : ''}after 2 progress requests`,
    clickedAt,
    at,
    clicks: 1,
    toast: null,
    injected: 0,
    seen,
    errors,
  };
}

/**
 * Every API request of a case around its outcome, on the page's clock: the page's fetch calls,
 * each matched with the mock's record of it (the latest call of the same URL sent before it
 * arrived). `left`: what counts as left polling, each with a sentence saying what it was.
 */
function afterOutcome(r, requests) {
  const O = r.at;
  const fetches = r.logs.flatMap((l) => l.fetches).filter((f) => f.path.startsWith('/j/'));
  const arrivals = requests.filter((q) => requestKind(q) !== 'file').map((q) => ({ q, arrived: q.t + r.clock.offset, fetch: null }));
  const free = new Set(fetches);
  for (const a of arrivals) {
    let best = null;
    for (const f of free) {
      if (f.path === a.q.path && f.query === a.q.query && f.sent <= a.arrived + r.clock.error && (!best || f.sent > best.sent)) best = f;
    }
    if (best) {
      free.delete(best);
      best.arrived = a.arrived;
      a.fetch = best;
    }
  }
  const ms = (x) => `${int(x)} ms`;
  const describe = (f) => {
    const parts = [`${f.method} ${f.path}`, `sent ${f.sent > O ? `${ms(f.sent - O)} after` : `${ms(O - f.sent)} before`} the outcome`];
    if (f.arrived !== undefined) parts.push(`reached the mock ${f.arrived > O ? `${ms(f.arrived - O)} after` : `${ms(O - f.arrived)} before`} it`);
    else parts.push('never reached the mock');
    if (f.abortedAt !== null) parts.push(`aborted ${f.abortedAt >= O ? `${ms(f.abortedAt - O)} after` : `${ms(O - f.abortedAt)} before`} it`);
    else if (f.result === 'answered') parts.push(`answered (${f.status}) ${ms(f.settled - O)} after it`);
    else parts.push(f.result === 'pending' ? 'still pending' : f.result);
    return parts.join(', ');
  };
  const sentAfter = fetches.filter((f) => f.sent > O);
  // An export started after the outcome (a click on the idle button) is a new export, not the
  // old one polling on; still a request after the outcome, but the click's, which is named.
  const restarts = r.logs.flatMap((l) => l.events).filter((e) => e.type === 'export-start' && e.t > O);
  const sentAfterLabel = (f) => {
    const restart = restarts.filter((e) => e.t <= f.sent).pop();
    return restart
      ? `a new export, started ${ms(restart.t - O)} after the outcome (a click on the button), sent its request: ${describe(f)}`
      : `sent after the outcome: ${describe(f)}`;
  };
  const inFlight = fetches.filter((f) => f.sent <= O && (f.settled === null || f.settled > O));
  const aborted = (f) => f.abortedAt !== null && (f.settled === null || f.abortedAt <= f.settled);
  const left = [
    ...sentAfter.map(sentAfterLabel),
    ...inFlight.filter((f) => !aborted(f)).map((f) => `in flight at the outcome and not aborted: ${describe(f)}`),
    ...arrivals.filter((a) => !a.fetch && a.arrived > O + r.clock.error)
      .map((a) => `${a.q.method} ${a.q.path} reached the mock ${ms(a.arrived - O)} after the outcome, not sent by the page's fetch`),
  ];
  const lateArrivals = inFlight.filter((f) => aborted(f) && f.arrived !== undefined && f.arrived > O + r.clock.error);
  return {
    left,
    inFlight: inFlight.filter(aborted).map(describe),
    lateArrivals: lateArrivals.map(describe),
    fetches: fetches.length,
    unmatched: arrivals.filter((a) => !a.fetch).length,
  };
}

function notes(r, requests) {
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

export async function run({ browser, base, mock, concurrency = Number(process.env.BENCH_FAULT_CONCURRENCY || 8) }) {
  const names = (await mock.scenarios()).map((s) => s.name);
  const cases = [
    ...names.map((n) => ({ id: n, go: (run) => scenario(browser, base, n, run) })),
    ...INTERRUPTIONS.map((c) => ({ id: c.id, go: (run) => interrupted(browser, base, mock, c, run) })),
    ...OWN_CASES.map((c) => ({ id: c.id, go: (run) => scenario(browser, base, c.scenario, run, c) })),
  ].filter((c) => !ONLY || ONLY.includes(c.id));
  // Longest first, so the pool finishes together.
  const slowFirst = ['slow', 'url-never', 'never-finishes', 'http500-always', 'http502-always', 'malformed-json', 'huge', 'flaky', 'slow-start', 'rate-limited'];
  const rank = (id) => slowFirst.indexOf(id) + 1 || 99;
  const jobs = [];
  for (const c of cases) {
    for (let run = 1; run <= (REPEATED.has(c.id) ? RUNS : 1); run++) jobs.push({ id: c.id, run, go: () => c.go(run) });
  }
  jobs.sort((a, b) => rank(a.id) - rank(b.id) || a.run - b.run);
  const t0 = Date.now();
  const results = await pool(jobs, concurrency, (job) => job.go());
  const seconds = (Date.now() - t0) / 1000;

  for (const r of results) {
    r.requests = await mock.requests(r.client);
    r.after = afterOutcome(r, r.requests);
    r.asExpected = r.outcome === 'done' ? r.expected === 'done' : r.kind === r.expected;
  }
  mkdirSync(dirname(LOG_FILE), { recursive: true });
  writeFileSync(LOG_FILE, JSON.stringify(results, null, 1));
  const ignoredClicks = results.filter((r) => r.clicks > 1).length;
  const leaving = results.filter((r) => !r.control && r.after.left.length);
  const controls = results.filter((r) => r.control);
  const blind = controls.filter((r) => !r.after.left.length);
  const unexpected = results.filter((r) => !r.asExpected)
    .map((r) => `${r.id} (run ${r.run}): expected ${r.expected}, got ${r.outcome === 'none' ? 'no outcome' : r.kind || r.outcome}`);
  const maxClockError = Math.max(...results.map((r) => r.clock.error));
  const leftCell = (r) => {
    if (r.control) return r.after.left.length ? `yes, as it must: ${r.after.left.length} request(s) ✓` : '**NOT SEEN: the check is blind**';
    if (r.after.left.length) return `**YES: ${r.after.left.length} request(s)**`;
    const late = r.after.lateArrivals.length;
    return late ? `no ✓ (${late} in flight at the outcome, aborted, arrived after it)` : 'no ✓';
  };

  // One row per case: its first run.
  const rows = results.filter((r) => r.run === 1).map((r) => {
    const n = countKinds(r.requests);
    return [
      r.name,
      r.expected,
      `${r.asExpected ? '✓' : '✗'} ${r.outcome}`,
      r.reason,
      `${n.start} / ${n.progress} / ${n.file}`,
      `${int(r.at - r.clickedAt)} ms`,
      leftCell(r),
      notes(r, r.requests),
    ];
  });

  // The repeated cases, run by run.
  const repeated = [];
  for (const id of [...new Set(results.filter((r) => REPEATED.has(r.id)).map((r) => r.id))]) {
    const runs = results.filter((r) => r.id === id).sort((a, b) => a.run - b.run);
    const times = runs.map((r) => r.at - r.clickedAt);
    repeated.push([
      id,
      runs.length,
      `${runs.filter((r) => r.asExpected).length} / ${runs.length}`,
      `${int(Math.min(...times))}–${int(Math.max(...times))} ms`,
      runs.map((r) => r.after.inFlight.length).join(' '),
      runs.map((r) => r.after.lateArrivals.length).join(' '),
      runs.some((r) => r.after.left.length) ? `**${runs.filter((r) => r.after.left.length).map((r) => `run ${r.run}: ${r.after.left.length}`).join(', ')}**` : 'none ✓',
    ]);
  }
  const details = leaving.flatMap((r) => r.after.left.map((l) => `- ${r.id}, run ${r.run}: ${l}.`));
  const lateDetails = results.flatMap((r) => r.after.lateArrivals.map((l) => `- ${r.id}, run ${r.run}: ${l}.`));
  const markdown = [
    `${results.length} runs of ${cases.length} cases, ${concurrency} at a time (${int(seconds)} s). Each its own client and page; jobs of 2 s unless the scenario sets its`,
    `own length (fast, slow, huge); timeoutMs ${SHORT_TIMEOUT_MS} for url-never and never-finishes, ${TIMEOUT_MS} elsewhere. Requests: start / progress /`,
    `file, as the mock recorded them (it records a request once it has answered it: one aborted before that is not there). Time to outcome: click → export-done / export-error (wall clock; set by the scenarios'`,
    'timings and the widget\'s retry and deadline policy). Left polling, watched for ' + `${QUIET_MS / 1000} s: an API request the page sent after the outcome,`,
    'one in flight at the outcome that was not aborted, or one the mock saw after the outcome that the page did not send (the page',
    `logs its fetch calls; its clock is matched to the mock's within ${maxClockError.toFixed(0)} ms at worst). The "stopped" rows stop an export of 20 s from outside.`,
    '',
    table(['case', 'expected', 'outcome', 'reason / file', 'requests s/p/f', 'time to outcome', 'left polling', 'notes'], rows, 'llllrrll'),
    '',
    `The timing-sensitive cases (deadlines, retries, stopped from outside) ${RUNS} times each. In flight: requests in flight at the`,
    'outcome, aborted by it (per run); arrived after: those of them the mock received only after the outcome.',
    '',
    table(['case', 'runs', 'outcome as expected', 'time to outcome', 'in flight (per run)', 'arrived after (per run)', 'runs that left a request'], repeated, 'lrrrlll'),
    '',
    leaving.length ? `**Left polling in ${leaving.length} of ${results.length} runs:**\n\n${details.join('\n')}` : `**Nothing was left polling in any of the ${results.length} runs.**`,
    lateDetails.length ? `\nRequests in flight at the outcome, aborted by it, that the mock counted by their arrival after it (not left polling):\n\n${lateDetails.join('\n')}\n` : '',
    controls.length ? (blind.length
      ? `**The control's request after the outcome was not seen: the check is blind.**`
      : `The control was seen: ${controls[0].after.left[0]}.`) : '',
    unexpected.length ? `Outcomes other than expected: ${unexpected.join('; ')}.` : 'Every outcome as expected.',
    ignoredClicks ? `In ${ignoredClicks} of ${results.length} runs the first click right after mount() resolved was ignored (the driver clicks again each frame).` : '',
  ].join('\n');
  return {
    title: 'Fault matrix',
    markdown,
    seconds,
    checks: [
      {
        name: 'fault matrix: nothing left polling',
        ok: leaving.length === 0,
        detail: leaving.length ? leaving.map((r) => `${r.id} run ${r.run} (${r.after.left.length})`).join(', ') : `${results.length} runs of ${cases.length} cases`,
        checked: true,
      },
      ...(controls.length ? [{
        name: 'fault matrix: a request sent after the outcome is seen (control)',
        ok: blind.length === 0,
        detail: blind.length ? 'not seen' : `${controls.length} of ${controls.length}`,
        checked: true,
      }] : []),
      { name: 'fault matrix: outcomes as expected', ok: unexpected.length === 0, detail: unexpected.length ? unexpected.join('; ') : `${results.length} runs`, checked: false },
    ],
    data: results,
  };
}

export { Mock };
