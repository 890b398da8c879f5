// The widget in somebody else's page: hostile global CSS (and Bootstrap 3 and antd's reset), a
// strict Content-Security-Policy with and without 'wasm-unsafe-eval', the bundle on another origin
// with and without CORS headers, no WebAssembly or a missing .wasm, a slow link, a 320 px screen
// and 200% zoom near each edge, and two copies of the loader on one page. Each case asserts what a
// user sees; screenshots go to build/screenshots/<engine>/host-*.png.
//
// The pages come from a stand-in for the school's own server (e2e/host/server.mjs), which passes
// API and bundle requests through to the mock. Each page loads /watch.js first: it records CSP
// violations, the widget's export-error events and console errors from the very start, in every
// engine (WebDriver has no hook before a page's first script).
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdtempSync, cpSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BASE, ROOT, ENGINE, client, open, onlyIn, requests, shotPath, sleep, until, readXlsx, playwright } from './lib.mjs';
import { startHost } from './host/server.mjs';
import { K12_CONFIG } from './fixtures.mjs';

const VENDOR = join(ROOT, 'e2e/host/vendor');

const CONFIG = JSON.stringify(K12_CONFIG);
/** @typedef {import('./driver/index.mjs').Page} Page */
/** @typedef {import('node:test').TestContext} TestContext */

/** @param {string} s */
const esc = (s) => s.replace(/&/g, '&amp;').replace(/'/g, '&#39;');

/** Loaded first by every page: what happens from the start, kept in window.__seen. */
const WATCH = `window.__seen = { violations: [], errors: [], console: [], done: [] };
document.addEventListener('securitypolicyviolation', (e) => __seen.violations.push(e.violatedDirective + ' ' + e.blockedURI));
document.addEventListener('export-error', (e) => __seen.errors.push(e.detail));
document.addEventListener('export-done', (e) => __seen.done.push(e.detail.filename));
const original = console.error;
console.error = function (...a) { __seen.console.push(a.map((x) => (x && x.message) || String(x)).join(' ')); return original.apply(this, a); };
addEventListener('error', (e) => __seen.console.push('uncaught: ' + e.message));
if (location.search.includes('no-wasm')) delete window.WebAssembly;
requestAnimationFrame(() => {
  const b = document.querySelector('#export')?.shadowRoot?.querySelector('.k12x-btn');
  __seen.firstFrame = b ? { w: b.getBoundingClientRect().width } : null;
});`;

/**
 * The K12 toolbar of a school admin page, with the export element and whatever `head` adds.
 * @param {{ head?: string, loader?: string, data?: Record<string, unknown>, attrs?: string, body?: string }} [parts]
 */
function page({ head = '', loader = '<script type="module" src="/embed/k12-export.js"></script>', data = {}, attrs = '', body = '' } = {}) {
  const d = JSON.stringify({ termId: 1001, termName: '2024春季班', ...data });
  return `<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">
<title>作业统计</title><script src="/watch.js"></script>${head}${loader}</head><body>
<div class="toolbar" id="toolbar"><h1 id="title">作业统计</h1><label>期次 <select><option>2024春季班</option></select></label>
<k12-export-button id="export" config='${esc(CONFIG)}' data='${esc(d)}' filename="K12作业统计-{termName}" ${attrs}></k12-export-button>
<span id="after">共 48 名学生</span></div>
<p id="below">“导出”会导出当前期次内的所有作业数据，完成后自动下载。</p>${body}
</body></html>`;
}

/**
 * A host server for `pages` (path → html), passing the rest through to the mock.
 * @param {TestContext} t
 * @param {Record<string, string | { type?: string, body: string }>} pages
 * @param {Omit<NonNullable<Parameters<typeof startHost>[0]>, 'mock' | 'pages'>} [options]
 */
async function host(t, pages, options = {}) {
  const h = await startHost({ mock: BASE, pages: { '/watch.js': { type: 'text/javascript', body: WATCH }, ...pages }, ...options });
  t.after(() => h.close());
  return h;
}

/** What the page saw from its start (its /watch.js). @param {Page} p */
const seen = (p) => p.evaluate(() => {
  if (!window.__seen) throw new Error('the page did not load /watch.js');
  return window.__seen;
});
/** @param {Page} p */
const btn = (p, sel = '#export') => p.locator(sel).locator('.k12x-btn');
/** @param {Page} p @param {string} name */
const shot = (p, name) => p.screenshot(shotPath(`host-${name}`));

/**
 * Waits until the wasm has taken over the element's box (its root rendered the button).
 * @param {Page} p
 */
async function live(p, sel = '#export') {
  try {
    await p.waitFor((s) => !!document.querySelector(s)?.shadowRoot?.querySelector('.k12x-root .k12x-btn'), sel, { timeout: 30000, what: `${sel} taken over` });
  } catch (e) {
    const inside = await p.evaluate((s) => document.querySelector(s)?.shadowRoot?.innerHTML, sel);
    throw new Error(`${sel}: the wasm did not take over (${e instanceof Error ? e.message : e}); the element shows ${inside}`, { cause: e });
  }
}

/**
 * Boxes that must not depend on the page: the host element, the button, the label.
 * @param {Page} p
 */
function boxes(p, sel = '#export') {
  return p.evaluate((s) => {
    const host = document.querySelector(s);
    const b = host?.shadowRoot?.querySelector('.k12x-btn');
    if (!host || !b) throw new Error(`${s} has no button`);
    const r = (/** @type {Element} */ e) => { const b = e.getBoundingClientRect(); return { w: Math.round(b.width * 10) / 10, h: Math.round(b.height * 10) / 10 }; };
    return { host: r(host), button: r(b), label: b.textContent, letterSpacing: getComputedStyle(b).letterSpacing };
  }, sel);
}

/**
 * What the open popover shows: visible box, filename, bar fill against the percent.
 * @param {Page} p
 */
function popover(p, sel = '#export') {
  return p.evaluate((s) => {
    const root = document.querySelector(s)?.shadowRoot;
    if (!root) throw new Error(`${s} has no shadow root`);
    const pop = root.querySelector('[role=tooltip]');
    if (!pop) return null;
    /** @param {string} css */
    const part = (css) => {
      const e = root.querySelector(css);
      if (!e) throw new Error(`the popover has no ${css}`);
      return e;
    };
    const cs = getComputedStyle(pop);
    const box = pop.getBoundingClientRect();
    const bar = part('.k12x-bar').getBoundingClientRect();
    const fill = part('.k12x-bar-fill').getBoundingClientRect();
    return {
      display: cs.display, visible: cs.display !== 'none' && cs.visibility !== 'hidden' && box.width > 0,
      width: box.width, name: part('.k12x-pop-name').textContent,
      pct: parseInt(part('.k12x-pop-pct').textContent ?? '', 10), fill: bar.width ? fill.width / bar.width : -1,
      rect: { left: box.left, top: box.top, right: box.right, bottom: box.bottom },
    };
  }, sel);
}

/**
 * Waits until the bar shows the percent (its width eases in over 0.4 s).
 * @param {Page} p
 * @param {string} what
 */
const barMatches = (p, what) => until(`${what}: the bar matching the percent`, async () => {
  const pop = await popover(p);
  return pop && pop.pct > 0 && Math.abs(pop.fill * 100 - pop.pct) <= 3 ? pop : null;
}, 8000);

const HOSTILE = {
  'tooltip-hidden': '[role=tooltip]{display:none!important}',
  'div-flex': 'div{display:flex!important}',
  'letter-spacing': '*{letter-spacing:.5em!important;word-spacing:1em}',
  'line-height': '*{line-height:3!important}',
  'focus-outlines': '*:focus{outline:4px solid #e00!important;box-shadow:0 0 0 8px orange!important}',
  'text-and-colour': '*{text-transform:uppercase;font-size:22px;font-weight:900;color:#c0c!important;text-align:right;white-space:pre;font-style:italic;text-indent:40px;cursor:crosshair}',
  'bootstrap-3': '<link rel="stylesheet" href="/vendor/bootstrap.css">',
  'antd-reset': '<link rel="stylesheet" href="/vendor/antd-reset.css">',
};

test('hostile global CSS (and Bootstrap 3, antd reset): same button box as on a clean page, popover visible with filename and a bar that matches the percent', async (t) => {
  const css = (/** @type {string} */ f) => ({ type: 'text/css', body: readFileSync(join(VENDOR, f), 'utf8') });
  /** @type {Record<string, string | { type: string, body: string }>} */
  const pages = { '/vendor/bootstrap.css': css('bootstrap-3.4.1.min.css'), '/vendor/antd-reset.css': css('antd-5.29.3-reset.css') };
  const all = Object.values(HOSTILE).map((v) => (v.startsWith('<') ? v : `<style>${v}</style>`)).join('');
  /** @type {Record<string, string>} */
  const cases = { clean: '', ...HOSTILE, 'all-at-once': all };
  for (const [name, rule] of Object.entries(cases)) {
    const head = rule.startsWith('<') ? rule : rule && `<style>${rule}</style>`;
    pages[`/${name}.html`] = page({ head, data: { durationMs: 20000, client: client(`host-${name}`) } });
  }
  const h = await host(t, pages);
  /** @type {Awaited<ReturnType<typeof boxes>> | undefined} */
  let clean;
  for (const name of Object.keys(cases)) {
    const { page: p } = await open(t);
    await p.goto(`${h.base}/${name}.html`);
    await live(p);
    const b = await boxes(p);
    clean ??= b;
    assert.deepEqual(b.button, clean.button, `${name}: the button's box is the clean page's`);
    // (A page that makes the toolbar a flex container stretches its items, this one too.)
    if (!/flex/.test(cases[name])) assert.equal(b.host.h, clean.button.h, `${name}: the element is as tall as the button`);
    assert.equal(b.label, '导出', `${name}: label`);
    assert.equal(b.letterSpacing, 'normal', `${name}: letter-spacing reset`);
    await btn(p).click();
    await btn(p).hover();
    const pop = await barMatches(p, name);
    assert.ok(pop.visible, `${name}: popover shown (display ${pop.display})`);
    assert.ok(pop.width >= 280, `${name}: popover ${pop.width} px wide`);
    assert.equal(pop.name, 'K12作业统计-2024春季班.xlsx', `${name}: filename`);
    if (name === 'focus-outlines') {
      await btn(p).evaluate((/** @type {HTMLElement} */ b) => b.focus());
      const ring = await p.evaluate(() => {
        const el = document.querySelector('#export');
        if (!el) throw new Error('no #export');
        const cs = getComputedStyle(el);
        return { outline: cs.outlineStyle, shadow: cs.boxShadow };
      });
      assert.equal(ring.outline, 'none', 'no host outline on the element');
      assert.equal(ring.shadow, 'none', 'no host shadow on the element');
    }
    await shot(p, `css-${name}`);
    assert.deepEqual((await seen(p)).console, [], `${name}: no error`);
    await p.close();
  }
});

const STRICT = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'";

test("strict CSP with 'wasm-unsafe-eval': the export runs, the bar fills, zero violations", async (t) => {
  const c = client('csp');
  const h = await host(t, { '/csp.html': page({ data: { durationMs: 3000, client: c } }) }, { headers: { 'Content-Security-Policy': STRICT } });
  const { page: p } = await open(t);
  await p.goto(`${h.base}/csp.html`);
  await live(p);
  const download = p.expectDownload();
  await btn(p).click();
  await btn(p).hover();
  await barMatches(p, 'csp');
  await shot(p, 'csp-strict');
  const d = await download;
  assert.equal(d.name, 'K12作业统计-2024春季班.xlsx');
  assert.equal(readXlsx(d.path).length, 49);
  const s = await seen(p);
  assert.deepEqual(s.violations, [], 'no CSP violation');
  assert.deepEqual(s.console, []);
});

test('strict CSP and a file on another origin: the hidden frame is refused (frame-src), nothing downloads and the page stays, the 下载 link opens the file; with the origin in frame-src it downloads', async (t) => {
  for (const allowed of [false, true]) {
    const c = client(`csp-far-${allowed}`);
    const policy = allowed ? `${STRICT}; frame-src 'self' http://localhost:*` : STRICT;
    const data = { durationMs: 800, client: c, scenario: 'foreign-url' };
    const h = await host(t, { '/far.html': page({ data }) }, { headers: { 'Content-Security-Policy': policy } });
    const { page: p } = await open(t);
    await p.goto(`${h.base}/far.html`);
    await live(p);
    const download = p.expectDownload({ timeout: allowed ? 30000 : 8000 });
    await btn(p).click();
    await p.locator('#export').locator('.k12x[data-status="done"]').waitFor({ timeout: 20000 });
    const fallback = p.locator('#export').locator('a.k12x-fallback');
    assert.match((await fallback.attr('href')) ?? '', /^http:\/\/localhost:\d+\/files\//);
    const s = await seen(p);
    if (allowed) {
      assert.equal((await download).name, 'K12作业统计-2024春季班.xlsx');
      assert.deepEqual(s.violations, []);
    } else {
      await assert.rejects(download, 'the frame was refused: nothing downloads');
      assert.equal(await p.evaluate(() => location.pathname), '/far.html', 'the page stays');
      assert.equal(s.violations.length, 1, JSON.stringify(s.violations));
      assert.match(s.violations[0], /^(frame-src|child-src|default-src) http:\/\/localhost:\d+/);
      assert.equal(await fallback.attr('target'), '_blank', 'the link opens the file beside the page');
      await shot(p, 'csp-foreign-file');
    }
    assert.deepEqual(s.console, []);
    await p.close();
  }
});

test("CSP without 'wasm-unsafe-eval': the button is there, a click explains, one console error names the fix", async (t) => {
  const policy = "default-src 'self'; script-src 'self'; style-src 'self'";
  const h = await host(t, { '/csp.html': page() }, { headers: { 'Content-Security-Policy': policy } });
  const { page: p } = await open(t);
  await p.goto(`${h.base}/csp.html`);
  await btn(p).waitFor();
  assert.equal(await btn(p).text(), '导出');
  await until('the loader gave up', async () => (await seen(p)).console.length > 0);
  await btn(p).click();
  const alert = p.locator('#export').locator('[role=alert]');
  await alert.waitFor({ timeout: 5000 });
  assert.match(await alert.text(), /导出失败/);
  assert.match(await alert.text(), /安全设置/);
  const s = await seen(p);
  assert.equal(s.errors.length, 1);
  assert.equal(s.errors[0].kind, 'unavailable');
  assert.equal(s.errors[0].cause, 'csp');
  assert.equal(s.console.length, 1, `one console error: ${JSON.stringify(s.console)}`);
  assert.match(s.console[0], /'wasm-unsafe-eval'/);
  assert.equal(await btn(p).attr('aria-busy'), null, 'not left busy');
  await shot(p, 'csp-no-wasm');
});

test('bundle on another origin (a CDN): works with CORS headers; without them the button stays and explains', async (t) => {
  for (const cors of [true, false]) {
    const cdn = await startHost({ dist: join(ROOT, 'dist'), cors });
    t.after(() => cdn.close());
    const c = client(`cdn-${cors}`);
    // Without CORS a module script cannot run at all: such hosts load the classic script.
    const loader = cors
      ? `<script type="module" src="${cdn.base}/embed/k12-export.js"></script>`
      : `<script src="${cdn.base}/embed/k12-export-classic.js"></script>`;
    const h = await host(t, { '/cdn.html': page({ loader, data: { durationMs: 1500, client: c } }) });
    const { page: p } = await open(t);
    await p.goto(`${h.base}/cdn.html`);
    await btn(p).waitFor();
    if (cors) {
      await live(p);
      const download = p.expectDownload();
      await btn(p).click();
      assert.equal((await download).name, 'K12作业统计-2024春季班.xlsx');
      assert.ok(cdn.requests.includes('/embed/runtime_k12_bg.wasm'), 'the wasm came from the CDN');
      assert.deepEqual((await seen(p)).console, []);
    } else {
      await until('the loader gave up', async () => (await seen(p)).console.length > 0);
      await btn(p).click();
      const alert = p.locator('#export').locator('[role=alert]');
      await alert.waitFor({ timeout: 5000 });
      assert.match(await alert.text(), /导出失败/);
      const s = await seen(p);
      assert.equal(s.errors[0].cause, 'load');
      assert.equal(s.console.length, 1, JSON.stringify(s.console));
      assert.match(s.console[0], /Access-Control-Allow-Origin/);
      assert.equal((await requests(c)).length, 0, 'nothing was sent');
      await shot(p, 'cdn-no-cors');
    }
    await p.close();
  }
});

test('no WebAssembly (turned off, as in lockdown modes) or a missing .wasm: the button is there and explains', async (t) => {
  // A copy of the bundle without its .wasm files: what a half-finished deployment serves.
  const partial = mkdtempSync(join(tmpdir(), 'k12x-partial-'));
  t.after(() => rmSync(partial, { recursive: true, force: true }));
  cpSync(join(ROOT, 'dist/embed'), join(partial, 'embed'), { recursive: true, filter: (f) => !/\.wasm/.test(f) });
  const cdn = await startHost({ dist: partial, cors: true });
  t.after(() => cdn.close());
  const h = await host(t, {
    '/no-wasm.html': page(),
    '/missing.html': page({ loader: `<script type="module" src="${cdn.base}/embed/k12-export.js"></script>` }),
  });
  for (const [name, cause, fix] of /** @type {[string, string, RegExp][]} */ ([['no-wasm', 'unsupported', /no WebAssembly/], ['missing', 'load', /HTTP 404/]])) {
    const { page: p } = await open(t);
    await p.goto(`${h.base}/${name}.html?${name}`);
    await btn(p).waitFor();
    await until(`${name}: the loader gave up`, async () => (await seen(p)).console.length > 0);
    await btn(p).click();
    await p.locator('#export').locator('[role=alert]').waitFor({ timeout: 5000 });
    const s = await seen(p);
    assert.equal(s.errors[0].kind, 'unavailable', name);
    assert.equal(s.errors[0].cause, cause, name);
    assert.equal(s.console.length, 1, JSON.stringify(s.console));
    assert.match(s.console[0], fix);
    await shot(p, `unavailable-${name}`);
    await p.close();
  }
});

test('slow link (1.6 Mbps, 150 ms): the button is there at first paint, a click before the wasm shows busy and starts the export without moving anything', async (t) => {
  const c = client('slow');
  // The blocking classic script in <head>: the element is defined before the body is parsed.
  const loader = '<script src="/embed/k12-export-classic.js"></script>';
  const h = await host(t, { '/slow.html': page({ loader, data: { durationMs: 1500, client: c } }) }, { slow: { latencyMs: 150, kbps: 1600, match: /^\/embed\// } });
  const { page: p } = await open(t);
  const shifts = ENGINE === 'chromium' ? await layoutShifts(p) : null;
  const download = p.expectDownload({ timeout: 60000 });
  await p.goto(`${h.base}/slow.html`);
  const first = (await seen(p)).firstFrame;
  assert.ok(first && first.w >= 64, `the button at the first frame: ${JSON.stringify(first)}`);
  // The page's load event waits for the classic loader only: the wasm is still on its way.
  await btn(p).click();
  const early = await p.evaluate(() => {
    const root = document.querySelector('#export')?.shadowRoot;
    const after = document.querySelector('#after');
    if (!root || !after) throw new Error('no #export drawn, or no #after');
    return { busy: root.querySelector('.k12x-btn')?.getAttribute('aria-busy'), wasm: !!root.querySelector('.k12x-root'), after: after.getBoundingClientRect().left };
  });
  assert.equal(early.wasm, false, 'clicked before the wasm arrived');
  assert.equal(early.busy, 'true', 'busy at once');
  await shot(p, 'slow-queued-click');
  await live(p);
  const taken = await p.evaluate(() => document.querySelector('#after')?.getBoundingClientRect().left);
  assert.equal(taken, early.after, 'the wasm took over the busy button without moving what follows');
  const d = await download;
  assert.equal(d.name, 'K12作业统计-2024春季班.xlsx');
  assert.ok((await requests(c)).some((r) => r.path.endsWith('/homework/export')), 'the queued click started the export');
  if (shifts) assert.deepEqual(await shifts(), [], 'no layout shift');
  assert.deepEqual((await seen(p)).console, []);
});

/**
 * Chromium's Layout Instability API from the first byte: shifts not caused by input (a click's own
 * shift is not a layout shift) until the file comes; sub-pixel moves of text as it re-renders are
 * seen by nobody and left out.
 * @param {Page} p
 */
async function layoutShifts(p) {
  await playwright(p).addInitScript(() => {
    /** @type {string[]} */
    const shifts = (window.__shifts = []);
    addEventListener('export-done', () => { window.__shiftsDone = true; });
    /**
     * A layout-shift entry (the Layout Instability API: Chromium's, not in TypeScript's DOM).
     * @typedef {PerformanceEntry & { value: number, hadRecentInput: boolean, sources?: { node?: Node | null, previousRect: DOMRectReadOnly, currentRect: DOMRectReadOnly }[] }} LayoutShift
     */
    new PerformanceObserver((l) => {
      for (const e of /** @type {LayoutShift[]} */ (l.getEntries())) {
        if (e.hadRecentInput || window.__shiftsDone) continue;
        const moved = (e.sources || []).filter((s) => /** @type {const} */ (['x', 'y', 'width', 'height']).some((k) => Math.abs(s.previousRect[k] - s.currentRect[k]) >= 1));
        const what = moved.map((s) => `${s.node?.nodeName || 'a node in a shadow root'}#${(s.node instanceof Element && s.node.id) || ''} ${JSON.stringify(s.previousRect)}→${JSON.stringify(s.currentRect)}`);
        if (what.length) shifts.push(`${e.value.toFixed(6)} at ${Math.round(e.startTime)} ms: ${what.join('; ')}`);
      }
    }).observe({ type: 'layout-shift', buffered: true });
  });
  return () => p.evaluate(() => window.__shifts ?? []);
}

/**
 * Places the element fixed at a corner and returns the popover box once it is open and placed.
 * @param {Page} p
 * @param {string} base
 * @param {string} corner
 * @param {string} c
 */
async function cornerPopover(p, base, corner, c) {
  const [v, hz] = corner.split('-');
  await p.goto(`${base}/corner.html`);
  await p.evaluate(([v, hz, c]) => {
    const e = document.querySelector('#export');
    if (!(e instanceof HTMLElement)) throw new Error('no #export');
    e.style.position = 'fixed';
    e.style.setProperty(v, '4px');
    e.style.setProperty(hz, '4px');
    const name = '2024春季班（周末晚间提高班·第二学期·数学与物理竞赛综合训练营）';
    e.setAttribute('data', JSON.stringify({ termId: 1001, termName: name, durationMs: 30000, client: c }));
  }, [v, hz, c]);
  await live(p);
  await btn(p).click();
  await btn(p).hover();
  await until('popover open', async () => (await popover(p))?.visible);
  await sleep(300);
  const pop = await popover(p);
  if (!pop) throw new Error('the popover closed');
  return pop;
}

/**
 * The popover near each corner of the window, and the toast, stay inside the window.
 * @param {Page} p
 * @param {{ base: string }} h
 * @param {string} name
 */
async function edges(p, h, name) {
  const viewport = await p.evaluate(() => ({ width: innerWidth, height: innerHeight }));
  for (const corner of ['top-left', 'top-right', 'bottom-left', 'bottom-right']) {
    const { rect } = await cornerPopover(p, h.base, corner, client(`corner-${name}-${corner}`));
    assert.ok(rect.left >= 0 && rect.right <= viewport.width && rect.top >= 0 && rect.bottom <= viewport.height,
      `${name} ${corner}: popover ${JSON.stringify(rect)} inside ${viewport.width}×${viewport.height}`);
    await shot(p, `${name}-${corner}`);
  }
  await p.goto(`${h.base}/toast.html`);
  await live(p);
  await btn(p).click();
  const alert = p.locator('#export').locator('[role=alert]');
  await alert.waitFor({ timeout: 15000 });
  const box = await alert.box();
  assert.ok(box.width >= Math.min(360, viewport.width - 16) - 0.5, `${name}: toast ${box.width} px wide in ${viewport.width}`);
  assert.ok(box.left >= 0 && box.right <= viewport.width, `${name}: toast inside the window`);
  await shot(p, `${name}-toast`);
  assert.deepEqual((await seen(p)).console, []);
}

const pagesForEdges = () => ({ '/corner.html': page(), '/toast.html': page({ data: { durationMs: 800, scenario: 'fail', failAt: 10, client: client('toast') } }) });

test('320 px screen near each edge: the popover stays inside the window; the toast is wide enough', onlyIn(['chromium'], 'the narrowest window the other engines open is wider (see the next test)'), async (t) => {
  const h = await host(t, pagesForEdges());
  const { page: p } = await open(t, { width: 320, height: 640 });
  await edges(p, h, '320px');
});

test('narrow window (500 px) near each edge: the popover stays inside the window; the toast is wide enough', async (t) => {
  const h = await host(t, pagesForEdges());
  const { page: p } = await open(t, { width: 500, height: 640 });
  await edges(p, h, '500px');
});

test('200% zoom near each edge: the popover stays inside the window', onlyIn(['chromium'], 'zoom is set through the DevTools protocol'), async (t) => {
  const h = await host(t, pagesForEdges());
  const { page: p } = await open(t, { width: 640, height: 450 });
  // 200% zoom of a 1280×900 window: 640×450 CSS pixels, two device pixels to each.
  const chromium = playwright(p);
  const cdp = await chromium.context().newCDPSession(chromium);
  await cdp.send('Emulation.setDeviceMetricsOverride', { width: 640, height: 450, deviceScaleFactor: 2, mobile: false });
  await edges(p, h, 'zoom-200');
});

/**
 * What old libraries leave behind in a page, loaded before the widget: Prototype.js 1.6's
 * `Array.prototype.toJSON` (arrays stringify as strings: `[3,4]` becomes `"[3, 4]"`) and
 * properties on `Object.prototype` (prototype pollution).
 */
const OLD_LIBRARIES = `<script>
Array.prototype.toJSON = function () { var r = []; for (var i = 0; i < this.length; i++) r.push(JSON.stringify(this[i])); return '[' + r.join(', ') + ']'; };
Object.prototype.polluted = 1;
Object.prototype.protocol = 'xlink';
</script>`;

test('a page whose old libraries patched the prototypes: mount() reads the options as given and the asset export saves a real file', async (t) => {
  const c = client('prototypes');
  const body = `<div id="assets"></div><script type="module">
import { mount } from '/embed-all/k12-export.js';
const options = { protocol: 'asset', session: 'demo', assetIds: [3, 4], filename: '资产-旧页面', label: '导出资产',
  query: { client: '${c}', durationMs: '1000' } };
__seen.stringified = JSON.stringify({ assetIds: options.assetIds });
try { window.__handle = await mount(document.getElementById('assets'), options); __seen.mounted = 'yes'; } catch (e) { __seen.mounted = e.message; }
</script>`;
  const h = await host(t, { '/old.html': page({ head: OLD_LIBRARIES, loader: '', body }) });
  const { page: p } = await open(t);
  await p.goto(`${h.base}/old.html`);
  // Only text comes back from the page, and the export is started through the handle (as a click
  // would): a WebDriver's own script in the page meets the patched prototypes too.
  await until('mount() to settle', () => p.evaluate(() => window.__seen?.mounted || ''), 30000);
  assert.equal(await p.evaluate(() => window.__seen?.stringified), '{"assetIds":"[3, 4]"}', 'the page is patched as Prototype.js 1.6 does');
  assert.equal(await p.evaluate(() => window.__seen?.mounted), 'yes');
  const download = p.expectDownload({ timeout: 30000 });
  await p.evaluate(() => {
    if (!window.__handle) throw new Error('the page mounted nothing');
    return String(window.__handle.start());
  });
  const d = await download;
  assert.equal(d.name, '资产-旧页面.csv');
  const lines = readFileSync(d.path, 'utf8').slice(1).trim().split(/\r?\n/);
  assert.deepEqual(lines.slice(1).map((l) => l.split(',')[0]), ['3', '4'], 'assets 3 and 4 exported');
  assert.equal(await p.evaluate(() => (window.__seen ? window.__seen.errors.length + ' ' + window.__seen.console.join(' | ') : 'no /watch.js')), '0 ');
  const posted = (await requests(c)).filter((r) => r.method === 'POST');
  assert.equal(posted.length, 1);
});

test('two loaders on one page (either first): every button works, ids are unique', async (t) => {
  const xlink = JSON.stringify({ protocol: 'xlink', accessToken: 'demo-token', name: '设备列表导出', type: 1, describe: '全部设备' });
  for (const order of [['embed', 'embed-all'], ['embed-all', 'embed']]) {
    const c = client(`two-${order[0]}`);
    const loader = order.map((d) => `<script type="module" src="/${d}/k12-export.js"></script>`).join('');
    const body = `<div><k12-export-button id="second" config='${esc(CONFIG)}' data='${esc(JSON.stringify({ termId: 1003, termName: '2024秋季班', durationMs: 1500, client: c }))}' filename="K12作业统计-{termName}"></k12-export-button>
<k12-export-button id="xlink" options='${esc(xlink)}' data='${esc(JSON.stringify({ client: c, durationMs: 1500 }))}' label="导出设备"></k12-export-button></div>`;
    const h = await host(t, { '/two.html': page({ loader, body, data: { durationMs: 1500, client: c } }) });
    const { page: p } = await open(t);
    await p.goto(`${h.base}/two.html`);
    for (const id of ['#export', '#second', '#xlink']) await live(p, id);
    for (const id of ['#export', '#second', '#xlink']) await btn(p, id).click();
    const ids = await p.evaluate(() => {
      /** @type {string[]} */
      const all = [];
      /** @type {string[]} */
      const dangling = [];
      for (const host of document.querySelectorAll('k12-export-button')) {
        const root = host.shadowRoot;
        if (!root) throw new Error(`<k12-export-button id="${host.id}"> has no shadow root`);
        for (const e of root.querySelectorAll('[id]')) all.push(e.id);
        for (const e of root.querySelectorAll('[aria-describedby]')) {
          const id = e.getAttribute('aria-describedby') ?? '';
          if (!root.getElementById(id)) dangling.push(id);
        }
      }
      return { all, dangling };
    });
    assert.equal(new Set(ids.all).size, ids.all.length, `unique ids: ${ids.all}`);
    assert.ok(ids.all.length >= 3, `three busy buttons have popovers: ${ids.all}`);
    assert.deepEqual(ids.dangling, []);
    await until('three exports done', async () => (await seen(p)).done.length === 3, 30000);
    const s = await seen(p);
    assert.deepEqual(s.errors, []);
    assert.ok(s.done.includes('K12作业统计-2024春季班.xlsx') && s.done.includes('K12作业统计-2024秋季班.xlsx'), JSON.stringify(s.done));
    await shot(p, `two-loaders-${order[0]}-first`);
    assert.deepEqual(s.console.filter((e) => !e.includes('older copy')), []);
    await p.close();
  }
});
