// Start-up: from navigation to an interactive button, and the main thread's script time, for the
// widget and both peers on their homework pages, each run in a fresh context (cold caches).
//
// "Interactive": the button is in the document, enabled (no `disabled`, no aria-disabled="true")
// and laid out (non-zero width). An init script checks on every DOM mutation and every animation
// frame and stores performance.now() (ms since navigation start) the first time it holds.
// Script time: CDP Performance.getMetrics ScriptDuration once the page has settled (network idle).
// Runs are interleaved (widget, react, vanilla, rotated each round) so drift hits all alike.
import { IMPLS, freshPage, median, metrics, quantile, ratio, table } from './lib.mjs';

function probe({ selector, click }) {
  // An init script cannot import /bench/driver.js: its deepQuery, inline (the button may be inside
  // an open shadow root).
  const deepQuery = (root, sel) => {
    const hit = root.querySelector(sel);
    if (hit) return hit;
    for (const el of root.querySelectorAll('*')) {
      const inner = el.shadowRoot && deepQuery(el.shadowRoot, sel);
      if (inner) return inner;
    }
    return null;
  };
  const ready = () => {
    const b = deepQuery(document, selector);
    return b && !b.disabled && b.getAttribute('aria-disabled') !== 'true' && b.getBoundingClientRect().width > 0;
  };
  let done = false;
  const check = () => {
    if (done || !ready()) return false;
    done = true;
    window.__interactiveAt = performance.now();
    observer.disconnect();
    if (click) clickUntilStarted();
    return true;
  };
  // The click probe: a click each frame from "interactive" on, until one starts an export.
  function clickUntilStarted() {
    let started = false;
    document.addEventListener('export-start', () => { started = true; }, { once: true });
    const tryClick = () => {
      const at = performance.now();
      deepQuery(document, selector).click();
      if (started) {
        window.__clickWorkedAt = at;
        window.__clicks = (window.__clicks || 0) + 1;
        return;
      }
      window.__clicks = (window.__clicks || 0) + 1;
      requestAnimationFrame(() => {
        if (started) window.__clickWorkedAt = at; else tryClick();
      });
    };
    tryClick();
  }
  const observer = new MutationObserver(check);
  observer.observe(document, { childList: true, subtree: true, attributes: true });
  const frame = () => { if (!check()) requestAnimationFrame(frame); };
  requestAnimationFrame(frame);
}

// The click probe's exports go nowhere: the export endpoints answer "not ready" without the mock.
const NOT_READY = { code: 0, message: '', result: { url: null, filename: null } };

async function clickOnce(browser, base, impl) {
  const { context, page, errors, close } = await freshPage(browser);
  await context.route(/\/homework\/export/, (route) => route.fulfill({ json: NOT_READY }));
  await context.addInitScript(probe, { selector: IMPLS[impl].button, click: true });
  await page.goto(base + IMPLS[impl].page, { waitUntil: 'load' });
  await page.waitForFunction(() => window.__clickWorkedAt !== undefined, null, { timeout: 30000 });
  const r = await page.evaluate(() => ({ clickable: window.__clickWorkedAt, clicks: window.__clicks, interactive: window.__interactiveAt }));
  await close();
  if (errors.length) throw new Error(`${impl}: page errors: ${errors.join('; ')}`);
  return r;
}

async function once(browser, base, impl) {
  const { context, page, cdp, errors, close } = await freshPage(browser);
  await context.addInitScript(probe, { selector: IMPLS[impl].button, click: false });
  await page.goto(base + IMPLS[impl].page, { waitUntil: 'load' });
  await page.waitForFunction(() => window.__interactiveAt !== undefined, null, { timeout: 30000 });
  await page.waitForLoadState('networkidle');
  const m = await metrics(cdp);
  const interactive = await page.evaluate(() => window.__interactiveAt);
  await close();
  if (errors.length) throw new Error(`${impl}: page errors: ${errors.join('; ')}`);
  return { interactive, script: m.ScriptDuration * 1000, task: m.TaskDuration * 1000, heap: m.JSHeapUsedSize };
}

export async function run({ browser, base, runs }) {
  const impls = ['widget', 'react', 'vanilla'];
  const samples = Object.fromEntries(impls.map((i) => [i, []]));
  // One warm-up round, not counted (the browser's first contexts are slower for everyone).
  for (const impl of impls) await once(browser, base, impl);
  for (let r = 0; r < runs; r++) {
    for (let k = 0; k < impls.length; k++) {
      const impl = impls[(r + k) % impls.length];
      samples[impl].push({ ...(await once(browser, base, impl)), ...(await clickOnce(browser, base, impl)) });
    }
  }
  const stat = (impl, key) => {
    const v = samples[impl].map((s) => s[key]);
    return { med: median(v), p25: quantile(v, 0.25), p75: quantile(v, 0.75) };
  };
  const base0 = { clickable: stat('react', 'clickable').med, interactive: stat('react', 'interactive').med, script: stat('react', 'script').med, task: stat('react', 'task').med, heap: stat('react', 'heap').med };
  const rows = impls.map((impl) => {
    const i = stat(impl, 'interactive');
    const c = stat(impl, 'clickable');
    const ignored = samples[impl].filter((x) => x.clicks > 1).length;
    const s = stat(impl, 'script');
    const t = stat(impl, 'task');
    const h = stat(impl, 'heap');
    return [
      IMPLS[impl].name,
      ratio(i.med, base0.interactive),
      `${ratio(i.p25, base0.interactive)} – ${ratio(i.p75, base0.interactive)}`,
      ratio(c.med, base0.clickable),
      `${ignored} / ${samples[impl].length}`,
      ratio(s.med, base0.script),
      `${ratio(s.p25, base0.script)} – ${ratio(s.p75, base0.script)}`,
      ratio(t.med, base0.task),
      `${(h.med / 1048576).toFixed(2)} MiB`,
    ];
  });
  const w = { interactive: stat('widget', 'interactive').med, clickable: stat('widget', 'clickable').med, script: stat('widget', 'script').med };
  const clickRatio = w.clickable / base0.clickable;
  const ttiRatio = w.interactive / base0.interactive;
  const scriptRatio = w.script / base0.script;
  const markdown = [
    `Median of ${runs} fresh contexts per implementation (interleaved, after one uncounted warm-up round), headless Chromium,`,
    'each on its homework page. Ratios to React 18 + antd 5 in this run (its medians here: time to interactive',
    `${base0.interactive.toFixed(0)} ms, first working click ${base0.clickable.toFixed(0)} ms, script ${base0.script.toFixed(0)} ms — for scale only, this machine is shared).`,
    'Time to interactive: navigation start → the button is present, enabled and laid out. Script / task time: CDP',
    'ScriptDuration / TaskDuration of the main thread once the page is idle. JS heap: JSHeapUsedSize then (absolute).',
    'First click that works: in a second fresh context per run, the button is clicked once per frame from "interactive" on',
    '(export endpoints stubbed) until a click starts an export (export-start): the time of that click, as a ratio to',
    "React+antd's. A run with an ignored click: its first click at \"interactive\" did nothing.",
    '',
    table(['implementation', 'time to interactive', 'p25 – p75', 'first click that works', 'runs with an ignored click', 'script time', 'p25 – p75', 'main-thread task time', 'JS heap'], rows, 'lrrrrrrrr'),
    '',
    `Targets: script time ≤ 0.25× React+antd → widget **${scriptRatio.toFixed(2)}×** (${scriptRatio <= 0.25 ? 'met' : 'NOT met'});`,
    `time to interactive ≤ 1.00× React+antd → widget **${ttiRatio.toFixed(2)}×** (${ttiRatio <= 1 ? 'met' : 'NOT met'});`,
    `first working click vs React+antd's first working click: widget **${clickRatio.toFixed(2)}×**.`,
  ].join('\n');
  return {
    title: 'Start-up',
    markdown,
    checks: [
      { name: 'start-up script time ≤ 0.25× React+antd', ok: scriptRatio <= 0.25, detail: `${scriptRatio.toFixed(2)}×`, checked: false },
      { name: 'time to interactive ≤ 1.00× React+antd', ok: ttiRatio <= 1, detail: `${ttiRatio.toFixed(2)}×`, checked: false },
      { name: 'first working click ≤ 1.00× React+antd', ok: clickRatio <= 1, detail: `${clickRatio.toFixed(2)}×`, checked: false },
    ],
    data: samples,
  };
}
