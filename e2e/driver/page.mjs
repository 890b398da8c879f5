// The page-driving API the end-to-end tests are written against, the same in every engine. A
// backend (WebDriver for Firefox and WebKit, Playwright for Chromium) supplies a few primitives;
// everything else — locators that pierce open shadow roots, auto-waiting, polling — lives here.
import { deepQuery, isVisible } from './in-page.mjs';

/** How long actions wait for their element to be there and visible. */
export const ACTION_TIMEOUT = 10_000;

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` until it returns a truthy value (returned), failing after `ms` with `what`. */
export async function until(what, fn, ms = 15_000, every = 50) {
  const t0 = Date.now();
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() - t0 > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(every);
  }
}

/**
 * Runs `fn` again while the element it was given went away meanwhile (WebDriver's "stale element
 * reference"): a widget may replace its own element — the embedded button's placeholder by the
 * live button, say — between finding an element and acting on it.
 */
async function fresh(fn, timeout = ACTION_TIMEOUT) {
  const t0 = Date.now();
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      if (!/stale element|not attached to the DOM/i.test(e.message) || Date.now() - t0 > timeout) throw e;
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
  constructor(page, chain) {
    this.page = page;
    this.chain = chain;
  }

  /** Elements matching `css` inside this one; `{ text }` exact text, `{ hasText }` substring. */
  locator(css, { text, hasText } = {}) {
    return new Locator(this.page, [...this.chain, { css, text, hasText }]);
  }

  first() {
    return this.nth(0);
  }

  /** The `i`th match (from 0). */
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

  /** Runs `fn(element, arg)` in the page and returns its (JSON) result. */
  async evaluate(fn, arg = null, timeout = ACTION_TIMEOUT) {
    return fresh(async () => this.page.backend.evaluateOn(await this.mustHandle(timeout), fn.toString(), arg), timeout);
  }

  async visible() {
    return fresh(async () => {
      const h = await this.handle();
      return h ? this.page.backend.evaluateOn(h, isVisible.toString(), null) : false;
    });
  }

  /** Waits for `state`: 'visible' (default), 'hidden' (absent or invisible), 'attached', 'detached'. */
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

  /** A mouse click, as a user makes it (the pointer moves there first). */
  async click({ timeout } = {}) {
    await fresh(async () => this.page.backend.click(await this.actionable(timeout)), timeout);
  }

  /** The mouse pointer moves over the element. */
  async hover({ timeout } = {}) {
    await fresh(async () => this.page.backend.hover(await this.actionable(timeout)), timeout);
  }

  /** A finger taps the element (a touch pointer: no hover before it). */
  async tap({ timeout } = {}) {
    await fresh(async () => this.page.backend.tap(await this.actionable(timeout)), timeout);
  }

  async text() {
    return this.evaluate((el) => el.textContent);
  }

  async attr(name) {
    return this.evaluate((el, name) => el.getAttribute(name), name);
  }

  /** Whether the element has keyboard focus (looking through shadow roots). */
  async focused() {
    return this.evaluate((el) => {
      let a = document.activeElement;
      while (a && a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement;
      return a === el;
    });
  }

  /** The element's box in CSS pixels of the viewport. */
  async box() {
    return this.evaluate((el) => {
      const r = el.getBoundingClientRect();
      return { x: r.x, y: r.y, width: r.width, height: r.height, left: r.left, right: r.right, top: r.top, bottom: r.bottom };
    });
  }

  /** Chooses an option of a `<select>` by value, with the events a user's choice fires. */
  async select(value) {
    const ok = await this.evaluate((el, value) => {
      if (![...el.options].some((o) => o.value === value)) return false;
      el.value = value;
      el.dispatchEvent(new Event('input', { bubbles: true }));
      el.dispatchEvent(new Event('change', { bubbles: true }));
      return true;
    }, value);
    if (!ok) throw new Error(`${this} has no option ${value}`);
  }

  async screenshot(path) {
    await settled(this.page);
    await fresh(async () => this.page.backend.screenshot(path, await this.actionable()));
  }
}

/** Waits (up to 2 s) until no finite CSS animation or transition runs: a toast fading in, say. */
async function settled(page) {
  await page
    .waitFor(() => document.getAnimations().every((a) => a.playState !== 'running' || a.effect?.getComputedTiming().endTime === Infinity), null, { timeout: 2000 })
    .catch(() => {});
}

/** A browser tab in one engine. */
export class Page {
  constructor(engine, backend) {
    this.engine = engine;
    this.backend = backend;
    this.keyboard = { press: (key) => backend.press(key) };
  }

  /** Navigates and waits for the load event. */
  async goto(url) {
    await this.backend.goto(url);
  }

  locator(css, opts) {
    return new Locator(this, []).locator(css, opts);
  }

  /** Runs `fn(arg)` (may be async) in the page; resolves to its JSON result. */
  async evaluate(fn, arg = null) {
    return this.backend.evaluate(fn.toString(), arg);
  }

  /** Waits until `fn(arg)` in the page is truthy. */
  async waitFor(fn, arg = null, { timeout = ACTION_TIMEOUT, what = 'a condition in the page' } = {}) {
    return until(what, () => this.evaluate(fn, arg), timeout);
  }

  /**
   * Call before the action that downloads: resolves to `{ name, path }` of the file saved on disk
   * (in this page's download folder) once it is complete.
   */
  expectDownload({ timeout = 30_000 } = {}) {
    const p = this.backend.expectDownload(timeout);
    p.catch(() => {}); // reported when awaited
    return p;
  }

  /** A screenshot of the viewport, written to `path` (PNG), once finite animations are over. */
  async screenshot(path) {
    await settled(this);
    await this.backend.screenshot(path, null);
  }

  /** Resizes the window so that the viewport is `width` × `height` CSS pixels. */
  async setViewport(width, height) {
    await this.backend.setViewport(width, height);
  }

  /** The page errors seen so far (uncaught exceptions, rejections, console.error, failed loads). */
  async errors() {
    return this.backend.errors();
  }

  async close() {
    await this.backend.close();
  }
}

export { deepQuery };
