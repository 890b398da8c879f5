// What the stand-alone end-to-end scripts share (e2e/embed.mjs, e2e/crash.mjs, e2e/yew-app.mjs:
// each run on its own against a running mock backend, by scripts/test.sh or scripts/crash-test.sh,
// not by e2e/run.mjs): the mock's URL from the command line, a headless Chromium page opened
// through the end-to-end suite's driver (e2e/driver: one way to launch a browser, open a page and
// stop everything), pages and folders served at paths of the mock's origin, and named checks with
// one closing line, "N passed, N failed".
import { readFileSync } from 'node:fs';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch } from './driver/index.mjs';
import { isErrno } from './driver/procs.mjs';

/** @typedef {import('./driver/index.mjs').Page} Page */
/** @typedef {Awaited<ReturnType<typeof launch>>} Browser */
/** @typedef {import('playwright-core').Page} PlaywrightPage */

/** The repository's root. */
const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The content types of the files the scripts serve. @type {Record<string, string>} */
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css' };

/**
 * The command line's arguments: the mock backend's URL first (or MOCK_URL), then `more` others,
 * all required; a missing one prints `usage` and exits 2.
 * @param {string} usage
 * @returns {[string, ...string[]]}
 */
export function scriptArgs(usage, more = 0) {
  const [base = process.env.MOCK_URL, ...rest] = process.argv.slice(2);
  if (!base || rest.length < more) {
    console.error(`usage: ${usage}`);
    process.exit(2);
  }
  return [base, ...rest];
}

/**
 * A headless Chromium page through the driver, saving downloads in build/downloads/chromium/NAME;
 * `playwright` is the driver's Playwright page under it, for what only Chromium does (routes).
 * The browser and everything it started stop at `checks.finish(browser)`, or when this process
 * ends however it ends.
 * @param {string} name
 * @returns {Promise<{ browser: Browser, page: Page, playwright: PlaywrightPage }>}
 */
export async function openPage(name) {
  const browser = await launch('chromium', { downloads: join(ROOT, 'build', 'downloads', 'chromium', name) });
  const page = await browser.newPage();
  if (!page.playwright) throw new Error('a Chromium page without its Playwright page');
  return { browser, page, playwright: page.playwright };
}

/**
 * Answers `url` with the HTML page `body`.
 * @param {PlaywrightPage} playwright
 * @param {string} url
 * @param {string} body
 */
export async function servePage(playwright, url, body) {
  await playwright.route(url, (route) => route.fulfill({ contentType: 'text/html', body }));
}

/**
 * Serves the files of folder `dir` at `prefix` (such as `/yew-app/`) of origin `base`: the path
 * after the prefix, `index` for none; 404 for a file that is not there or is outside `dir`.
 * @param {PlaywrightPage} playwright
 * @param {string} base
 * @param {string} prefix
 * @param {string} dir
 */
export async function serveDir(playwright, base, prefix, dir, index = 'index.html') {
  const root = resolve(dir) + '/';
  await playwright.route(`${base}${prefix}**`, (route) => {
    const file = normalize(join(root, new URL(route.request().url()).pathname.slice(prefix.length) || index));
    if (!file.startsWith(root)) return route.fulfill({ status: 404 });
    /** @type {Buffer} */
    let body;
    try {
      body = readFileSync(file);
    } catch (e) {
      if (!isErrno(e, 'ENOENT', 'EISDIR', 'ENOTDIR')) throw e;
      return route.fulfill({ status: 404 });
    }
    return route.fulfill({ contentType: TYPES[extname(file)] || 'application/octet-stream', body });
  });
}

/**
 * Fails with `what` unless `cond`.
 * @param {unknown} cond
 * @param {string} what
 * @returns {asserts cond}
 */
export function assert(cond, what) {
  if (!cond) throw new Error(what);
}

/** Named checks, each printed as it ends, and the closing line. */
export function checks() {
  /** Each check's name and how it failed (`null`: it passed). @type {[string, unknown][]} */
  const results = [];
  return {
    /**
     * Runs check `name`: it passes unless `f` throws.
     * @param {string} name
     * @param {() => Promise<void>} f
     */
    async check(name, f) {
      try {
        await f();
        results.push([name, null]);
        console.log(`ok   ${name}`);
      } catch (e) {
        results.push([name, e]);
        console.log(`FAIL ${name}: ${e instanceof Error ? e.message : e}`);
      }
    },

    /**
     * Stops the browser (and everything it started), prints "N passed, N failed" and exits: 1
     * when a check failed.
     * @param {Browser} browser
     * @returns {Promise<never>}
     */
    async finish(browser) {
      await browser.close();
      const failed = results.filter(([, e]) => e).length;
      console.log(`${results.length - failed} passed, ${failed} failed`);
      process.exit(failed ? 1 : 0);
    },
  };
}
