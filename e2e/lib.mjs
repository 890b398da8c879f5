// Helpers for the end-to-end tests. Every test file runs once per engine (E2E_ENGINE: chromium,
// firefox or webkit), through the one page-driving API of e2e/driver/.
import { inflateRawSync } from 'node:zlib';
import { mkdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { after } from 'node:test';
import { launch, ENGINES, isEngine, sleep, until } from './driver/index.mjs';

/** @typedef {import('./driver/index.mjs').Engine} Engine */
/** @typedef {import('./driver/index.mjs').Page} Page */
/** @typedef {import('node:test').TestContext} TestContext */

export { sleep, until };
/** The mock backend's URL (it serves the built dist/ too). */
export const BASE = process.env.E2E_BASE ?? '';
/** The repository's root. */
export const ROOT = process.env.E2E_ROOT ?? '';
if (!BASE || !ROOT) throw new Error('E2E_BASE or E2E_ROOT is not set: run the suite with `node e2e/run.mjs`');

const engine = process.env.E2E_ENGINE || 'chromium';
if (!isEngine(engine)) throw new Error(`E2E_ENGINE=${engine}: one of ${ENGINES.join(', ')}`);
/** The engine this run drives. @type {Engine} */
export const ENGINE = engine;

/**
 * Options for a test that runs only in some engines, saying why it is skipped elsewhere.
 * @param {Engine[]} engines
 * @param {string} why
 */
export const onlyIn = (engines, why) => (engines.includes(ENGINE) ? {} : { skip: `${engines.join('/')} only: ${why}` });

/** A unique client id, so a test sees only its own jobs and requests in the mock's log. @param {string} name */
export const client = (name) => `e2e-${name}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

/** Where this engine's screenshots go (build/screenshots/<engine>/). @param {string} name */
export function shotPath(name) {
  const dir = join(ROOT, 'build', 'screenshots', ENGINE);
  mkdirSync(dir, { recursive: true });
  return join(dir, `${name}.png`);
}

// One browser per test file (its driver, its X server), stopped when the file's tests end.
const script = basename(process.argv[1] || 'e2e', '.test.mjs');
/** @type {Awaited<ReturnType<typeof launch>> | undefined} */
let browser;
after(async () => {
  await browser?.close();
});

/**
 * A fresh page (new profile or context) in this run's engine; closed when the test ends.
 * @param {TestContext} t
 * @param {{ width?: number, height?: number, touch?: boolean }} [opts]
 */
export async function open(t, { width = 1280, height = 900, touch = false } = {}) {
  browser ??= await launch(ENGINE, { downloads: join(ROOT, 'build', 'downloads', ENGINE, script) });
  const page = await browser.newPage({ width, height, touch });
  t.after(() => page.close());
  return { page, engine: ENGINE };
}

/**
 * Another tab of `page`'s profile (see the driver's `newTab`); closed when the test ends.
 * @param {TestContext} t
 * @param {Page} page
 */
export async function openTab(t, page) {
  if (!browser) throw new Error('openTab: open() a page first');
  const tab = await browser.newTab(page);
  t.after(() => tab.close());
  return tab;
}

/**
 * Puts `page` in the background (`hidden` true), as a switch to another tab does, or in front
 * again. Headless Chromium and the WebDriver engines here keep every page visible, so the page is
 * told: `document.hidden` and `visibilityState` say so and `visibilitychange` fires. And while it
 * is hidden, its timers are throttled as browsers throttle a background tab's (Chromium, Firefox
 * and Safari wake a hidden page's timers about once a second): a `setTimeout` fires at the next
 * whole second of the page's clock at the earliest, a `setInterval` at most once a second. Timers
 * set before the page was hidden keep their time (the widget sets a new one at every poll).
 * @param {Page} page
 * @param {boolean} hidden
 */
export async function setHidden(page, hidden) {
  await page.evaluate((h) => {
    let state = window.__k12xBackground;
    if (!state) {
      /** @typedef {(fn: TimerHandler, ms?: number, ...args: unknown[]) => number} Timer */
      const real = { timeout: /** @type {Timer} */ (window.setTimeout), interval: /** @type {Timer} */ (window.setInterval) };
      const hiding = (state = window.__k12xBackground = { hidden: false });
      /** @param {unknown} ms */
      const wake = (ms) => {
        const now = performance.now();
        return Math.ceil((now + Math.max(0, Number(ms) || 0)) / 1000) * 1000 - now;
      };
      /** @type {Timer} */
      const timeout = (fn, ms, ...args) => real.timeout.call(window, fn, hiding.hidden ? wake(ms) : ms, ...args);
      /** @type {Timer} */
      const interval = (fn, ms, ...args) => real.interval.call(window, fn, hiding.hidden ? Math.max(1000, Number(ms) || 0) : ms, ...args);
      window.setTimeout = /** @type {typeof window.setTimeout} */ (timeout);
      window.setInterval = /** @type {typeof window.setInterval} */ (interval);
    }
    state.hidden = h;
    for (const [k, v] of /** @type {[string, unknown][]} */ ([['hidden', h], ['visibilityState', h ? 'hidden' : 'visible']])) {
      Object.defineProperty(document, k, { configurable: true, get: () => v });
    }
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);
}

/**
 * The export button named 导出 (whichever element, shadow root or not, renders it).
 * @param {Page} page
 */
export const exportButton = (page, label = '导出') => page.locator('button', { text: label });

/**
 * The mock's JSON answer at `path`, as sent: look before use.
 * @param {string} path
 * @returns {Promise<unknown>}
 */
export async function json(path) {
  const r = await fetch(BASE + path);
  if (!r.ok) throw new Error(`GET ${path}: HTTP ${r.status}`);
  return r.json();
}

/**
 * The list under `key` of the mock's answer at `path`.
 * @param {string} path
 * @param {string} key
 * @returns {Promise<unknown[]>}
 */
async function list(path, key) {
  const body = await json(path);
  const items = typeof body === 'object' && body !== null && key in body ? /** @type {Record<string, unknown>} */ (body)[key] : undefined;
  if (!Array.isArray(items)) throw new Error(`GET ${path}: no list "${key}" in ${JSON.stringify(body).slice(0, 200)}`);
  return items;
}

/**
 * A request the mock recorded (mock-backend/src/record.rs, RequestRecord).
 * @typedef {{ t: number, client: string, method: string, path: string, query: string, job: number | null, status: number }} RequestRecord
 */

/**
 * Every request the mock recorded for `client`.
 * @param {string} client
 * @returns {Promise<RequestRecord[]>}
 */
export async function requests(client) {
  return /** @type {RequestRecord[]} */ (await list(`/__mock/requests?client=${encodeURIComponent(client)}`, 'requests'));
}

/**
 * A K12 job as the mock shows it (mock-backend/src/backends/k12/jobs.rs, JobInfo; the fields the
 * tests read).
 * @typedef {{ id: number, client: string, state: string, loaded: number, total: number, requests: number, progressRequests: number, answerBytes: number, token: string | null }} Job
 */

/**
 * The K12 jobs of `client` on the mock.
 * @param {string} client
 * @returns {Promise<Job[]>}
 */
export async function jobs(client) {
  return /** @type {Job[]} */ (await list(`/__mock/jobs?client=${encodeURIComponent(client)}`, 'jobs'));
}

/**
 * The entries of a zip file (stored or deflated), by name.
 * @param {Buffer} buf
 */
export function unzip(buf) {
  const entries = new Map();
  let eocd = buf.length - 22;
  while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  if (eocd < 0) throw new Error('not a zip file');
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  for (let i = 0; i < count; i++) {
    const method = buf.readUInt16LE(p + 10);
    const size = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.subarray(p + 46, p + 46 + nameLen).toString('utf8');
    const dataStart = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const raw = buf.subarray(dataStart, dataStart + size);
    entries.set(name, method === 0 ? raw : inflateRawSync(raw));
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

/** @param {string} s */
const decode = (s) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');

/**
 * The first sheet of an .xlsx file as rows of cell texts.
 * @param {string} path
 */
export function readXlsx(path) {
  const zip = unzip(readFileSync(path));
  /** @type {string[]} */
  const strings = [];
  const sst = zip.get('xl/sharedStrings.xml');
  if (sst) {
    for (const si of sst.toString('utf8').matchAll(/<si>([\s\S]*?)<\/si>/g)) {
      strings.push(decode([...si[1].matchAll(/<t[^>]*>([\s\S]*?)<\/t>/g)].map((m) => m[1]).join('')));
    }
  }
  const sheet = zip.get('xl/worksheets/sheet1.xml');
  if (!sheet) throw new Error('no first sheet');
  /** @type {string[][]} */
  const rows = [];
  for (const row of sheet.toString('utf8').matchAll(/<row[^>]*>([\s\S]*?)<\/row>|<row[^>]*\/>/g)) {
    /** @type {string[]} */
    const cells = [];
    for (const c of (row[1] || '').matchAll(/<c([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g)) {
      const attrs = c[1];
      const v = (c[2] || '').match(/<v>([\s\S]*?)<\/v>/);
      const inline = (c[2] || '').match(/<t[^>]*>([\s\S]*?)<\/t>/);
      if (/t="s"/.test(attrs) && v) cells.push(strings[Number(v[1])]);
      else if (inline) cells.push(decode(inline[1]));
      else cells.push(v ? decode(v[1]) : '');
    }
    rows.push(cells);
  }
  return rows;
}

/**
 * Playwright's page behind `page`, for what only Chromium's driver does (a test that needs it runs
 * in Chromium only).
 * @param {Page} page
 */
export function playwright(page) {
  if (!page.playwright) throw new Error(`Playwright drives Chromium only (the page is ${page.engine}'s)`);
  return page.playwright;
}

/**
 * Runs axe-core in the page (Chromium: through Playwright) and returns its violations.
 * @param {Page} page
 */
export async function axe(page) {
  await playwright(page).addScriptTag({ path: `${ROOT}/node_modules/axe-core/axe.min.js` });
  return page.evaluate(async () => {
    if (!window.axe) throw new Error('axe-core did not load');
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5) }));
  });
}

/**
 * Makes the page hold still for screenshots, in the document and in every open shadow root:
 * every CSS animation paused at the same moment of its cycle (0.5 s in: a spinner at the same
 * angle, an indeterminate bar at the same place, a finite one finished), no transitions, no
 * blinking caret, no focus; then waits for the fonts and two frames.
 * @param {Page} page
 */
export async function still(page) {
  await page.evaluate(async () => {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync('*, *::before, *::after { transition: none !important; caret-color: transparent !important; }');
    /** @type {(Document | ShadowRoot)[]} */
    const roots = [document];
    for (const e of document.querySelectorAll('*')) if (e.shadowRoot) roots.push(e.shadowRoot);
    for (const r of roots) r.adoptedStyleSheets = [...r.adoptedStyleSheets, sheet];
    for (const r of roots) {
      for (const a of r.getAnimations()) {
        a.pause();
        a.currentTime = 500;
      }
    }
    if (document.activeElement instanceof HTMLElement) document.activeElement.blur();
    await document.fonts.ready;
    await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
  });
}
