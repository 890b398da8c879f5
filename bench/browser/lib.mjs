// Shared pieces of the browser benchmarks: the browser and its pages (through the end-to-end
// suite's driver, e2e/driver), the implementations under test, the mock backend's recordings,
// what a page holds in memory, statistics and markdown tables.
import { fileURLToPath } from 'node:url';
import { launch as launchEngine } from '../../e2e/driver/index.mjs';
import { K12_CONFIG } from '../../e2e/fixtures.mjs';

/**
 * Headless Chromium, through the end-to-end suite's driver (downloads saved in
 * bench/out/downloads/): every process it starts stops at its `close()`, or when this process
 * ends however it ends.
 */
export const launch = () => launchEngine('chromium', { downloads: fileURLToPath(new URL('../out/downloads/', import.meta.url)) });

/** @typedef {Awaited<ReturnType<typeof launch>>} Browser */
/** @typedef {import('playwright-core').Page} Page */
/** @typedef {import('playwright-core').CDPSession} CDPSession */

/**
 * A request the mock recorded (mock-backend/src/record.rs, RequestRecord).
 * @typedef {{ t: number, client: string, method: string, path: string, query: string, job: number | null, status: number }} RequestRecord
 */

/** An implementation under test: its name, example page, module (with `mount`) and button. @typedef {{ name: string, page: string, module: string, button: string }} Impl */

/** The widget and its two peers, as each benchmark drives them. @type {Record<'widget' | 'react' | 'vanilla', Impl>} */
export const IMPLS = {
  widget: {
    name: 'k12-export (Yew + wasm)',
    page: '/examples/homework.html',
    module: '/embed/k12-export.js',
    button: '.k12x-btn',
  },
  react: {
    name: 'React 18 + antd 5',
    page: '/bench/react/homework.html',
    module: '/bench/react/k12-peer.js',
    button: '.ant-btn',
  },
  vanilla: {
    name: 'vanilla JS',
    page: '/bench/vanilla/homework.html',
    module: '/bench/vanilla/k12-peer.js',
    button: '.vx-btn',
  },
};

/** The example page's cache config (homework export). */
export const CONFIG = K12_CONFIG;

export const BLANK = '/bench/blank.html';

/** @param {number} ms @returns {Promise<void>} */
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A run-unique client id for the mock, so that recordings never mix. */
const RUN = Date.now().toString(36);
/** @param {string} name */
export const clientId = (name) => `bench-${RUN}-${name}`;

/** The mock backend: recordings and jobs, with its clock mapped to ours. */
export class Mock {
  /** @param {string} base */
  constructor(base) {
    this.base = base;
    /** The mock's `t` 0 in epoch ms, once `syncClock()` ran. */
    this.offset = 0;
    /** How far off `offset` may be (ms). */
    this.clockError = Infinity;
  }

  /**
   * The list under `key` of the mock's answer at `path`.
   * @param {string} path
   * @param {string} key
   * @returns {Promise<unknown[]>}
   */
  async list(path, key) {
    const r = await fetch(this.base + path);
    if (!r.ok) throw new Error(`${path}: HTTP ${r.status}`);
    /** @type {unknown} */
    const body = await r.json();
    const items = typeof body === 'object' && body !== null && key in body ? /** @type {Record<string, unknown>} */ (body)[key] : undefined;
    if (!Array.isArray(items)) throw new Error(`${path}: no list "${key}" in ${JSON.stringify(body).slice(0, 200)}`);
    return items;
  }

  /**
   * Every request recorded (for `client`, or all).
   * @param {string} [client]
   * @returns {Promise<RequestRecord[]>}
   */
  async requests(client) {
    const q = client ? `?client=${encodeURIComponent(client)}` : '';
    return /** @type {RequestRecord[]} */ (await this.list(`/__mock/requests${q}`, 'requests'));
  }

  /**
   * The K12 jobs of `client` (mock-backend/src/backends/k12/jobs.rs, JobInfo: the fields read here).
   * @param {string} client
   * @returns {Promise<{ id: number, state: string, created: number, urlReady: number | null }[]>}
   */
  async jobs(client) {
    return /** @type {{ id: number, state: string, created: number, urlReady: number | null }[]} */ (await this.list(`/__mock/jobs?client=${encodeURIComponent(client)}`, 'jobs'));
  }

  /** The mock's scenario names. @returns {Promise<string[]>} */
  async scenarios() {
    return /** @type {string[]} */ (await this.list('/__mock/scenarios', 'scenarios'));
  }

  /**
   * Maps the mock's clock (`t`, ms since it started) to epoch ms: a few recorded probe requests,
   * keeping the one with the shortest round trip. Error: half that round trip (about 1 ms locally).
   */
  async syncClock() {
    /** @type {{ rtt: number, offset: number } | null} */
    let best = null;
    for (let i = 0; i < 5; i++) {
      const client = clientId(`clock-${i}`);
      const t0 = Date.now();
      await (await fetch(`${this.base}/j/org/terms`, { headers: { 'X-Client-Id': client } })).arrayBuffer();
      const t1 = Date.now();
      const [r] = await this.requests(client);
      if (r && (!best || t1 - t0 < best.rtt)) best = { rtt: t1 - t0, offset: (t0 + t1) / 2 - r.t };
    }
    if (!best) throw new Error('the mock recorded none of the clock probes');
    this.offset = best.offset;
    this.clockError = best.rtt / 2;
    return best;
  }

  /** A mock `t` as epoch ms. @param {number} t */
  epoch(t) {
    return t + this.offset;
  }
}

/**
 * What a request was, for the widget's K12 endpoints.
 * @param {{ path: string }} r
 * @returns {'file' | 'progress' | 'start' | 'other'}
 */
export function requestKind(r) {
  if (r.path.startsWith('/files/')) return 'file';
  if (r.path.endsWith('/process') || r.path.endsWith('/progress')) return 'progress';
  if (r.path.endsWith('/export')) return 'start';
  return 'other';
}

/** @param {{ path: string }[]} requests */
export function countKinds(requests) {
  const n = { start: 0, progress: 0, file: 0, other: 0 };
  for (const r of requests) n[requestKind(r)]++;
  return n;
}

/** @param {number[]} values @param {number} q */
export function quantile(values, q) {
  const v = [...values].sort((a, b) => a - b);
  if (!v.length) return NaN;
  const pos = (v.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return v[lo] + (v[hi] - v[lo]) * (pos - lo);
}

/** @param {number[]} values */
export const median = (values) => quantile(values, 0.5);

/**
 * A markdown table; `align` is a string of `l`/`r` per column.
 * @param {string[]} headers
 * @param {unknown[][]} rows
 */
export function table(headers, rows, align = '') {
  const sep = headers.map((_, i) => (align[i] === 'r' ? '---:' : '---'));
  /** @param {unknown[]} cells */
  const line = (cells) => `| ${cells.map((c) => String(c ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ')).join(' | ')} |`;
  return [line(headers), `|${sep.join('|')}|`, ...rows.map(line)].join('\n');
}

/** @param {number} n */
export const int = (n) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '—');
/** @param {number} bytes */
export const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
/** @param {number} n */
export const bytes = (n) => `${int(n)} (${kb(n)})`;
/** @param {number} a @param {number} b */
export const ratio = (a, b) => {
  if (!Number.isFinite(a) || !Number.isFinite(b) || b <= 0) return '—';
  const r = a / b;
  return r > 0 && r < 0.01 ? '< 0.01×' : `${r.toFixed(2)}×`;
};
/** @param {number} n */
export const mib = (n) => `${(n / 1048576).toFixed(2)} MiB`;
/** @param {number} n */
export const signedKib = (n) => `${n >= 0 ? '+' : '−'}${(Math.abs(n) / 1024).toFixed(1)} KiB`;

/**
 * A fresh page of the driver (a new context: downloads accepted), as Playwright's page and
 * context, with a CDP session for metrics; `close()` closes it (and its context).
 * @param {Browser} browser
 * @param {{ viewport?: { width: number, height: number } }} [opts]
 */
export async function freshPage(browser, { viewport = { width: 1280, height: 900 } } = {}) {
  const driven = await browser.newPage(viewport);
  const { playwright: page, context } = driven;
  if (!page || !context) throw new Error('a Chromium page without its Playwright page');
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  /** @type {string[]} */
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  return { context, page, cdp, errors, close: () => driven.close() };
}

/**
 * CDP Performance.getMetrics as an object.
 * @param {CDPSession} cdp
 * @returns {Promise<Record<string, number>>}
 */
export async function metrics(cdp) {
  const { metrics: list } = await cdp.send('Performance.getMetrics');
  return Object.fromEntries(list.map((m) => [m.name, m.value]));
}

/**
 * What the page holds, after a forced GC (three): the JS heap, DOM nodes and JS event listeners
 * (CDP metrics), and the K12 runtime's wasm linear memory (the WebAssembly.Memory among the
 * exports of the instance whose glue module /embed/k12-export.js's `ready` resolves to).
 * @param {Page} page
 * @param {CDPSession} cdp With HeapProfiler enabled.
 */
export async function memoryAfterGc(page, cdp) {
  for (let i = 0; i < 3; i++) await cdp.send('HeapProfiler.collectGarbage');
  const m = await metrics(cdp);
  const wasm = await page.evaluate(async () => {
    // The loader's `ready` resolves to the K12 runtime's glue module once its wasm runs; the
    // glue's init() answers the wasm exports of that instance (no second fetch or instance).
    const url = '/embed/k12-export.js';
    /** @type {{ ready: Promise<{ default(): Promise<Record<string, unknown>> }> }} */
    const loader = await import(url);
    const exports = await (await loader.ready).default();
    // The build minifies export names: the export that is a WebAssembly.Memory.
    const memory = Object.values(exports).find((v) => v instanceof WebAssembly.Memory);
    if (!memory) throw new Error('no WebAssembly.Memory among the wasm exports');
    return memory.buffer.byteLength;
  });
  return { heap: m.JSHeapUsedSize, wasm, nodes: m.Nodes, listeners: m.JSEventListeners };
}

/**
 * Runs `fn` over `items` with at most `limit` at a time; results in order.
 * @template T, R
 * @param {T[]} items
 * @param {number} limit
 * @param {(item: T, i: number) => Promise<R>} fn
 * @returns {Promise<R[]>}
 */
export async function pool(items, limit, fn) {
  /** @type {R[]} */
  const results = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * An init script (`context.addInitScript(pageLog)`): records, on the page's own clock
 * (`performance.timeOrigin + performance.now()`, epoch ms), every `fetch` the page makes — when it
 * was called, when its promise settled and how (`answered` with the status, `aborted`, `error`),
 * and when its signal aborted — every click (whatever dispatched it) and the widget's events. The
 * log is in `window.__benchLog`, and copied to sessionStorage at each change so that it outlives a
 * navigation (the page-left case reads the first page's log from the second).
 */
export function pageLog() {
  const now = () => performance.timeOrigin + performance.now();
  /** @type {BenchLog} */
  const log = { page: location.pathname + location.search, fetches: [], clicks: [], events: [] };
  window.__benchLog = log;
  const key = `bench-log:${performance.timeOrigin}`;
  const save = () => {
    try {
      sessionStorage.setItem(key, JSON.stringify(log));
    } catch (e) {
      // about:blank has no storage (a SecurityError), a full one takes no more (QuotaExceededError)
      if (!(e instanceof DOMException)) throw e;
    }
  };
  const original = window.fetch;
  window.__benchFetch = original; // for the clock probes, which must not be logged
  window.fetch = function fetch(input, init) {
    const request = input instanceof Request ? input : null;
    const url = new URL(request ? request.url : String(input), location.href);
    const signal = init?.signal ?? request?.signal ?? null;
    /** @type {BenchFetch} */
    const entry = {
      path: url.pathname,
      query: url.search.replace(/^\?/, ''),
      method: (init?.method ?? request?.method ?? 'GET').toUpperCase(),
      sent: now(),
      settled: null,
      result: 'pending',
      status: null,
      abortedAt: null,
    };
    log.fetches.push(entry);
    save();
    if (signal) {
      if (signal.aborted) entry.abortedAt = entry.sent;
      else signal.addEventListener('abort', () => { entry.abortedAt = now(); save(); }, { once: true });
    }
    const p = original.call(this, input, init);
    p.then(
      (r) => { entry.settled = now(); entry.result = 'answered'; entry.status = r.status; save(); },
      (e) => { entry.settled = now(); entry.result = e?.name === 'AbortError' ? 'aborted' : 'error'; save(); },
    );
    return p;
  };
  addEventListener('click', (e) => {
    const target = e.composedPath()[0];
    const named = target instanceof Element ? (typeof target.className === 'string' && target.className) || target.tagName : '';
    log.clicks.push({ t: now(), target: named || '?', trusted: e.isTrusted });
    save();
  }, true);
  for (const type of ['export-start', 'export-done', 'export-error', 'pagehide']) {
    addEventListener(type, () => { log.events.push({ type, t: now() }); save(); }, true);
  }
}

/**
 * Every page log of the tab (the current page's and those of pages left earlier), oldest first.
 * @param {Page} page
 */
export async function readPageLogs(page) {
  return page.evaluate(() => {
    /** @type {(BenchLog & { origin: number })[]} */
    const logs = [];
    for (let i = 0; i < sessionStorage.length; i++) {
      const k = sessionStorage.key(i);
      if (k?.startsWith('bench-log:')) logs.push({ origin: Number(k.slice(10)), .../** @type {BenchLog} */ (JSON.parse(sessionStorage.getItem(k) ?? 'null')) });
    }
    return logs.sort((a, b) => a.origin - b.origin);
  });
}

/**
 * Maps the page's clock (`performance.timeOrigin + performance.now()`) onto the mock's (`t`): the
 * page sends a few probe requests (not logged by `pageLog`) and keeps the one with the shortest
 * round trip. `t = pageTime - offset`, within `error` ms (half the round trip, plus the mock's
 * whole-millisecond times).
 * @param {Page} page
 * @param {string} client
 */
export async function syncPageClock(page, client) {
  return page.evaluate(async (client) => {
    const send = window.__benchFetch || window.fetch;
    const now = () => performance.timeOrigin + performance.now();
    /** @type {{ rtt: number, offset: number } | null} */
    let best = null;
    for (let i = 0; i < 5; i++) {
      const id = `${client}-${i}`;
      const t0 = now();
      await (await send('/j/org/terms', { headers: { 'X-Client-Id': id } })).arrayBuffer();
      const t1 = now();
      /** @type {{ requests: { t: number }[] }} */
      const { requests } = await (await send(`/__mock/requests?client=${encodeURIComponent(id)}`)).json();
      const r = requests[0];
      if (r && (!best || t1 - t0 < best.rtt)) best = { rtt: t1 - t0, offset: (t0 + t1) / 2 - r.t };
    }
    if (!best) throw new Error('the mock recorded none of the clock probes');
    return { offset: best.offset, error: best.rtt / 2 + 1 };
  }, client);
}
