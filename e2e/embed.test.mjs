// The embedding API from a plain page, in each engine: errors, updates, events.
import test from 'node:test';
import assert from 'node:assert/strict';
import { open, BASE, client, onlyIn, playwright } from './lib.mjs';
import { K12_CONFIG } from './fixtures.mjs';

const CONFIG = K12_CONFIG;

/**
 * A page with the embedding API loaded and an empty host element.
 * @param {import('node:test').TestContext} t
 */
async function blank(t) {
  const o = await open(t);
  await o.page.goto(`${BASE}/examples/stage-test.html`);
  await o.page.waitFor(() => window.exportHandle !== undefined, null, { what: 'the page to mount its button' });
  // The page's side of each test finds the embedding API, its host element and the config in `window.t`.
  await o.page.evaluate(async (CONFIG) => {
    document.body.insertAdjacentHTML('beforeend', '<div id="host"><i>placeholder</i></div>');
    const url = '/embed/k12-export.js'; // the page's module
    /** @type {K12xEmbed} */
    const embed = await import(url);
    const host = document.getElementById('host');
    if (!host) throw new Error('no #host');
    window.t = { mount: embed.mount, host, CONFIG };
  }, CONFIG);
  return o;
}

/**
 * Runs `fn(window.t, arg)` in a page `blank()` prepared: its embedding API, host element and
 * config, then `arg`; resolves to its (JSON) result.
 * @template A, R
 * @param {import('./driver/index.mjs').Page} page
 * @param {(t: NonNullable<Window['t']>, arg: A) => R} fn
 * @param {A} [arg]
 * @returns {Promise<Awaited<R>>}
 */
async function inBlank(page, fn, arg) {
  const source = `async (arg) => {
    if (!window.t) throw new Error('the page was not prepared (blank())');
    return (${fn})(window.t, arg);
  }`;
  return /** @type {Awaited<R>} */ (await page.evaluate(source, arg));
}

test('mount() with bad options throws an Error naming the field and mounts nothing', async (t) => {
  const { page } = await blank(t);
  /** @type {[unknown, string][]} */
  const cases = [
    [{ config: 5 }, 'options.config'],
    [{ config: CONFIG, data: {} }, 'options.data.termId'],
    [{ config: CONFIG, data: { termId: 1 }, filename: 'K12-{termName}' }, 'options.filename'],
    [{ config: CONFIG, data: { termId: 1 }, confg: 1 }, 'options.confg'],
    [{ config: CONFIG, data: { termId: 1 }, lang: 5 }, 'options.lang'],
    [{ config: CONFIG, data: { termId: 1 }, onerror: 'x' }, 'options.onerror'],
    [{ config: { a: { url: '/a/{id}', rest: true } }, data: { id: 1 } }, 'options.start'],
  ];
  for (const [options, field] of cases) {
    const r = await inBlank(page, async ({ mount, host }, options) => {
      try { await mount(host, options); return { ok: true, isError: false, message: '', html: host.innerHTML }; }
      // (Firefox runs this in a sandbox of its own: an Error of the page is not an instance of its Error.)
      catch (e) {
        const message = typeof e === 'object' && e !== null && 'message' in e ? String(e.message) : String(e);
        return { ok: false, isError: Object.prototype.toString.call(e) === '[object Error]', message, html: host.innerHTML };
      }
    }, options);
    assert.equal(r.ok, false, `${JSON.stringify(options)} must throw`);
    assert.ok(r.isError, 'an Error');
    assert.ok(r.message.includes(field), `"${r.message}" names ${field}`);
    assert.equal(r.html, '<i>placeholder</i>', 'nothing mounted');
  }
});

test('mount() refuses options that cannot be data, naming the place: a Date, a BigInt, a DOM node, a cycle', async (t) => {
  const { page } = await blank(t);
  const r = await inBlank(page, async ({ mount, host, CONFIG }) => {
    /** @type {{ config: unknown, data: { termId: number, back?: unknown } }} */
    const cyclic = { config: CONFIG, data: { termId: 1 } };
    cyclic.data.back = cyclic;
    const cases = [
      [{ config: CONFIG, data: { termId: 1, when: new Date(0) } }, 'options.data.when is not plain data'],
      [{ config: CONFIG, data: { termId: 400000003117046n } }, 'options.data.termId is not plain data (a BigInt'],
      [{ config: CONFIG, data: { termId: 1 }, label: document.body }, 'options.label is not plain data'],
      [cyclic, 'options is nested too deeply'],
    ];
    const out = [];
    for (const [options, message] of cases) {
      try {
        await mount(host, options);
        out.push(`mounted, not "${message}"`);
      } catch (e) {
        // (An Error of the page, which Firefox's sandbox does not see as an instance of its own.)
        const said = typeof e === 'object' && e !== null && 'message' in e ? String(e.message) : String(e);
        out.push(said.startsWith(`k12-export: ${message}`) && host.innerHTML === '<i>placeholder</i>' ? 'ok' : said);
      }
    }
    return out.join('\n');
  });
  assert.equal(r, 'ok\nok\nok\nok');
});

test('update() changes what is exported; events and callbacks report the export', async (t) => {
  const { page } = await blank(t);
  const c = client('update');
  const result = await inBlank(page, async ({ mount, host, CONFIG }, c) => {
    /** @type {string[]} */
    const seen = [];
    for (const name of ['export-start', 'export-progress', 'export-done']) host.addEventListener(name, () => seen.push(name));
    /** @typedef {{ filename: string, url: string }} Done */
    /** @type {(d: Done) => void} */
    let done = () => {};
    /** @type {Promise<Done>} */
    const finished = new Promise((r) => { done = r; });
    const h = await mount(host, { config: CONFIG, data: { termId: 1001, termName: 'A', client: c, durationMs: 500 }, filename: 'X-{termName}' });
    h.update({ config: CONFIG, data: { termId: 1005, termName: 'B', client: c, durationMs: 500 }, filename: 'Y-{termName}', label: '导出成绩', ondone: (/** @type {Done} */ d) => done(d) });
    await new Promise((r) => setTimeout(r, 50));
    const button = host.firstElementChild?.shadowRoot?.querySelector('.k12x-btn');
    if (!(button instanceof HTMLElement)) throw new Error('no button drawn');
    const label = button.textContent;
    button.click();
    const d = await finished;
    h.destroy();
    await new Promise((r) => setTimeout(r, 50));
    return { label, filename: d.filename, url: d.url, seen: [...new Set(seen)], empty: host.innerHTML === '', mounted: h.mounted };
  }, c);
  assert.equal(result.label, '导出成绩');
  assert.equal(result.filename, 'K12作业统计-2025春季班.xlsx', 'the updated term was exported');
  assert.match(result.url, /\/files\//);
  assert.deepEqual(result.seen, ['export-start', 'export-progress', 'export-done']);
  assert.equal(result.empty, true, 'destroy() removed the button');
  assert.equal(result.mounted, false);
});

test('a click right after mount() resolves starts the export, before the runtime has drawn its button', async (t) => {
  const { page } = await blank(t);
  const c = client('first-click');
  const r = await inBlank(page, async ({ mount, host, CONFIG }, c) => {
    let started = false;
    host.addEventListener('export-start', () => { started = true; });
    const h = await mount(host, { config: CONFIG, data: { termId: 1001, termName: 'A', client: c, durationMs: 500 }, filename: 'X-{termName}' });
    // The button a user sees now: the first in the shadow root (the one drawn before the runtime,
    // while the runtime's own is not yet swapped in).
    const visible = host.firstElementChild?.shadowRoot?.querySelector('.k12x-btn');
    if (!(visible instanceof HTMLElement)) throw new Error('no button drawn');
    visible.click();
    for (let i = 0; i < 60 && !started; i++) await new Promise((r) => setTimeout(r, 50));
    const busy = host.firstElementChild?.shadowRoot?.querySelector('.k12x-btn')?.getAttribute('aria-busy');
    h.destroy();
    return { started, busy };
  }, c);
  assert.equal(r.started, true, 'the one click started an export (export-start)');
  assert.equal(r.busy, 'true', 'the button shows it busy');
});

test('<k12-export-button>: attribute changes update it; bad attributes raise export-config-error', async (t) => {
  const { page } = await open(t);
  await page.goto(`${BASE}/examples/homework.html`);
  await page.locator('k12-export-button').locator('.k12x-btn').waitFor();
  const r = await page.evaluate(async () => {
    const el = document.querySelector('k12-export-button');
    const shadow = el?.shadowRoot;
    if (!el || !shadow) throw new Error('no <k12-export-button> drawn');
    el.setAttribute('label', 'Export');
    el.setAttribute('lang', 'en');
    await new Promise((r) => setTimeout(r, 50));
    const label = shadow.querySelector('.k12x-btn')?.textContent;
    /** @type {string[]} */
    const errors = [];
    el.addEventListener('export-config-error', (e) => errors.push(e instanceof CustomEvent ? String(e.detail) : `not a CustomEvent: ${e}`));
    el.setAttribute('data', '{not json');
    await new Promise((r) => setTimeout(r, 50));
    el.setAttribute('data', '{"termName": "x"}');
    await new Promise((r) => setTimeout(r, 50));
    return { label, errors, stillThere: !!shadow.querySelector('.k12x-root .k12x-btn') };
  });
  assert.equal(r.label, 'Export');
  assert.equal(r.errors.length, 2);
  assert.match(r.errors[0], /attribute data is not valid JSON/);
  assert.match(r.errors[1], /options\.data\.termId/);
  assert.ok(r.stillThere, 'the last good options stay in force');
});

test('mount() and destroy() 300 times leave no element or listener behind', onlyIn(['chromium'], 'counts listeners through the DevTools protocol'), async (t) => {
  const { page } = await blank(t);
  const p = playwright(page);
  const cdp = await p.context().newCDPSession(p);
  await cdp.send('Performance.enable');
  const metrics = async () => {
    await cdp.send('HeapProfiler.collectGarbage');
    const { metrics: m } = await cdp.send('Performance.getMetrics');
    /** @param {string} name */
    const get = (name) => {
      const metric = m.find((x) => x.name === name);
      if (!metric) throw new Error(`no metric ${name} from the DevTools protocol`);
      return metric.value;
    };
    return { nodes: get('Nodes'), listeners: get('JSEventListeners') };
  };
  /** @param {number} n */
  const cycles = (n) => page.evaluate(async ({ CONFIG, n }) => {
    const url = '/embed/k12-export.js'; // the page's module
    /** @type {K12xEmbed} */
    const { mount } = await import(url);
    for (let i = 0; i < n; i++) {
      const host = document.createElement('div');
      document.body.append(host);
      const h = await mount(host, { config: CONFIG, data: { termId: 1001 } });
      await new Promise((r) => requestAnimationFrame(r));
      h.destroy();
      await new Promise((r) => setTimeout(r, 0));
      host.remove();
    }
  }, { CONFIG, n });
  await cycles(30);
  const before = await metrics();
  await cycles(300);
  const after = await metrics();
  assert.ok(after.listeners - before.listeners <= 4, `listeners ${before.listeners} → ${after.listeners}`);
  assert.ok(after.nodes - before.nodes <= 40, `nodes ${before.nodes} → ${after.nodes}`);
});

test('the loader draws the idle and busy button with the runtime\'s markup and texts, before the wasm runs', async (t) => {
  const { page } = await blank(t);
  const variants = [{}, { lang: 'en' }, { label: '导出成绩' }, { disabled: true }];
  // Jobs of their own (a client of this test's): no job another test left on the mock answers them.
  const found = await inBlank(page, async (t, { variants, own }) => {
    // The markup as it matters: elements, classes and attributes (sorted), texts; not ids.
    /** @typedef {[string, string[], (Markup | string | null)[]]} Markup */
    /** @type {(e: Element) => Markup} */
    const norm = (e) => {
      const attrs = [...e.attributes].filter((a) => a.name !== 'id' && a.name !== 'aria-describedby').map((a) => `${a.name}=${a.value}`).sort();
      const kids = [...e.childNodes].map((n) => (n.nodeType === 1 ? norm(/** @type {Element} */ (n)) : n.textContent));
      return [e.tagName.toLowerCase(), attrs, kids];
    };
    /**
     * The markup of what `find` finds once the runtime has drawn it (up to 4 s), or null.
     * @param {() => Element | null} find
     */
    const drawnByRuntime = async (find) => {
      // Up to 15 s: a loaded engine takes its time to load the runtime.
      for (let i = 0; i < 750; i++) {
        await new Promise((r) => setTimeout(r, 20));
        const el = find();
        if (el) return norm(el);
      }
      return null;
    };
    const out = [];
    for (const extra of variants) {
      const host = document.createElement('div');
      document.body.append(host);
      const options = { config: t.CONFIG, data: { termId: 1001, client: own }, ...extra };
      const mounting = t.mount(host, options);
      const root = /** @type {ShadowRoot} */ (host.querySelector('k12x-host')?.shadowRoot);
      const drawn = root.querySelector('.k12x');
      const loader = drawn ? norm(drawn) : null;
      const h = await mounting;
      const live = await drawnByRuntime(() => root.querySelector('.k12x-live:not([hidden]) .k12x'));
      out.push({ extra, loader, live });
      h.destroy();
      host.remove();
    }
    // Busy: a click on the loader's button before the runtime took over, and the runtime's own
    // busy button (its popover aside).
    const host = document.createElement('div');
    document.body.append(host);
    // A job of 30 s: still running when the runtime has drawn its button, however slow the page.
    const mounting = t.mount(host, { config: t.CONFIG, data: { termId: 1001, client: own, durationMs: 30000 } });
    const root = /** @type {ShadowRoot} */ (host.querySelector('k12x-host')?.shadowRoot);
    /** @type {HTMLElement} */ (root.querySelector('.k12x-btn')).click();
    const busyLoader = norm(/** @type {Element} */ (root.querySelector('.k12x-btn')));
    const h = await mounting;
    const busyLive = await drawnByRuntime(() => root.querySelector('.k12x-live:not([hidden]) .k12x[data-status="exporting"] .k12x-btn'));
    h.destroy();
    host.remove();
    return { out, busyLoader, busyLive };
  }, { variants, own: client('markup') });
  for (const { extra, loader, live } of found.out) {
    assert.ok(live, `the runtime drew ${JSON.stringify(extra)}`);
    assert.deepEqual(loader, live, `the loader's idle button is the runtime's, ${JSON.stringify(extra)}`);
  }
  assert.ok(found.busyLive, 'the runtime drew the busy button');
  assert.deepEqual(found.busyLoader, found.busyLive, "the loader's busy button is the runtime's");
});
