// Cost per button: one page with 1, 10, 100 and 300 buttons (the widget only), each its own job.
// For each count, the median of RUNS runs in fresh pages of:
// - mount: time from the first mount() to the last button drawn, per button (all mounted in one
//   loop, as a page listing its rows does);
// - script time per second while they all export (CDP ScriptDuration over the wall time from the
//   starts to the last outcome), per button;
// - requests per second while they export (the mock's log), per button;
// - JS heap (after a forced GC) and wasm memory per button, with every button mounted and
//   exporting, above the empty page with the runtime loaded;
// - the longest task from the first mount to the last file (PerformanceObserver "longtask"),
//   leaving out the one task in which the page starts them all.
// The cost per button stays flat when no per-button figure at 100 or 300 buttons is over 1.5× the one
// at 10 (the fixed cost of the page's runtime makes 1 button dearer: it is shown, not
// compared).
//
// And how a hundred buttons are created, each way a page does it — by the loader from the page's
// markup, by mount() in a loop awaiting each, by mount() all at once — with the longest task of
// each (the median of RUNS runs): no task over 50 ms is the target.
import { BLANK, CONFIG, clientId, freshPage, int, median, memoryAfterGc, metrics, mib, ratio, sleep, table } from './lib.mjs';

const COUNTS = [1, 10, 100, 300];
const RUNS = Number(process.env.BENCH_COST_RUNS || 3);
const DURATION_MS = 3000;
const FLAT = 1.5;
const LONG_MS = 50;

async function costOnce(browser, mock, n) {
  const { page, cdp, errors, close } = await freshPage(browser);
  await cdp.send('HeapProfiler.enable');
  await page.goto(mock.base + BLANK);
  const prefix = clientId(`cost-${n}`);
  // The runtime loaded, nothing mounted: the baseline of the page.
  await page.evaluate(async () => { await (await import('/embed/k12-export.js')).ready; });
  const empty = await memoryAfterGc(page, cdp);
  const mounted = await page.evaluate(async ({ n, config, prefix, duration }) => {
    const d = await import('/bench/driver.js');
    const { mount } = await import('/embed/k12-export.js');
    const t0 = performance.now();
    window.__hosts = [];
    const all = [];
    for (let i = 0; i < n; i++) {
      const el = d.host();
      window.__hosts.push(el);
      const data = { termId: 1001, termName: '2024春季班', client: `${prefix}-${i}`, durationMs: duration };
      all.push(mount(el, { config, data, filename: 'K12作业统计-{termName}' }));
    }
    window.__handles = await Promise.all(all);
    // Drawn: every host shows the runtime's button (not the loader's placeholder).
    const drawn = () => window.__hosts.every((el) => el.querySelector('k12x-host')?.shadowRoot?.querySelector('.k12x-live:not([hidden]) .k12x-btn'));
    for (let f = 0; f < 1200 && !drawn(); f++) await d.frame();
    return { t0, mountMs: performance.now() - t0 };
  }, { n, config: CONFIG, prefix, duration: DURATION_MS });
  const m0 = await metrics(cdp);
  const run = await page.evaluate(async () => {
    const d = await import('/bench/driver.js');
    const start = performance.now();
    const outcomes = window.__hosts.map((el) => d.outcome(el, 120000));
    for (const h of window.__handles) h.start();
    const started = performance.now();
    const results = await Promise.all(outcomes);
    return { start, started, end: performance.now(), done: results.filter((r) => r.done).length };
  });
  const m1 = await metrics(cdp);
  const longest = await page.evaluate(async ({ t0, start, started }) => {
    const tasks = (await import('/bench/driver.js')).longTasks;
    return Math.max(0, ...tasks.filter((t) => t.start + t.duration >= t0 && !(t.start <= started && t.start + t.duration >= start)).map((t) => t.duration));
  }, { t0: mounted.t0, start: run.start, started: run.started });
  // Memory with every button mounted (exported and idle again): per button above the empty page.
  const full = await memoryAfterGc(page, cdp);
  await page.evaluate(() => { for (const h of window.__handles) h.destroy(); });
  await close();
  const requests = (await mock.requests()).filter((r) => r.client.startsWith(`${prefix}-`));
  const wallS = (run.end - run.start) / 1000;
  return {
    n,
    done: run.done,
    mountMs: mounted.mountMs / n,
    scriptPerS: ((m1.ScriptDuration - m0.ScriptDuration) * 1000) / wallS / n,
    requestsPerS: requests.length / wallS / n,
    heap: (full.heap - empty.heap) / n,
    wasm: (full.wasm - empty.wasm) / n,
    longest,
    errors,
  };
}

/** A hundred buttons created one way: the longest task from the start until all are drawn. */
async function createOnce(browser, base, how) {
  const { page, errors, close } = await freshPage(browser);
  await page.goto(base + BLANK);
  const r = await page.evaluate(async ({ how, config }) => {
    const d = await import('/bench/driver.js');
    const n = 100;
    const hosts = [];
    const t0 = performance.now();
    if (how === 'markup') {
      // The loader defines the element; a page's markup gives a hundred of them at once.
      await import('/embed/k12-export.js');
      const html = [];
      for (let i = 0; i < n; i++) {
        html.push(`<k12-export-button config='${JSON.stringify(config)}' data='{"termId":1001,"termName":"2024春季班"}' filename="K12作业统计-{termName}"></k12-export-button>`);
      }
      document.getElementById('hosts').insertAdjacentHTML('beforeend', html.join(''));
      hosts.push(...document.querySelectorAll('k12-export-button'));
    } else {
      const { mount } = await import('/embed/k12-export.js');
      const all = [];
      for (let i = 0; i < n; i++) {
        const el = d.host();
        hosts.push(el);
        const p = mount(el, { config, data: { termId: 1001, termName: '2024春季班' }, filename: 'K12作业统计-{termName}' });
        if (how === 'awaiting') await p; else all.push(p);
      }
      await Promise.all(all);
    }
    const root = (el) => (el.shadowRoot || el.querySelector('k12x-host')?.shadowRoot);
    const drawn = () => hosts.every((el) => root(el)?.querySelector('.k12x-live:not([hidden]) .k12x-btn'));
    for (let f = 0; f < 1200 && !drawn(); f++) await d.frame();
    const t1 = performance.now();
    await d.sleep(100);
    const tasks = d.longTasks.filter((t) => t.start + t.duration >= t0);
    return { ms: t1 - t0, longest: Math.max(0, ...tasks.map((t) => t.duration)), drawn: drawn() };
  }, { how, config: CONFIG });
  await close();
  return { ...r, errors };
}

export async function run({ browser, base, mock }) {
  const results = [];
  for (const n of COUNTS) {
    const runs = [];
    for (let i = 0; i < RUNS; i++) runs.push(await costOnce(browser, mock, n));
    const med = (k) => median(runs.map((r) => r[k]));
    results.push({
      n,
      done: Math.min(...runs.map((r) => r.done)),
      mountMs: med('mountMs'),
      scriptPerS: med('scriptPerS'),
      requestsPerS: med('requestsPerS'),
      heap: med('heap'),
      wasm: med('wasm'),
      longest: med('longest'),
      errors: runs.flatMap((r) => r.errors),
    });
  }
  const ways = [['markup', 'the loader, from the page\'s markup'], ['awaiting', 'mount() in a loop, awaiting each'], ['all', 'mount() in a loop, all at once']];
  const created = [];
  for (const [how, name] of ways) {
    const runs = [];
    for (let i = 0; i < RUNS; i++) runs.push(await createOnce(browser, base, how));
    created.push({ how, name, longest: median(runs.map((r) => r.longest)), ms: median(runs.map((r) => r.ms)), drawn: runs.every((r) => r.drawn), errors: runs.flatMap((r) => r.errors) });
  }

  const perButton = ['mountMs', 'scriptPerS', 'requestsPerS', 'heap'];
  const at = (n) => results.find((r) => r.n === n);
  // Flat: no per-button figure at 100 or 300 buttons above FLAT times its figure at 10 (one that
  // falls, the page's fixed cost shared by more buttons, is flat too).
  const spread = Object.fromEntries(perButton.map((k) => {
    const v = results.filter((r) => r.n >= 10).map((r) => r[k]);
    return [k, Math.max(...v) / at(10)[k]];
  }));
  const flat = perButton.every((k) => spread[k] <= FLAT);
  const longest = Math.max(...results.filter((r) => r.n === 100).map((r) => r.longest), ...created.map((c) => c.longest));
  const noLong = longest <= LONG_MS;
  const rows = results.map((r) => [
    r.n,
    `${r.done} / ${r.n}`,
    `${r.mountMs.toFixed(2)} ms`,
    `${r.scriptPerS.toFixed(2)} ms/s`,
    r.requestsPerS.toFixed(2),
    `${(r.heap / 1024).toFixed(1)} KiB`,
    `${(r.wasm / 1024).toFixed(1)} KiB`,
    `${int(r.longest)} ms`,
  ]);
  rows.push([
    '300 vs 10',
    '',
    ratio(at(300).mountMs, at(10).mountMs),
    ratio(at(300).scriptPerS, at(10).scriptPerS),
    ratio(at(300).requestsPerS, at(10).requestsPerS),
    ratio(at(300).heap, at(10).heap),
    '',
    '',
  ]);
  const notes = [...results, ...created].filter((r) => r.errors.length).map((r) => `- ${r.n ?? r.name}: page errors: ${r.errors.slice(0, 2).join('; ')}`);
  const markdown = [
    `The widget alone, in fresh pages; each button its own job (term 1001, written in ${DURATION_MS / 1000} s); medians of ${RUNS} runs.`,
    'Per button: the mount (first mount() to the last button drawn, all mounted in one loop), script time per second while all',
    'export (CDP ScriptDuration from the starts to the last outcome), requests per second, JS heap after a forced GC and wasm',
    'memory with every button mounted, above the empty page with the runtime loaded. Longest task: from the first mount to',
    'the last file, leaving out the one task in which the page starts them all (the page\'s own loop).',
    '',
    table(['buttons', 'files', 'mount / button', 'script time / s / button', 'requests / s / button', 'JS heap / button', 'wasm / button', 'longest task'], rows, 'rrrrrrrr'),
    '',
    `The cost per button from 10 to 300 buttons: **${flat ? 'flat' : 'not flat'}** (each figure at most ${FLAT}× its figure at 10 buttons; the largest: ` +
      `${perButton.map((k) => `${k} ${spread[k].toFixed(2)}×`).join(', ')}). Wasm memory grows in 64 KiB pages, so its per-button figure is coarse.`,
    '',
    'A hundred buttons created each way a page does it (longest task until every button is drawn, medians):',
    '',
    table(['created by', 'all drawn', 'time to all drawn', 'longest task'], created.map((c) => [c.name, c.drawn ? 'yes' : 'NO', `${int(c.ms)} ms`, `${int(c.longest)} ms`]), 'lrrr'),
    ...(notes.length ? ['', ...notes] : []),
    '',
    `**${noLong ? `No task over ${LONG_MS} ms` : `A task of ${int(longest)} ms`}** from the first mount to the last file with a hundred buttons, created any way.`,
  ].join('\n');
  return {
    title: 'Cost per button: 1, 10, 100 and 300 buttons',
    markdown,
    checks: [
      { name: `cost per button flat from 10 to 300 buttons (at most ${FLAT}× the figure at 10)`, ok: flat, detail: perButton.map((k) => `${k} ${spread[k].toFixed(2)}×`).join(', '), checked: true },
      { name: `100 buttons: no task over ${LONG_MS} ms, created any way and all exporting`, ok: noLong, detail: `longest ${int(longest)} ms`, checked: true },
    ],
    data: { results, created },
  };
}

export { mib, sleep };
