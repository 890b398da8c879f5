// The page-driving API the end-to-end tests are written against, the same in every engine. A
// backend (WebDriver for Firefox and WebKit, Playwright for Chromium) supplies a few primitives;
// everything else — locators that pierce open shadow roots, auto-waiting, polling — lives here.
import { deepQuery, isVisible } from './in-page.mjs';

/** @typedef {import('./in-page.mjs').Step} Step */

/**
 * An element as a backend holds it: Playwright's handle, or a W3C WebDriver element reference.
 * @typedef {import('playwright-core').ElementHandle | import('./webdriver.mjs').WebElement} Handle
 */

/**
 * A file the browser saved: its name as saved, where it is now.
 * @typedef {{ name: string, path: string }} Download
 */

/**
 * A JavaScript dialog (`alert`, `confirm`, `prompt`) open in a page, which holds the page until
 * it is answered.
 * @typedef {{ message: string, dismiss: () => Promise<void> }} Dialog
 */

/**
 * What an engine's driver supplies to a `Page`: one browser tab.
 * @typedef {object} Backend
 * @property {string} engine
 * @property {(url: string) => Promise<void>} goto Navigates and waits for the load event.
 * @property {(fnSource: string, arg: unknown) => Promise<unknown>} evaluate `fnSource(arg)` in the page, its JSON result.
 * @property {(handle: Handle, fnSource: string, arg: unknown) => Promise<unknown>} evaluateOn `fnSource(element, arg)` in the page.
 * @property {(chain: Step[]) => Promise<Handle[]>} resolve The elements a locator chain selects.
 * @property {(handle: Handle) => Promise<void>} click
 * @property {(handle: Handle) => Promise<void>} hover
 * @property {(handle: Handle) => Promise<void>} tap
 * @property {(key: string) => Promise<void>} press
 * @property {(path: string, handle: Handle | null) => Promise<void>} screenshot
 * @property {(width: number, height: number) => Promise<void>} setViewport
 * @property {(timeout: number) => Promise<Download>} expectDownload
 * @property {(timeout: number) => Promise<Dialog>} expectDialog
 * @property {() => Promise<string[]>} errors
 * @property {() => Promise<void>} close
 */

/** How long actions wait for their element to be there and visible. */
export const ACTION_TIMEOUT = 10_000;

/** @param {number} ms */
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Polls `fn` until it returns a truthy value (returned), failing after `ms` with `what`.
 * @template T
 * @param {string} what
 * @param {() => T | Promise<T>} fn
 * @returns {Promise<NonNullable<T>>}
 */
export async function until(what, fn, ms = 15_000, every = 50) {
  const t0 = Date.now();
  for (;;) {
    const v = await fn();
    if (v) return /** @type {NonNullable<T>} */ (v);
    if (Date.now() - t0 > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(every);
  }
}

/**
 * Runs `fn` again while the element it was given went away meanwhile (WebDriver's "stale element
 * reference", Playwright's "not attached to the DOM"): a widget may replace its own element — the
 * embedded button's placeholder by the live button, say — between finding and acting on it.
 * @template T
 * @param {() => Promise<T>} fn
 * @returns {Promise<T>}
 */
async function fresh(fn, timeout = ACTION_TIMEOUT) {
  const t0 = Date.now();
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      if (!(e instanceof Error) || !/stale element|not attached to the DOM/i.test(e.message) || Date.now() - t0 > timeout) throw e;
      await sleep(20);
    }
  }
}

/**
 * A lazy reference to elements: a chain of CSS steps (each searched inside the previous one's
 * results, through open shadow roots), resolved afresh on every use. Actions need exactly one
 * element (`first()`/`nth(i)` pick one of several) and wait for it to be visible.
 */
export class Locator {
  /** @param {Page} page @param {Step[]} chain */
  constructor(page, chain) {
    this.page = page;
    this.chain = chain;
  }

  /**
   * Elements matching `css` inside this one; `{ text }` exact text, `{ hasText }` substring.
   * @param {string} css
   * @param {{ text?: string, hasText?: string }} [opts]
   */
  locator(css, { text, hasText } = {}) {
    return new Locator(this.page, [...this.chain, { css, text, hasText }]);
  }

  first() {
    return this.nth(0);
  }

  /** The `i`th match (from 0). @param {number} i */
  nth(i) {
    const last = this.chain[this.chain.length - 1];
    return new Locator(this.page, [...this.chain.slice(0, -1), { ...last, nth: i }]);
  }

  toString() {
    const steps = this.chain.map((s) => s.css + (s.text !== undefined ? ` "${s.text}"` : '') + (s.hasText !== undefined ? ` ~"${s.hasText}"` : '') + (s.nth !== undefined ? ` [${s.nth}]` : ''));
    return steps.join(' >> ');
  }

  /** The backend's handles of every match. */
  async all() {
    return fresh(() => this.page.backend.resolve(this.chain));
  }

  async count() {
    return (await this.all()).length;
  }

  /** The one element, or `null` when absent (an error when several match without `nth`). */
  async handle() {
    const all = await this.all();
    if (all.length > 1) throw new Error(`${all.length} elements match ${this}: use first() or nth()`);
    return all[0] ?? null;
  }

  async mustHandle(timeout = ACTION_TIMEOUT) {
    return until(`${this} to be attached`, () => this.handle(), timeout);
  }

  /**
   * Runs `fn(element, arg)` in the page and returns its (JSON) result.
   * @template {Element} E
   * @template A, R
   * @param {(el: E, arg: A) => R} fn In the page, given the element (of the type its parameter
   *   says: the locator selects that kind of element).
   * @param {A} [arg]
   * @returns {Promise<Awaited<R>>}
   */
  async evaluate(fn, arg, timeout = ACTION_TIMEOUT) {
    const result = await fresh(async () => this.page.backend.evaluateOn(await this.mustHandle(timeout), fn.toString(), arg ?? null), timeout);
    return /** @type {Awaited<R>} */ (result);
  }

  async visible() {
    return fresh(async () => {
      const h = await this.handle();
      return h ? (await this.page.backend.evaluateOn(h, isVisible.toString(), null)) === true : false;
    });
  }

  /**
   * Waits for `state`: 'visible' (default), 'hidden' (absent or invisible), 'attached', 'detached'.
   * @param {{ state?: 'visible' | 'hidden' | 'attached' | 'detached', timeout?: number }} [opts]
   */
  async waitFor({ state = 'visible', timeout = ACTION_TIMEOUT } = {}) {
    const check = {
      visible: () => this.visible(),
      hidden: async () => !(await this.visible()),
      attached: async () => (await this.handle()) !== null,
      detached: async () => (await this.handle()) === null,
    }[state];
    if (!check) throw new Error(`unknown state ${state}`);
    await until(`${this} to be ${state}`, check, timeout);
  }

  async actionable(timeout = ACTION_TIMEOUT) {
    await this.waitFor({ state: 'visible', timeout });
    return this.mustHandle(timeout);
  }

  /**
   * A mouse click, as a user makes it (the pointer moves there first).
   * @param {{ timeout?: number }} [opts]
   */
  async click({ timeout } = {}) {
    await fresh(async () => this.page.backend.click(await this.actionable(timeout)), timeout);
  }

  /**
   * The mouse pointer moves over the element.
   * @param {{ timeout?: number }} [opts]
   */
  async hover({ timeout } = {}) {
    await fresh(async () => this.page.backend.hover(await this.actionable(timeout)), timeout);
  }

  /**
   * A finger taps the element (a touch pointer: no hover before it).
   * @param {{ timeout?: number }} [opts]
   */
  async tap({ timeout } = {}) {
    await fresh(async () => this.page.backend.tap(await this.actionable(timeout)), timeout);
  }

  /** The element's text (an element's is never null). @returns {Promise<string>} */
  async text() {
    return this.evaluate((/** @type {Element} */ el) => el.textContent ?? '');
  }

  /** @param {string} name @returns {Promise<string | null>} */
  async attr(name) {
    return this.evaluate((/** @type {Element} */ el, name) => el.getAttribute(name), name);
  }

  /** Whether the element has keyboard focus (looking through shadow roots). */
  async focused() {
    return this.evaluate((/** @type {Element} */ el) => {
      let a = document.activeElement;
      while (a && a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement;
      return a === el;
    });
  }

  /** The element's box in CSS pixels of the viewport. */
  async box() {
    return this.evaluate((/** @type {Element} */ el) => {
      const r = el.getBoundingClientRect();
      return { x: r.x, y: r.y, width: r.width, height: r.height, left: r.left, right: r.right, top: r.top, bottom: r.bottom };
    });
  }

  /**
   * Chooses an option of a `<select>` by value, with the events a user's choice fires.
   * @param {string} value
   */
  async select(value) {
    const ok = await this.evaluate((/** @type {HTMLSelectElement} */ el, value) => {
      if (![...el.options].some((o) => o.value === value)) return false;
      el.value = value;
      el.dispatchEvent(new Event('input', { bubbles: true }));
      el.dispatchEvent(new Event('change', { bubbles: true }));
      return true;
    }, value);
    if (!ok) throw new Error(`${this} has no option ${value}`);
  }

  /** @param {string} path */
  async screenshot(path) {
    await settled(this.page);
    await fresh(async () => this.page.backend.screenshot(path, await this.actionable()));
  }
}

/**
 * Waits (up to 2 s) until no finite CSS animation or transition runs: a toast fading in, say. An
 * animation still running then is shown as it is.
 * @param {Page} page
 */
async function settled(page) {
  await page
    .waitFor(() => document.getAnimations().every((a) => a.playState !== 'running' || a.effect?.getComputedTiming().endTime === Infinity), null, { timeout: 2000 })
    .catch((e) => {
      if (!(e instanceof Error && e.message.startsWith('timed out'))) throw e;
    });
}

/** A browser tab in one engine. */
export class Page {
  /** @param {string} engine @param {Backend} backend @param {{ width: number, height: number }} viewport */
  constructor(engine, backend, viewport) {
    this.engine = engine;
    this.backend = backend;
    /** The viewport's size in CSS pixels, as last set. */
    this.viewport = viewport;
    /** Whether the page was opened for touch input. */
    this.touch = false;
    /** Chromium only: Playwright's page, for the tests that need more than this API. @type {import('playwright-core').Page | undefined} */
    this.playwright = undefined;
    /** Chromium only: Playwright's context (the page's profile). @type {import('playwright-core').BrowserContext | undefined} */
    this.context = undefined;
    this.keyboard = { press: (/** @type {string} */ key) => backend.press(key) };
  }

  /** Navigates and waits for the load event. @param {string} url */
  async goto(url) {
    await this.backend.goto(url);
  }

  /**
   * @param {string} css
   * @param {{ text?: string, hasText?: string }} [opts]
   */
  locator(css, opts) {
    return new Locator(this, []).locator(css, opts);
  }

  /**
   * Runs `fn(arg)` (may be async) in the page; resolves to its JSON result. `fn` may be given as
   * its source text, whose result is of no known type.
   * @template A, R
   * @param {((arg: A) => R) | string} fn
   * @param {A} [arg]
   * @returns {Promise<Awaited<R>>}
   */
  async evaluate(fn, arg) {
    const result = await this.backend.evaluate(fn.toString(), arg ?? null);
    return /** @type {Awaited<R>} */ (result);
  }

  /**
   * Waits until `fn(arg)` in the page is truthy.
   * @template A, R
   * @param {((arg: A) => R) | string} fn
   * @param {A} [arg]
   * @param {{ timeout?: number, what?: string }} [opts]
   */
  async waitFor(fn, arg, { timeout = ACTION_TIMEOUT, what = 'a condition in the page' } = {}) {
    return until(what, () => this.backend.evaluate(fn.toString(), arg ?? null), timeout);
  }

  /**
   * Call before the action that downloads: resolves to `{ name, path }` of the file saved on disk
   * once it is complete. In Chromium, a file this page downloads; in the WebDriver engines, the
   * next file saved in the download folder of the page's profile, by whichever of its tabs (tell
   * tabs apart by what each page did).
   * @param {{ timeout?: number }} [opts]
   * @returns {Promise<Download>}
   */
  expectDownload({ timeout = 30_000 } = {}) {
    const p = this.backend.expectDownload(timeout);
    p.catch(() => {}); // reported when awaited
    return p;
  }

  /**
   * Call before the action that opens a dialog (`alert`, `confirm`, `prompt`): resolves once it
   * is open, to its message and a way to dismiss it. Until then, the page runs nothing; other
   * tabs go on.
   * @param {{ timeout?: number }} [opts]
   * @returns {Promise<Dialog>}
   */
  expectDialog({ timeout = 10_000 } = {}) {
    const p = this.backend.expectDialog(timeout);
    p.catch(() => {}); // reported when awaited
    return p;
  }

  /** A screenshot of the viewport, written to `path` (PNG), once finite animations are over. @param {string} path */
  async screenshot(path) {
    await settled(this);
    await this.backend.screenshot(path, null);
  }

  /**
   * Resizes the window so that the viewport is `width` × `height` CSS pixels.
   * @param {number} width
   * @param {number} height
   */
  async setViewport(width, height) {
    await this.backend.setViewport(width, height);
    this.viewport = { width, height };
  }

  /** The page errors seen so far (uncaught exceptions, rejections, console.error, failed loads). */
  async errors() {
    return this.backend.errors();
  }

  /**
   * Closes the tab, as a user does: its page is unloaded (`pagehide`). The profile's cookies and
   * storage go with its last tab.
   */
  async close() {
    await this.backend.close();
  }
}

export { deepQuery };
