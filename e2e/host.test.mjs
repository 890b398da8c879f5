// The widget in somebody else's page: hostile global CSS (and Bootstrap 3 and antd's reset), a
// strict Content-Security-Policy with and without 'wasm-unsafe-eval', the bundle on another origin
// with and without CORS headers, a slow link, a 320 px screen and 200% zoom near each edge, and
// two copies of the loader on one page. Each case asserts what a user sees; screenshots go to
// build/screenshots/host/.
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { BASE, ROOT, client, open, requests, until, sleep, readXlsx } from './lib.mjs';
import { startHost } from './host/server.mjs';

const SHOTS = join(ROOT, 'build/screenshots/host');
mkdirSync(SHOTS, { recursive: true });
const VENDOR = join(ROOT, 'e2e/host/vendor');

const CONFIG = JSON.stringify({
  'homework-export': { method: 'GET', url: '/j/org/{termId}/homework/export', rest: true, isPolling: true },
  'homework-export-progress': { method: 'GET', url: '/j/org/{termId}/homework/export/process', rest: true, isPolling: true },
});
const esc = (s) => s.replace(/&/g, '&amp;').replace(/'/g, '&#39;');

/** The K12 toolbar of a school admin page, with the export element and whatever `head` adds. */
function page({ head = '', loader = '<script type="module" src="/embed/k12-export.js"></script>', data = {}, attrs = '', body = '' } = {}) {
  const d = JSON.stringify({ termId: 1001, termName: '2024春季班', ...data });
  return `<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">
<title>作业统计</title>${head}${loader}</head><body>
<div class="toolbar" id="toolbar"><h1 id="title">作业统计</h1><label>期次 <select><option>2024春季班</option></select></label>
<k12-export-button id="export" config='${esc(CONFIG)}' data='${esc(d)}' filename="K12作业统计-{termName}" ${attrs}></k12-export-button>
<span id="after">共 48 名学生</span></div>
<p id="below">“导出”会导出当前期次内的所有作业数据，完成后自动下载。</p>${body}
</body></html>`;
}

/** A host server for `pages` (path → html), passing the rest through to the mock. */
async function host(t, pages, options = {}) {
  const h = await startHost({ mock: BASE, pages, ...options });
  t.after(() => h.close());
  return h;
}

/** Waits until the wasm has taken over the element's box (its root rendered the button). */
async function live(page, sel = '#export') {
  try {
    await page.waitForFunction((s) => !!document.querySelector(s)?.shadowRoot?.querySelector('.k12x-root .k12x-btn'), sel, { timeout: 30000 });
  } catch (e) {
    const inside = await page.evaluate((s) => document.querySelector(s)?.shadowRoot?.innerHTML, sel);
    throw new Error(`${sel}: the wasm did not take over (${e.message}); the element shows ${inside}`);
  }
}

/** Boxes that must not depend on the page: the host element, the button, the label. */
async function boxes(page, sel = '#export') {
  return page.evaluate((s) => {
    const host = document.querySelector(s);
    const r = (e) => { const b = e.getBoundingClientRect(); return { w: Math.round(b.width * 10) / 10, h: Math.round(b.height * 10) / 10 }; };
    const btn = host.shadowRoot.querySelector('.k12x-btn');
    return { host: r(host), button: r(btn), label: btn.textContent, letterSpacing: getComputedStyle(btn).letterSpacing, font: getComputedStyle(btn).fontSize };
  }, sel);
}

/** What the open popover shows: visible box, filename, bar fill against the percent. */
async function popover(page, sel = '#export') {
  return page.evaluate((s) => {
    const root = document.querySelector(s).shadowRoot;
    const pop = root.querySelector('[role=tooltip]');
    if (!pop) return null;
    const cs = getComputedStyle(pop);
    const box = pop.getBoundingClientRect();
    const bar = root.querySelector('.k12x-bar').getBoundingClientRect();
    const fill = root.querySelector('.k12x-bar-fill').getBoundingClientRect();
    return {
      display: cs.display, visible: cs.display !== 'none' && cs.visibility !== 'hidden' && box.width > 0,
      width: box.width, height: box.height, name: root.querySelector('.k12x-pop-name').textContent,
      pct: parseInt(root.querySelector('.k12x-pop-pct').textContent, 10), fill: bar.width ? fill.width / bar.width : -1,
      rect: { left: box.left, top: box.top, right: box.right, bottom: box.bottom },
    };
  }, sel);
}

const shot = (page, name) => page.screenshot({ path: join(SHOTS, `${name}.png`) });

const HOSTILE = {
  'tooltip-hidden': '[role=tooltip]{display:none!important}',
  'div-flex': 'div{display:flex!important}',
  'letter-spacing': '*{letter-spacing:.5em!important;word-spacing:1em}',
  'line-height': '*{line-height:3!important}',
  'focus-outlines': '*:focus{outline:4px solid #e00!important;box-shadow:0 0 0 8px orange!important}',
  'text-and-colour': '*{text-transform:uppercase;font-size:22px;font-weight:900;color:#c0c!important;text-align:right;white-space:pre;font-style:italic;text-indent:40px;visibility:visible;cursor:crosshair}',
  'bootstrap-3': `<link rel="stylesheet" href="/vendor/bootstrap.css">`,
  'antd-reset': `<link rel="stylesheet" href="/vendor/antd-reset.css">`,
};

test('hostile global CSS (and Bootstrap 3, antd reset): same button box as on a clean page, popover visible with filename and a bar that matches the percent', async (t) => {
  const { readFileSync } = await import('node:fs');
  const css = (f) => ({ type: 'text/css', body: readFileSync(join(VENDOR, f), 'utf8') });
  const pages = { '/vendor/bootstrap.css': css('bootstrap-3.4.1.min.css'), '/vendor/antd-reset.css': css('antd-5.29.3-reset.css') };
  const all = Object.values(HOSTILE).map((v) => (v.startsWith('<') ? v : `<style>${v}</style>`)).join('');
  const cases = { clean: '', ...HOSTILE, 'all-at-once': all };
  const clients = {};
  for (const [name, rule] of Object.entries(cases)) {
    clients[name] = client(`host-${name}`);
    const head = rule.startsWith('<') ? rule : rule && `<style>${rule}</style>`;
    pages[`/${name}.html`] = page({ head, data: { durationMs: 20000, client: clients[name] } });
  }
  const h = await host(t, pages);
  const { page: p, errors } = await open(t);
  await p.emulateMedia({ reducedMotion: 'reduce' }); // the bar's width without its transition
  let clean;
  for (const name of Object.keys(cases)) {
    await p.goto(`${h.base}/${name}.html`);
    await live(p);
    const b = await boxes(p);
    if (!clean) clean = b;
    assert.deepEqual(b.button, clean.button, `${name}: the button's box is the clean page's`);
    // (A page that makes the toolbar a flex container stretches its items, this one too.)
    if (!/flex/.test(cases[name])) assert.equal(b.host.h, clean.button.h, `${name}: the element is as tall as the button`);
    assert.equal(b.label, '导出', `${name}: label`);
    assert.equal(b.letterSpacing, 'normal', `${name}: letter-spacing reset`);
    await p.locator('#export .k12x-btn').click();
    await p.locator('#export .k12x-btn').hover();
    await until(`${name}: percent above 0`, async () => ((await popover(p))?.pct || 0) > 0);
    const pop = await popover(p);
    assert.ok(pop.visible, `${name}: popover shown (display ${pop.display})`);
    assert.ok(pop.width >= 280, `${name}: popover ${pop.width} px wide`);
    assert.equal(pop.name, 'K12作业统计-2024春季班.xlsx', `${name}: filename`);
    assert.ok(Math.abs(pop.fill * 100 - pop.pct) <= 3, `${name}: bar ${Math.round(pop.fill * 100)}% for ${pop.pct}%`);
    if (name === 'focus-outlines') {
      await p.keyboard.press('Tab');
      const ring = await p.evaluate(() => {
        const host = document.querySelector('#export');
        return { outline: getComputedStyle(host).outlineStyle, shadow: getComputedStyle(host).boxShadow };
      });
      assert.equal(ring.outline, 'none', 'no host outline on the element');
      assert.equal(ring.shadow, 'none', 'no host shadow on the element');
    }
    await sleep(450); // the bar's width transition
    await shot(p, `css-${name}`);
    await p.evaluate(() => document.querySelector('#export').remove());
  }
  assert.deepEqual(errors, []);
});

const STRICT = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'";

/** Collects CSP violations from the first script on, and the widget's export-error events. */
async function watchCsp(p) {
  await p.addInitScript(() => {
    window.__violations = [];
    window.__errors = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
    document.addEventListener('export-error', (e) => window.__errors.push(e.detail));
  });
}

test("strict CSP with 'wasm-unsafe-eval': the export runs, the bar fills, zero violations", async (t) => {
  const c = client('csp');
  const h = await host(t, { '/csp.html': page({ data: { durationMs: 3000, client: c } }) }, { headers: { 'Content-Security-Policy': STRICT } });
  const { page: p, errors } = await open(t);
  await p.emulateMedia({ reducedMotion: 'reduce' }); // the bar's width without its transition
  await watchCsp(p);
  await p.goto(`${h.base}/csp.html`);
  await live(p);
  const download = p.waitForEvent('download', { timeout: 30000 });
  await p.locator('#export .k12x-btn').click();
  await p.locator('#export .k12x-btn').hover();
  await until('percent above 0', async () => ((await popover(p))?.pct || 0) > 0);
  await sleep(450);
  const pop = await popover(p);
  assert.ok(pop.fill > 0 && Math.abs(pop.fill * 100 - pop.pct) <= 3, `bar ${Math.round(pop.fill * 100)}% for ${pop.pct}%`);
  await shot(p, 'csp-strict');
  const d = await download;
  assert.equal(d.suggestedFilename(), 'K12作业统计-2024春季班.xlsx');
  assert.equal(readXlsx(await d.path()).length, 49);
  assert.deepEqual(await p.evaluate(() => window.__violations), [], 'no CSP violation');
  assert.deepEqual(errors, []);
});

test("CSP without 'wasm-unsafe-eval': the button is there, a click explains, one console error names the fix", async (t) => {
  const policy = "default-src 'self'; script-src 'self'; style-src 'self'";
  const h = await host(t, { '/csp.html': page() }, { headers: { 'Content-Security-Policy': policy } });
  const { page: p, errors } = await open(t);
  await watchCsp(p);
  await p.goto(`${h.base}/csp.html`);
  const button = p.locator('#export .k12x-btn');
  await button.waitFor();
  assert.equal(await button.textContent(), '导出');
  await until('the loader gave up', async () => (await p.evaluate(() => window.__violations.length)) > 0);
  await sleep(200);
  await button.click();
  const alert = p.locator('#export [role=alert]');
  await alert.waitFor({ timeout: 5000 });
  assert.match(await alert.textContent(), /导出失败/);
  assert.match(await alert.textContent(), /安全设置/);
  const events = await p.evaluate(() => window.__errors);
  assert.equal(events.length, 1);
  assert.equal(events[0].kind, 'unavailable');
  assert.equal(events[0].cause, 'csp');
  const ours = errors.filter((e) => e.includes('k12-export'));
  assert.equal(ours.length, 1, `one console error of ours: ${JSON.stringify(errors)}`);
  assert.match(ours[0], /'wasm-unsafe-eval'/);
  assert.equal(await button.getAttribute('aria-busy'), null, 'not left busy');
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
    const { page: p, errors } = await open(t);
    await watchCsp(p);
    await p.goto(`${h.base}/cdn.html`);
    const button = p.locator('#export .k12x-btn');
    await button.waitFor();
    if (cors) {
      await live(p);
      const download = p.waitForEvent('download', { timeout: 30000 });
      await button.click();
      assert.equal((await download).suggestedFilename(), 'K12作业统计-2024春季班.xlsx');
      assert.ok(cdn.requests.includes('/embed/k12_export_bg.wasm'), 'the wasm came from the CDN');
      assert.deepEqual(errors, []);
    } else {
      await until('the loader gave up', async () => errors.some((e) => e.includes('k12-export')));
      await button.click();
      await p.locator('#export [role=alert]').waitFor({ timeout: 5000 });
      assert.match(await p.locator('#export [role=alert]').textContent(), /导出失败/);
      const [e] = await p.evaluate(() => window.__errors);
      assert.equal(e.cause, 'load');
      const ours = errors.filter((m) => m.includes('k12-export'));
      assert.equal(ours.length, 1, JSON.stringify(errors));
      assert.match(ours[0], /Access-Control-Allow-Origin/);
      assert.equal((await requests(c)).length, 0, 'nothing was sent');
      await shot(p, 'cdn-no-cors');
    }
  }
});

test('slow link (1.6 Mbps, 150 ms): the button is there at first paint, a click before the wasm shows busy and starts the export, no layout shift', async (t) => {
  const c = client('slow');
  // The blocking classic script in <head>: the element is defined before the body is parsed.
  const loader = '<script src="/embed/k12-export-classic.js"></script>';
  const h = await host(t, { '/slow.html': page({ loader, data: { durationMs: 1500, client: c } }) }, { slow: { latencyMs: 150, kbps: 1600, match: /^\/embed\// } });
  const { page: p, errors } = await open(t);
  await p.addInitScript(() => {
    // Shifts not caused by input (a click's own shift is not a layout shift), until the file comes;
    // sub-pixel moves of text as it re-renders are not seen by anyone and are left out.
    window.__shifts = [];
    new PerformanceObserver((l) => {
      for (const e of l.getEntries()) {
        if (e.hadRecentInput || window.__done) continue;
        const moved = (e.sources || []).filter((s) => ['x', 'y', 'width', 'height'].some((k) => Math.abs(s.previousRect[k] - s.currentRect[k]) >= 1));
        const what = moved.map((s) => `${s.node?.nodeName || 'a node in a shadow root'}#${s.node?.id || ''} ${JSON.stringify(s.previousRect)}→${JSON.stringify(s.currentRect)}`);
        if (what.length) window.__shifts.push(`${e.value.toFixed(6)} at ${Math.round(e.startTime)} ms: ${what.join('; ')}`);
      }
    }).observe({ type: 'layout-shift', buffered: true });
    addEventListener('export-done', () => { window.__done = true; });
    requestAnimationFrame(() => {
      const b = document.querySelector('#export')?.shadowRoot?.querySelector('.k12x-btn');
      window.__firstFrame = b ? { w: b.getBoundingClientRect().width, after: document.querySelector('#after').getBoundingClientRect().left } : null;
    });
  });
  const download = p.waitForEvent('download', { timeout: 60000 });
  await p.goto(`${h.base}/slow.html`, { waitUntil: 'commit' });
  await p.waitForFunction(() => window.__firstFrame !== undefined);
  const first = await p.evaluate(() => window.__firstFrame);
  assert.ok(first && first.w >= 64, `the button at the first frame: ${JSON.stringify(first)}`);
  const button = p.locator('#export .k12x-btn');
  await button.click();
  const clickedAt = await p.evaluate(() => performance.now());
  const early = await p.evaluate(() => ({
    busy: document.querySelector('#export').shadowRoot.querySelector('.k12x-btn').getAttribute('aria-busy'),
    wasm: !!document.querySelector('#export').shadowRoot.querySelector('.k12x-root'),
  }));
  assert.equal(early.wasm, false, 'clicked before the wasm arrived');
  assert.equal(early.busy, 'true', 'busy at once');
  await shot(p, 'slow-queued-click');
  const queued = await p.evaluate(() => document.querySelector('#after').getBoundingClientRect().left);
  await live(p);
  const taken = await p.evaluate(() => document.querySelector('#after').getBoundingClientRect().left);
  assert.equal(taken, queued, 'the wasm took over the busy button without moving what follows');
  const d = await download;
  assert.equal(d.suggestedFilename(), 'K12作业统计-2024春季班.xlsx');
  const log = await requests(c);
  assert.equal(log.filter((r) => r.path.endsWith('/homework/export')).length >= 1, true, 'the queued click started the export');
  assert.deepEqual(await p.evaluate(() => window.__shifts), [], `no layout shift (clicked at ${Math.round(clickedAt)} ms)`);
  assert.deepEqual(errors, []);
});

/** Places the element fixed at a corner and returns the popover box once it is open and placed. */
async function cornerPopover(p, base, corner, c) {
  const [v, hz] = corner.split('-');
  await p.goto(`${base}/corner.html`);
  await p.evaluate(([v, hz, c]) => {
    const e = document.querySelector('#export');
    e.style.position = 'fixed';
    e.style[v] = '4px';
    e.style[hz] = '4px';
    const name = '2024春季班（周末晚间提高班·第二学期·数学与物理竞赛综合训练营）';
    e.setAttribute('data', JSON.stringify({ termId: 1001, termName: name, durationMs: 30000, client: c }));
  }, [v, hz, c]);
  await live(p);
  await p.locator('#export .k12x-btn').click();
  await p.locator('#export .k12x-btn').hover();
  await until('popover open', async () => (await popover(p))?.visible);
  await sleep(300);
  return popover(p);
}

test('320 px screen and 200% zoom near each edge: the popover stays inside the window; the toast is wide enough', async (t) => {
  const h = await host(t, {
    '/corner.html': page(),
    '/toast.html': page({ data: { durationMs: 800, scenario: 'fail', failAt: 10 } }),
  });
  for (const [name, viewport] of [['320px', { width: 320, height: 640, deviceScaleFactor: 1 }], ['zoom-200', { width: 640, height: 450, deviceScaleFactor: 2 }]]) {
    const { page: p, errors } = await open(t, viewport);
    for (const corner of ['top-left', 'top-right', 'bottom-left', 'bottom-right']) {
      const pop = await cornerPopover(p, h.base, corner, client(`corner-${name}-${corner}`));
      const { rect } = pop;
      assert.ok(rect.left >= 0 && rect.right <= viewport.width && rect.top >= 0 && rect.bottom <= viewport.height,
        `${name} ${corner}: popover ${JSON.stringify(rect)} inside ${viewport.width}×${viewport.height}`);
      await shot(p, `${name}-${corner}`);
    }
    await p.goto(`${h.base}/toast.html?client=${client(`toast-${name}`)}`);
    await live(p);
    await p.locator('#export .k12x-btn').click();
    const alert = p.locator('#export [role=alert]');
    await alert.waitFor({ timeout: 15000 });
    const box = await alert.boundingBox();
    assert.ok(box.width >= Math.min(360, viewport.width - 16) - 0.5, `${name}: toast ${box.width} px wide`);
    assert.ok(box.x >= 0 && box.x + box.width <= viewport.width, `${name}: toast inside the window`);
    await shot(p, `${name}-toast`);
    assert.deepEqual(errors, []);
  }
});

test('two loaders on one page (either first): every button works, ids are unique', async (t) => {
  const xlink = JSON.stringify({ protocol: 'xlink', accessToken: 'demo-token', name: '设备列表导出', type: 1, describe: '全部设备' });
  for (const order of [['embed', 'embed-all'], ['embed-all', 'embed']]) {
    const c = client(`two-${order[0]}`);
    const loader = order.map((d) => `<script type="module" src="/${d}/k12-export.js"></script>`).join('');
    const body = `<div><k12-export-button id="second" config='${esc(CONFIG)}' data='${esc(JSON.stringify({ termId: 1003, termName: '2024秋季班', durationMs: 1500, client: c }))}' filename="K12作业统计-{termName}"></k12-export-button>
<k12-export-button id="xlink" options='${esc(xlink)}' data='${esc(JSON.stringify({ client: c, durationMs: 1500 }))}' label="导出设备"></k12-export-button></div>`;
    const h = await host(t, { '/two.html': page({ loader, body, data: { durationMs: 1500, client: c } }) });
    const { page: p, errors } = await open(t);
    await p.goto(`${h.base}/two.html`);
    for (const id of ['#export', '#second', '#xlink']) await live(p, id);
    const done = p.evaluate(() => Promise.all(['export', 'second', 'xlink'].map((id) => new Promise((resolve, reject) => {
      const el = document.getElementById(id);
      el.addEventListener('export-done', (e) => resolve(e.detail.filename));
      el.addEventListener('export-error', (e) => reject(new Error(`${id}: ${e.detail.message}`)));
    }))));
    for (const id of ['#export', '#second', '#xlink']) await p.locator(`${id} .k12x-btn`).click();
    const ids = await p.evaluate(() => {
      const seen = [];
      const dangling = [];
      for (const host of document.querySelectorAll('k12-export-button')) {
        const root = host.shadowRoot;
        for (const e of root.querySelectorAll('[id]')) seen.push(e.id);
        for (const e of root.querySelectorAll('[aria-describedby]')) if (!root.getElementById(e.getAttribute('aria-describedby'))) dangling.push(e.getAttribute('aria-describedby'));
      }
      return { seen, dangling };
    });
    assert.equal(new Set(ids.seen).size, ids.seen.length, `unique ids: ${ids.seen}`);
    assert.ok(ids.seen.length >= 3, `three busy buttons have popovers: ${ids.seen}`);
    assert.deepEqual(ids.dangling, []);
    const names = await done;
    assert.deepEqual(names.slice(0, 2), ['K12作业统计-2024春季班.xlsx', 'K12作业统计-2024秋季班.xlsx']);
    assert.ok(names[2], 'the XLink export finished');
    await shot(p, `two-loaders-${order[0]}-first`);
    assert.deepEqual(errors.filter((e) => !e.includes('older copy')), []);
  }
});

test('no WebAssembly (turned off, as in lockdown modes) or a missing .wasm: the button is there and explains', async (t) => {
  const { mkdtempSync, cpSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
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
  for (const [name, cause, fix] of [['no-wasm', 'unsupported', /no WebAssembly/], ['missing', 'load', /HTTP 404/]]) {
    const { page: p, errors } = await open(t);
    if (name === 'no-wasm') await p.addInitScript(() => { delete window.WebAssembly; });
    await watchCsp(p);
    await p.goto(`${h.base}/${name}.html`);
    const button = p.locator('#export .k12x-btn');
    await button.waitFor();
    await until(`${name}: the loader gave up`, async () => errors.some((e) => e.includes('k12-export')));
    await button.click();
    await p.locator('#export [role=alert]').waitFor({ timeout: 5000 });
    const [e] = await p.evaluate(() => window.__errors);
    assert.equal(e.kind, 'unavailable', name);
    assert.equal(e.cause, cause, name);
    const ours = errors.filter((m) => m.includes('k12-export'));
    assert.equal(ours.length, 1, JSON.stringify(errors));
    assert.match(ours[0], fix);
    await shot(p, `unavailable-${name}`);
  }
});
