// Headless Chromium through playwright-core (Debian's Chromium, no browser download), as the
// backend of a `Page`: one browser per test file, one context (a fresh profile) per page.
import { chromium } from 'playwright-core';
import { join } from 'node:path';
import { deepQuery } from './in-page.mjs';
import { markerEnv } from './procs.mjs';

export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic',
];

/** Launches Debian's Chromium, headless, marked like every other process the drivers start. */
export async function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    env: { ...process.env, ...markerEnv() },
  });
}

// A function from its source text, so that Playwright sends it as a function declaration (called
// through the DevTools protocol: a strict CSP without 'unsafe-eval' does not stop it).
const fn = (source) => new Function(`return (${source});`)();

export class PlaywrightPage {
  constructor(page, context, downloads) {
    this.page = page;
    this.context = context;
    this.downloads = downloads;
    this.engine = 'chromium';
    this.pageErrors = [];
    page.on('pageerror', (e) => this.pageErrors.push(`uncaught: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') this.pageErrors.push(m.text());
    });
  }

  async goto(url) {
    await this.page.goto(url);
  }

  evaluate(fnSource, arg) {
    return this.page.evaluate(fn(fnSource), arg);
  }

  evaluateOn(handle, fnSource, arg) {
    return handle.evaluate(fn(fnSource), arg);
  }

  async resolve(chain) {
    const list = await this.page.evaluateHandle(deepQuery, chain);
    const props = await list.getProperties();
    const out = [];
    for (const [k, v] of props) {
      const el = v.asElement();
      if (/^\d+$/.test(k) && el) out[Number(k)] = el;
    }
    await list.dispose();
    return out.filter(Boolean);
  }

  // Playwright will not act on an element that is aria-disabled; a user can, and the busy export
  // button is one. Its other checks (visible, stable, not covered) stay.
  async #force(handle) {
    return handle.evaluate((el) => el.getAttribute('aria-disabled') === 'true');
  }

  async click(handle) {
    await handle.click({ force: await this.#force(handle) });
  }

  hover(handle) {
    return handle.hover();
  }

  async tap(handle) {
    await handle.tap({ force: await this.#force(handle) });
  }

  press(key) {
    return this.page.keyboard.press(key);
  }

  async screenshot(path, handle) {
    await (handle || this.page).screenshot({ path });
  }

  setViewport(width, height) {
    return this.page.setViewportSize({ width, height });
  }

  async expectDownload(timeout) {
    const d = await this.page.waitForEvent('download', { timeout });
    // Saved under the name Chromium chose for it, like a download folder would have it.
    const name = d.suggestedFilename();
    const path = join(this.downloads, name);
    await d.saveAs(path);
    return { name, path };
  }

  async errors() {
    return [...this.pageErrors];
  }

  async close() {
    await this.context.close();
  }
}
