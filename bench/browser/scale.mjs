// Scale: one page, 100 buttons (mount() into 100 hosts), all exporting at once against the mock,
// each with its own client id (jobs are per client, term and kind). Every file must arrive
// (100 export-done events and 100 downloads). Long tasks come from a PerformanceObserver in the
// page; script time from CDP ScriptDuration, per second of wall time while the exports run. The
// two peers do the same in the same run, as the baseline.
import { BLANK, CONFIG, IMPLS, Mock, clientId, countKinds, freshPage, int, metrics, ratio, sleep, table } from './lib.mjs';

export const BUTTONS = 100;
const DURATION_MS = 3000;

async function scaleOnce(browser, base, mock, impl) {
  const { page, cdp, errors, close } = await freshPage(browser);
  await page.goto(base + BLANK);
  await page.waitForFunction(() => document.readyState === 'complete');
  let downloads = 0;
  page.on('download', () => { downloads++; });
  const prefix = clientId(`scale-${impl}`);
  const before = await metrics(cdp);
  const mounted = await page.evaluate(async ({ module, button, config, prefix, n, duration }) => {
    const d = await import('/bench/driver.js');
    const { mount } = await import(module);
    const t0 = performance.now();
    window.__hosts = [];
    window.__handles = [];
    for (let i = 0; i < n; i++) {
      const el = d.host();
      window.__hosts.push(el);
      const data = { termId: 1001, termName: '2024春季班', client: `${prefix}-${i}`, durationMs: duration };
      window.__handles.push(await d.mountIn(mount, el, { config, data, filename: 'K12作业统计-{termName}' }));
    }
    // Mounted means rendered: every button in the document.
    for (let f = 0; f < 600 && window.__hosts.some((el) => !d.deepQuery(el, button)); f++) await d.frame();
    const t1 = performance.now();
    const longest = Math.max(0, ...d.longTasks.filter((t) => t.start + t.duration >= t0).map((t) => t.duration));
    return { mountMs: t1 - t0, longest };
  }, { module: IMPLS[impl].module, button: IMPLS[impl].button, config: CONFIG, prefix, n: BUTTONS, duration: DURATION_MS });
  await sleep(300);
  const m0 = await metrics(cdp);
  const run = await page.evaluate(async ({ button }) => {
    const d = await import('/bench/driver.js');
    const hosts = window.__hosts;
    const start = performance.now();
    const outcomes = hosts.map((el) => d.outcome(el, 90000));
    const started = hosts.map(() => false);
    hosts.forEach((el, i) => el.addEventListener('export-start', () => { started[i] = true; }, { once: true }));
    // All at once: one click each, in one task.
    for (const el of hosts) d.deepQuery(el, button).click();
    const clicked = performance.now();
    // A click starts its export a little later (the job's lock, the page's clock): a button that
    // has not started within a second ignored its click, and gets another one each frame.
    while (started.some((s) => !s) && performance.now() - clicked < 1000) await d.frame();
    const ignored = started.filter((s) => !s).length;
    for (let round = 0; started.some((s) => !s) && round < 600; round++) {
      await d.frame();
      hosts.forEach((el, i) => { if (!started[i]) d.deepQuery(el, button).click(); });
    }
    const results = await Promise.all(outcomes);
    const end = performance.now();
    // The task of the 100 clicks is reported on its own: no user clicks 100 buttons in one task.
    const clickTask = d.longTasks.find((t) => t.start <= clicked && t.start + t.duration >= start);
    const tasks = d.longTasks.filter((t) => t !== clickTask && t.start + t.duration >= start);
    return {
      done: results.filter((r) => r.done).length,
      urls: results.filter((r) => r.done).map((r) => r.detail.url),
      failures: results.filter((r) => !r.done).map((r) => (r.timedOut ? 'no outcome in 90 s' : r.detail.message)),
      ignored,
      wallMs: end - start,
      clickTaskMs: clickTask ? clickTask.duration : clicked - start,
      longest: Math.max(0, ...tasks.map((t) => t.duration)),
      over50: tasks.filter((t) => t.duration > 50).length,
    };
  }, { button: IMPLS[impl].button });
  const m1 = await metrics(cdp);
  // The last downloads' events arrive a little after the last export-done.
  for (let i = 0; i < 40 && downloads < run.done; i++) await sleep(100);
  await page.evaluate(() => { for (const h of window.__handles) h.destroy(); });
  await close();
  const requests = (await mock.requests()).filter((r) => r.client.startsWith(`${prefix}-`));
  // Every URL handed over must give its file (whether or not Chromium let the download through).
  let fetched = 0;
  for (const url of new Set(run.urls)) {
    const r = await fetch(new URL(url, base));
    if (r.ok && (await r.arrayBuffer()).byteLength > 0) fetched++;
  }
  return {
    impl,
    mounted,
    run,
    downloads,
    errors,
    mountScriptMs: (m0.ScriptDuration - before.ScriptDuration) * 1000,
    scriptMs: (m1.ScriptDuration - m0.ScriptDuration) * 1000,
    requests: countKinds(requests),
    fetched,
  };
}

export async function run({ browser, base, mock }) {
  const results = {};
  for (const impl of ['widget', 'react', 'vanilla']) results[impl] = await scaleOnce(browser, base, mock, impl);
  const perSec = (r) => r.scriptMs / (r.run.wallMs / 1000);
  const react = results.react;
  const rows = Object.values(results).map((r) => [
    IMPLS[r.impl].name,
    `${r.run.done} / ${BUTTONS}`,
    `${r.fetched} / ${BUTTONS}`,
    `${r.downloads} / ${BUTTONS}`,
    r.run.ignored,
    `${int(perSec(r))} ms/s`,
    ratio(perSec(r), perSec(react)),
    ratio(r.scriptMs, react.scriptMs),
    `${int(r.run.clickTaskMs)} ms`,
    `${r.run.over50} (longest ${int(r.run.longest)} ms)`,
    ratio(r.mountScriptMs, react.mountScriptMs),
    `${int(r.mounted.longest)} ms`,
    ratio(r.run.wallMs, react.run.wallMs),
    `${(r.requests.progress / BUTTONS).toFixed(1)} / ${((r.requests.start + r.requests.progress + r.requests.file) / BUTTONS).toFixed(1)}`,
  ]);
  const w = results.widget;
  const allArrived = w.run.done === BUTTONS && w.fetched === BUTTONS;
  const noLong = w.run.over50 === 0;
  const notes = [];
  for (const r of Object.values(results)) {
    if (r.run.failures.length) notes.push(`${IMPLS[r.impl].name}: ${r.run.failures.length} failed (${[...new Set(r.run.failures)].join('; ')})`);
    if (r.errors.length) notes.push(`${IMPLS[r.impl].name}: page errors: ${r.errors.slice(0, 3).join('; ')}`);
  }
  const markdown = [
    `${BUTTONS} buttons on one page, each its own client, term 1001 (48 rows) written in ${DURATION_MS / 1000} s; all clicked in one task.`,
    '"files fetched": distinct export-done URLs that serve their file (fetched again from the bench). "Chromium downloads": download',
    'events Chromium let through — it drops programmatic downloads that come faster than ~10 at a time, whoever starts them.',
    '"Ignored clicks": buttons whose first click had not started an export a second later (they were clicked again each frame until it did).',
    'Script time per second: CDP ScriptDuration from the clicks to the last outcome, divided by that wall time. Long tasks:',
    'PerformanceObserver "longtask" in the page until the last outcome; the one task that clicks all 100 buttons is shown on its',
    'own (its length, long or not). Mount: mounting the 100 buttons until all are in the document.',
    'Ratios to React 18 + antd 5 in this run.',
    '',
    table(['implementation', 'export-done', 'files fetched', 'Chromium downloads', 'ignored clicks', 'script time / s', 'vs React', 'script time, total', 'the click task', 'other long tasks > 50 ms', 'mount script time', 'longest mount task', 'time to last file', 'progress / all req. per button'], rows, 'lrrrrrrrrrrrrr'),
    ...(notes.length ? ['', ...notes.map((n) => `- ${n}`)] : []),
    '',
    `Widget: **${allArrived ? 'every file arrived' : 'FILES MISSING'}** (${w.run.done} export-done, ${w.fetched} files served, ${w.downloads} Chromium downloads); ` +
      `**${noLong ? 'no long task over 50 ms' : `${w.run.over50} long task(s) over 50 ms, the longest ${int(w.run.longest)} ms`}** while exporting ` +
      `(besides the task of the 100 clicks: ${int(w.run.clickTaskMs)} ms).`,
  ].join('\n');
  return {
    title: `Scale: ${BUTTONS} buttons exporting at once`,
    markdown,
    checks: [
      { name: `scale: all ${BUTTONS} files arrive`, ok: allArrived, detail: `${w.run.done} export-done, ${w.fetched} files served, ${w.downloads} Chromium downloads`, checked: true },
      { name: 'scale: no long task > 50 ms while exporting (besides the click task)', ok: noLong, detail: noLong ? 'none' : `${w.run.over50}, longest ${int(w.run.longest)} ms`, checked: true },
    ],
    data: results,
  };
}

export { Mock };
