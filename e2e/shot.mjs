// Screenshot of a page: node e2e/shot.mjs URL OUT.png [width] [--full] [--hover SELECTOR]
import { launch } from './browser.mjs';
const [url, out, width = '1280', ...rest] = process.argv.slice(2);
const browser = await launch();
const page = await browser.newPage({ viewport: { width: Number(width), height: 900 }, deviceScaleFactor: 1 });
await page.goto(url, { waitUntil: 'networkidle' });
await page.waitForTimeout(500);
const hover = rest.indexOf('--hover');
if (hover >= 0) { await page.hover(rest[hover + 1]); await page.waitForTimeout(400); }
const click = rest.indexOf('--click');
if (click >= 0) { await page.click(rest[click + 1]); await page.waitForTimeout(Number(rest[click + 2] || 1500)); }
await page.screenshot({ path: out, fullPage: rest.includes('--full') });
await browser.close();
