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

export const ENGINES = ['chromium', 'firefox', 'webkit'];
export { Locator, Page, sleep, until } from './page.mjs';

/** The engine's name as tests report it. */
export const ENGINE_NAMES = { chromium: 'Chromium (headless)', firefox: 'Firefox ESR (headless)', webkit: 'WebKitGTK (MiniBrowser, Xvfb)' };

class Browser {
  constructor(engine, downloads) {
    this.engine = engine;
    this.downloads = downloads;
    this.pages = new Set();
  }

  /** A fresh page (a new profile: no cookies, storage or cache from another page). */
  async newPage({ width = 1280, height = 900, touch = false } = {}) {
    let backend;
    if (this.engine === 'chromium') {
      this.chromium ??= launchChromium();
      const browser = await this.chromium;
      const context = await browser.newContext({ acceptDownloads: true, viewport: { width, height }, hasTouch: touch });
      backend = new PlaywrightPage(await context.newPage(), context, this.downloads);
    } else {
      if (this.pages.size) throw new Error(`${this.engine}: one page at a time (close the last one first)`);
      this.session ??= DriverServer.start(this.engine, { downloads: this.downloads }).then(async (server) => {
        this.server = server;
        return server.newSession();
      });
      backend = await this.session;
      await backend.open();
      await backend.setViewport(width, height);
    }
    const page = new Page(this.engine, backend);
    page.touch = touch;
    // Chromium-only tests (axe-core, DevTools protocol) reach Playwright's page and context here.
    if (this.engine === 'chromium') Object.assign(page, { playwright: backend.page, context: backend.context });
    return this.#track(page);
  }

  /** Keeps `page` among the open pages until its `close()`, so that `close()` here closes it. */
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
   * Another tab of `page`'s profile: same origin storage, Web Locks and BroadcastChannel (Chromium
   * only: a page of the same context; the WebDriver sessions here drive one window each). Its
   * `close()` closes this tab only, as a user closing it would.
   */
  async newTab(page) {
    if (this.engine !== 'chromium') throw new Error(`${this.engine}: one tab per profile in this driver`);
    const backend = new PlaywrightPage(await page.context.newPage(), page.context, this.downloads);
    backend.close = () => backend.page.close({ runBeforeUnload: true });
    const tab = new Page(this.engine, backend);
    Object.assign(tab, { playwright: backend.page, context: backend.context });
    return this.#track(tab);
  }

  /** Closes every page and stops the browser and its driver (and X server). */
  async close() {
    for (const page of [...this.pages]) await page.close().catch(() => {});
    if (this.chromium) await (await this.chromium.catch(() => null))?.close();
    if (this.session) await (await this.session.catch(() => null))?.quit();
    if (this.server) await this.server.close();
    this.chromium = this.session = this.server = null;
    killAll();
  }
}

/** A browser of `engine`, saving downloads in `downloads`. */
export async function launch(engine, { downloads }) {
  if (!ENGINES.includes(engine)) throw new Error(`unknown engine ${engine} (one of ${ENGINES.join(', ')})`);
  cleanupOnExit();
  mkdirSync(downloads, { recursive: true });
  return new Browser(engine, downloads);
}
