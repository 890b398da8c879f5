// Headless Chromium through playwright-core (Debian's Chromium, no browser download), as the
// backend of a `Page`: one browser per test file, one context (a fresh profile) per page, and
// another page of the same context for another tab of its profile.
import { join } from 'node:path';
import { deepQuery } from './in-page.mjs';

export { CHROMIUM_ARGS, launchChromium } from './chromium.mjs';

/** @typedef {import('./page.mjs').Handle} Handle */
/** @typedef {import('./page.mjs').Backend} Backend */
/** @typedef {import('playwright-core').ElementHandle} ElementHandle */

/**
 * A function from its source text, so that Playwright sends it as a function declaration (called
 * through the DevTools protocol: a strict CSP without 'unsafe-eval' does not stop it).
 * @param {string} source
 * @returns {(...args: unknown[]) => unknown}
 */
const fn = (source) => new Function(`return (${source});`)();

/** @param {Handle} handle @returns {ElementHandle} */
function element(handle) {
  if ('asElement' in handle) return handle;
  throw new TypeError('not an element of Playwright');
}

/** @implements {Backend} */
export class PlaywrightPage {
  /**
   * @param {import('playwright-core').Page} page
   * @param {import('playwright-core').BrowserContext} context
   * @param {string} downloads
   * @param {Set<PlaywrightPage>} [tabs] The open pages of the context (this one joins them).
   */
  constructor(page, context, downloads, tabs = new Set()) {
    this.page = page;
    this.context = context;
    this.downloads = downloads;
    this.tabs = tabs;
    tabs.add(this);
    this.engine = 'chromium';
    /** @type {string[]} */
    this.pageErrors = [];
    page.on('pageerror', (e) => this.pageErrors.push(`uncaught: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') this.pageErrors.push(m.text());
    });
  }

  /** @param {string} url */
  async goto(url) {
    await this.page.goto(url);
  }

  /** @param {string} fnSource @param {unknown} arg */
  evaluate(fnSource, arg) {
    return this.page.evaluate(fn(fnSource), arg);
  }

  /** @param {Handle} handle @param {string} fnSource @param {unknown} arg */
  evaluateOn(handle, fnSource, arg) {
    return element(handle).evaluate(fn(fnSource), arg);
  }

  /** @param {import('./in-page.mjs').Step[]} chain */
  async resolve(chain) {
    const list = await this.page.evaluateHandle(deepQuery, chain);
    const props = await list.getProperties();
    /** @type {ElementHandle[]} */
    const out = [];
    for (const [k, v] of props) {
      const el = v.asElement();
      if (/^\d+$/.test(k) && el) out[Number(k)] = el;
    }
    await list.dispose();
    return out.filter(Boolean);
  }

  /**
   * Playwright will not act on an element that is aria-disabled; a user can, and the busy export
   * button is one. Its other checks (visible, stable, not covered) stay.
   * @param {ElementHandle} handle
   */
  async #force(handle) {
    return handle.evaluate((el) => el instanceof Element && el.getAttribute('aria-disabled') === 'true');
  }

  /** @param {Handle} handle */
  async click(handle) {
    const el = element(handle);
    await el.click({ force: await this.#force(el) });
  }

  /** @param {Handle} handle */
  hover(handle) {
    return element(handle).hover();
  }

  /** @param {Handle} handle */
  async tap(handle) {
    const el = element(handle);
    await el.tap({ force: await this.#force(el) });
  }

  /** @param {string} key */
  press(key) {
    return this.page.keyboard.press(key);
  }

  /** @param {string} path @param {Handle | null} handle */
  async screenshot(path, handle) {
    await (handle ? element(handle) : this.page).screenshot({ path });
  }

  /** @param {number} width @param {number} height */
  setViewport(width, height) {
    return this.page.setViewportSize({ width, height });
  }

  /** @param {number} timeout */
  async expectDownload(timeout) {
    const d = await this.page.waitForEvent('download', { timeout });
    // Saved under the name Chromium chose for it, like a download folder would have it.
    const name = d.suggestedFilename();
    const path = join(this.downloads, name);
    await d.saveAs(path);
    return { name, path };
  }

  /** @param {number} timeout */
  async expectDialog(timeout) {
    // Playwright dismisses a dialog nobody listens for: this waiting listens.
    const d = await this.page.waitForEvent('dialog', { timeout });
    return { message: d.message(), dismiss: () => d.dismiss() };
  }

  async errors() {
    return [...this.pageErrors];
  }

  /**
   * Closes the page as a user closes a tab (its `beforeunload` and `pagehide` run), and waits
   * until it is closed; the context (the profile) goes with its last page.
   */
  async close() {
    this.tabs.delete(this);
    if (this.tabs.size === 0) {
      await this.context.close();
      return;
    }
    if (this.page.isClosed()) return;
    const closed = this.page.waitForEvent('close');
    await this.page.close({ runBeforeUnload: true });
    await closed;
  }
}
