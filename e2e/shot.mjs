// A screenshot of a page, in headless Chromium through the end-to-end driver (e2e/driver):
//
//   node e2e/shot.mjs URL OUT.png [WIDTH] [--full] [--hover SELECTOR] [--click SELECTOR [MS]]
//
// once the network is idle; --hover and --click act on the element SELECTOR selects (through
// open shadow roots) first; --full takes the whole page, not only the viewport.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch, sleep } from './driver/index.mjs';

const [url, out, width = '1280', ...rest] = process.argv.slice(2);
if (!url || !out || !(Number(width) > 0)) {
  console.error('usage: node e2e/shot.mjs URL OUT.png [WIDTH] [--full] [--hover SELECTOR] [--click SELECTOR [MS]]');
  process.exit(2);
}
/** The argument after `--name` (and the one after that), when it is given. @param {string} name */
const option = (name) => {
  const at = rest.indexOf(`--${name}`);
  return at >= 0 ? [rest[at + 1], rest[at + 2]] : null;
};
const browser = await launch('chromium', { downloads: join(tmpdir(), `k12x-shot-${process.pid}`) });
const page = await browser.newPage({ width: Number(width), height: 900 });
if (!page.playwright) throw new Error('a Chromium page without its Playwright page');
await page.playwright.goto(url, { waitUntil: 'networkidle' });
await sleep(500);
const hover = option('hover');
if (hover) {
  await page.locator(hover[0]).hover();
  await sleep(400);
}
const click = option('click');
if (click) {
  await page.locator(click[0]).click();
  await sleep(Number(click[1] || 1500));
}
await page.playwright.screenshot({ path: out, fullPage: rest.includes('--full') });
await browser.close();
