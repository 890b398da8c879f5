// One page-driving API for the three engines the end-to-end suite runs in:
//
//   chromium  headless Chromium (Debian's), through playwright-core
//   firefox   headless Firefox ESR, through geckodriver (W3C WebDriver)
//   webkit    WebKitGTK's MiniBrowser on an Xvfb display, through WebKitWebDriver (W3C WebDriver)
//
//   const browser = await launch('firefox', { downloads: '/tmp/dl' });
//   const page = await browser.newPage({ width: 1280, height: 900 });
//   await page.goto(url);
//   const saved = page.expectDownload();
//   await page.locator('button', { text: '导出' }).click();
//   const { name, path } = await saved;
//   await browser.close();
//
// Every process a browser needs carries a marker in its environment and is killed on close(),
// and when this process exits or is interrupted.
import { mkdirSync } from 'node:fs';
import { Page } from './page.mjs';
import { cleanupOnExit, killAll } from './procs.mjs';
import { launchChromium, PlaywrightPage } from './playwright.mjs';
import { DriverServer } from './webdriver.mjs';

/** @typedef {'chromium' | 'firefox' | 'webkit'} Engine */

/** @type {Engine[]} */
export const ENGINES = ['chromium', 'firefox', 'webkit'];
export { Locator, Page, sleep, until } from './page.mjs';

/**
 * Whether `name` is one of the engines.
 * @param {string} name
 * @returns {name is Engine}
 */
export const isEngine = (name) => ENGINES.some((e) => e === name);

/** The engine's name as tests report it. */
export const ENGINE_NAMES = { chromium: 'Chromium (headless)', firefox: 'Firefox ESR (headless)', webkit: 'WebKitGTK (MiniBrowser, Xvfb)' };

/** A browser of one engine: pages of fresh profiles, and more tabs of a page's profile. */
class Browser {
  /** @param {Engine} engine @param {string} downloads */
  constructor(engine, downloads) {
    this.engine = engine;
    this.downloads = downloads;
    /** @type {Set<Page>} */
    this.pages = new Set();
    /** Chromium: the browser. @type {Promise<import('playwright-core').Browser> | null} */
    this.chromium = null;
    /** Firefox and WebKit: the one session of the driver. @type {Promise<import('./webdriver.mjs').Session> | null} */
    this.session = null;
    /** @type {DriverServer | null} */
    this.server = null;
  }

  /**
   * A fresh page (a new profile: no cookies, storage or cache from another page). In Firefox and
   * WebKit one profile at a time: the pages (and tabs) of the last one closed first.
   * @param {{ width?: number, height?: number, touch?: boolean }} [opts]
   */
  async newPage({ width = 1280, height = 900, touch = false } = {}) {
    /** @type {import('./page.mjs').Backend} */
    let backend;
    /** @type {PlaywrightPage | null} */
    let playwright = null;
    if (this.engine === 'chromium') {
      this.chromium ??= launchChromium();
      const browser = await this.chromium;
      const context = await browser.newContext({ acceptDownloads: true, viewport: { width, height }, hasTouch: touch });
      backend = playwright = new PlaywrightPage(await context.newPage(), context, this.downloads);
    } else {
      if (this.pages.size) throw new Error(`${this.engine}: one page at a time (close the last one first)`);
      this.session ??= DriverServer.start(this.engine, { downloads: this.downloads }).then(async (server) => {
        this.server = server;
        return server.newSession();
      });
      const window = await (await this.session).newPage();
      await window.setViewport(width, height);
      backend = window;
    }
    const page = new Page(this.engine, backend, { width, height });
    page.touch = touch;
    // Chromium-only tests (axe-core, DevTools protocol) reach Playwright's page and context here.
    if (playwright) {
      page.playwright = playwright.page;
      page.context = playwright.context;
    }
    return this.#track(page);
  }

  /**
   * Keeps `page` among the open pages until its `close()`, so that `close()` here closes it.
   * @param {Page} page
   */
  #track(page) {
    this.pages.add(page);
    const close = page.close.bind(page);
    page.close = async () => {
      this.pages.delete(page);
      await close();
    };
    return page;
  }

  /**
   * Another tab of `page`'s profile: same origin storage, Web Locks and BroadcastChannel — in
   * Chromium a page of the same context, in Firefox and WebKit a window of the same session. Its
   * viewport is `page`'s. Closing a tab closes it alone, as a user closing it would; the profile
   * goes with its last tab.
   * @param {Page} page
   */
  async newTab(page) {
    const { width, height } = page.viewport;
    if (page.backend instanceof PlaywrightPage) {
      const { context, tabs } = page.backend;
      const backend = new PlaywrightPage(await context.newPage(), context, this.downloads, tabs);
      const tab = new Page(this.engine, backend, { width, height });
      tab.touch = page.touch;
      tab.playwright = backend.page;
      tab.context = backend.context;
      return this.#track(tab);
    }
    if (!this.session) throw new Error(`${this.engine}: no page open to add a tab to`);
    const window = await (await this.session).newWindow();
    const tab = this.#track(new Page(this.engine, window, { width, height }));
    tab.touch = page.touch;
    await window.setViewport(width, height);
    return tab;
  }

  /** Chromium: its version (the browser is started if no page started it yet). */
  async version() {
    if (this.engine !== 'chromium') throw new Error(`${this.engine}: its version is known to Chromium's driver only`);
    this.chromium ??= launchChromium();
    return (await this.chromium).version();
  }

  /** Closes every page and stops the browser and its driver (and X server). */
  async close() {
    /** @type {unknown[]} */
    const failures = [];
    for (const page of [...this.pages]) await page.close().catch((e) => failures.push(e));
    try {
      // A browser or session that failed to start was reported to the page that asked for it.
      await (await this.chromium?.then((b) => b, reported))?.close();
      await (await this.session?.then((s) => s, reported))?.quit();
    } finally {
      await this.server?.close();
      this.chromium = this.session = this.server = null;
      killAll();
    }
    if (failures.length) throw new AggregateError(failures, `${this.engine}: ${failures.length} page(s) did not close`);
  }
}

/**
 * A failure already reported to whoever awaited it first: nothing left to do with it here.
 * @param {unknown} e
 * @returns {null}
 */
function reported(e) {
  void e;
  return null;
}

/**
 * A browser of `engine`, saving downloads in `downloads`.
 * @param {string} engine
 * @param {{ downloads: string }} opts
 */
export async function launch(engine, { downloads }) {
  if (!isEngine(engine)) throw new Error(`unknown engine ${engine} (one of ${ENGINES.join(', ')})`);
  cleanupOnExit();
  mkdirSync(downloads, { recursive: true });
  return new Browser(engine, downloads);
}
