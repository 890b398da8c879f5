// @ts-check
// Bundle size: the bytes an embedding page loads for the button.
//
// Rule: open the implementation's copy of /examples/homework.html in a fresh Chromium context,
// wait until the button is there and the network is idle, and sum the bodies of every response
// that is a script, a stylesheet or a .wasm file (whatever its request type: the widget fetches
// its wasm with fetch()). Not counted: the HTML document, the page's own files (/examples/:
// k12.css, terms.js), and API calls (/j/...). Each file is compressed on its own (as a server
// would): gzip -9 and brotli quality 11.
import { readFileSync } from 'node:fs';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { IMPLS, bytes, freshPage, kb, table } from './lib.mjs';
import { startHost as startHostUntyped } from '../../e2e/host/server.mjs';

/**
 * A file as shipped: its path, its kind (script, stylesheet, wasm) and its sizes.
 * @typedef {{ path: string, type: string, raw: number, gzip: number, brotli: number }} Shipped
 * @typedef {import('./lib.mjs').Browser} Browser
 * @typedef {import('playwright-core').Response} Response
 */
/** @type {(o: { dist: string }) => Promise<{ base: string, close(): Promise<void> }>} */
const startHost = /** @type {any} */ (startHostUntyped);

const gzip = (/** @type {Buffer} */ b) => gzipSync(new Uint8Array(b), { level: 9 }).length;
const brotli = (/** @type {Buffer} */ b) => brotliCompressSync(new Uint8Array(b), {
  params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: b.length },
}).length;

function counted(/** @type {Response} */ response) {
  const url = new URL(response.url());
  const type = response.request().resourceType();
  // The example page's own files (its k12.css, its terms.js), whichever implementation it shows.
  if (url.pathname.startsWith('/examples/')) return false;
  if (url.pathname.endsWith('.wasm')) return true;
  return type === 'script' || type === 'stylesheet';
}

/**
 * @param {Browser} browser @param {string} base @param {keyof IMPLS} impl
 * @returns {Promise<Shipped[]>}
 */
async function shipped(browser, base, impl) {
  const { page, close } = await freshPage(browser);
  /** @type {Promise<{ path: string, type: string, body: Buffer }>[]} */
  const pending = [];
  page.on('response', (/** @type {Response} */ r) => {
    if (counted(r)) pending.push(r.body().then((body) => ({ path: new URL(r.url()).pathname, type: r.request().resourceType(), body })));
  });
  await page.goto(base + IMPLS[impl].page, { waitUntil: 'networkidle' });
  await page.waitForSelector(IMPLS[impl].button);
  await page.waitForLoadState('networkidle');
  const files = await Promise.all(pending);
  await close();
  return files.map(({ path, type, body }) => ({
    path,
    type: path.endsWith('.wasm') ? 'wasm' : type,
    raw: body.length,
    gzip: gzip(body),
    brotli: brotli(body),
  }));
}

const sum = (/** @type {Shipped[]} */ files, /** @type {'raw' | 'gzip' | 'brotli'} */ key) => files.reduce((s, f) => s + f[key], 0);

/**
 * The npm package in a Vite app (e2e/consumers/vite, built by `vite build` in `dir`): the app served
 * from its own origin, its API on the mock; every script and .wasm response up to the first click's
 * `export-start` and the network going idle, compressed as above.
 * @param {Browser} browser @param {string} base @param {string} dir
 * @returns {Promise<Shipped[]>}
 */
export async function packageInVite(browser, base, dir) {
  const site = await startHost({ dist: dir });
  const { page, close } = await freshPage(browser);
  try {
    /** @type {Promise<{ path: string, type: string, body: Buffer }>[]} */
    const pending = [];
    page.on('response', (/** @type {Response} */ r) => {
      const url = new URL(r.url());
      if (url.origin === site.base && (url.pathname.endsWith('.wasm') || r.request().resourceType() === 'script')) {
        pending.push(r.body().then((body) => ({ path: url.pathname, type: url.pathname.endsWith('.wasm') ? 'wasm' : 'script', body })));
      }
    });
    await page.goto(`${site.base}/index.html?api=${base}`);
    await page.locator('.k12x-root .k12x-btn').waitFor({ timeout: 30_000 });
    const started = page.evaluate(() => new Promise((r) => addEventListener('export-start', r, { once: true })));
    await page.locator('.k12x-btn').click();
    await started;
    await page.waitForLoadState('networkidle');
    const files = await Promise.all(pending);
    return files.map(({ path, type, body }) => ({ path, type, raw: body.length, gzip: gzip(body), brotli: brotli(body) }));
  } finally {
    await close();
    await site.close();
  }
}

/** @param {{ browser: Browser, base: string, root: string, viteApp?: string }} o */
export async function run({ browser, base, root, viteApp }) {
  const budget = JSON.parse(readFileSync(`${root}/bench/size-budget.json`, 'utf8'));
  /** @type {Record<string, Shipped[]>} */
  const results = {};
  for (const impl of /** @type {(keyof IMPLS)[]} */ (['widget', 'react', 'vanilla'])) results[impl] = await shipped(browser, base, impl);

  const w = results.widget;
  const widgetGzip = sum(w, 'gzip');
  const widgetBrotli = sum(w, 'brotli');
  const rows = Object.entries(results).map(([impl, files]) => [
    IMPLS[/** @type {keyof IMPLS} */ (impl)].name,
    files.length,
    bytes(sum(files, 'raw')),
    bytes(sum(files, 'gzip')),
    bytes(sum(files, 'brotli')),
    `${(sum(files, 'gzip') / widgetGzip).toFixed(2)}×`,
    `${(sum(files, 'brotli') / widgetBrotli).toFixed(2)}×`,
  ]);
  const perFile = w.map((f) => [f.path, f.type, int0(f.raw), int0(f.gzip), int0(f.brotli)]);
  perFile.push(['**total**', '', int0(sum(w, 'raw')), int0(widgetGzip), int0(widgetBrotli)]);

  const over = widgetGzip - budget.gzipBytes;
  const overBrotli = widgetBrotli - budget.brotliBytes;
  const ok = over <= 0 && overBrotli <= 0;
  const against = (/** @type {number} */ n, /** @type {number} */ max, /** @type {string} */ what) => (n <= max
    ? `${bytes(n)} ${what} of ${bytes(max)} (${bytes(max - n)} to spare)`
    : `${bytes(n)} ${what} against ${bytes(max)}, ${bytes(n - max)} over`);
  const verdict = `${ok ? 'within budget' : 'OVER BUDGET'}: ${against(widgetGzip, budget.gzipBytes, 'gzip')}; ${against(widgetBrotli, budget.brotliBytes, 'brotli')}`;

  // What the npm package adds to a Vite app (its own code is a few hundred bytes of that).
  let vite = 'The npm package in a Vite app: not measured (scripts/bench.sh builds e2e/consumers/vite; BENCH_VITE_APP names its build).';
  const checks = [];
  if (viteApp) {
    const v = await packageInVite(browser, base, viteApp);
    results.vite = v;
    const of = (/** @type {string} */ type, /** @type {'brotli'} */ key) => sum(v.filter((f) => f.type === type), key);
    const line = `${int0(sum(v, 'brotli'))} B brotli (JS ${int0(of('script', 'brotli'))} + wasm ${int0(of('wasm', 'brotli'))}), ${int0(sum(v, 'gzip'))} B gzip, ${v.length} files`;
    vite = [
      `The npm package in a Vite app (e2e/consumers/vite, \`vite build\`, no configuration), on first click — every script and .wasm of the app up to the click's \`export-start\`: **${line}**; the K12 page above: ${int0(widgetBrotli)} B brotli.`,
      '',
      table(['file', 'type', 'raw', 'gzip -9', 'brotli'], v.map((f) => [f.path, f.type, int0(f.raw), int0(f.gzip), int0(f.brotli)]), 'llrrr'),
    ].join('\n');
    checks.push({ name: 'the npm package in a Vite app, on first click (JS + wasm)', ok: true, detail: line, checked: false });
  }

  const markdown = [
    'Bytes shipped to a page that embeds the button: every script, stylesheet and .wasm response of the',
    "implementation's homework page (document, the page's own k12.css and terms.js, and API calls excluded); each file",
    'compressed separately, gzip -9 and brotli q11.',
    '',
    table(['implementation', 'files', 'raw bytes', 'gzip -9', 'brotli', 'gzip vs widget', 'brotli vs widget'], rows, 'lrrrrrr'),
    '',
    'The widget, file by file (bytes):',
    '',
    table(['file', 'type', 'raw', 'gzip -9', 'brotli'], perFile, 'llrrr'),
    '',
    `Budget (bench/size-budget.json): ${kb(budget.gzipBytes)} gzip and ${kb(budget.brotliBytes)} brotli for wasm + JS + CSS → **${verdict}**`,
    '',
    vite,
  ].join('\n');
  return {
    title: 'Bundle size',
    markdown,
    checks: [...checks, { name: `bundle size ≤ ${int0(budget.gzipBytes)} B gzip and ≤ ${int0(budget.brotliBytes)} B brotli`, ok, detail: `${int0(widgetGzip)} B gzip (${over > 0 ? '+' : ''}${int0(over)} B); ${int0(widgetBrotli)} B brotli (${overBrotli > 0 ? '+' : ''}${int0(overBrotli)} B)`, checked: true }],
    data: results,
  };
}

const int0 = (/** @type {number} */ n) => Math.round(n).toLocaleString('en-US');
