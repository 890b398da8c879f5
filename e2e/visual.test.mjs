// Visual regression of the designers' gallery: a screenshot of every state (each card, in the
// light and the dark theme) in this engine, compared with its committed reference,
// e2e/shots/<engine>/<theme>-<state>.png. Screenshots are compared with their colours rounded to
// 16 levels a channel, as the references are stored (palette PNGs of about 3 KB each): a pixel
// differs when a channel is further than TOLERANCE from the reference's; a state differs when more
// than MAX_DIFFERING of its pixels do, so that anti-aliasing does not flake it while a moved,
// resized or recoloured box does. Each screenshot is the state's box with a margin for its shadows
// (the card's caption is the page's, and the layout test sees that nothing covers it). On a
// difference the actual, the expected and an image of the differences (red) are written to
// build/screenshots/<engine>/visual/.
//
// A change meant to show: `node e2e/run.mjs --update-shots visual` (or E2E_UPDATE_SHOTS=1) writes
// the references anew (and removes those of states that are gone); review them with `git diff`.
import test from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { open, BASE, ROOT, ENGINE, shotPath, still } from './lib.mjs';
import { compare, crop, decode, encode, reduce } from './driver/png.mjs';

const UPDATE = process.env.E2E_UPDATE_SHOTS === '1';
const REFS = join(ROOT, 'e2e', 'shots', ENGINE);
const OUT = join(ROOT, 'build', 'screenshots', ENGINE, 'visual');
/**
 * A pixel differs when a channel is further than this (of 255) from the reference's, whose
 * channels are rounded to steps of 17 (8.5 of rounding, the rest for anti-aliasing).
 */
const TOLERANCE = 24;
/**
 * A state differs when more than this fraction of its pixels differ: WebKitGTK draws a circle's
 * edge a little differently from run to run (up to 0.1 % of a toast's pixels); a button's corner
 * radius from 6 to 16 px changes 0.4 % of a popover's, a moved text far more.
 */
const MAX_DIFFERING = 0.0025;

test('every gallery state looks as its reference', async (t) => {
  const { page } = await open(t, { width: 1280, height: 900 });
  await page.goto(`${BASE}/`);
  await page.locator('.demo-gallery .demo-card').first().waitFor({ timeout: 20000 });
  await page.waitFor(() => [...document.querySelectorAll('.demo-gallery k12-export-button')].every((h) => h.shadowRoot?.querySelector('.k12x-btn')));
  await still(page);
  const shots = await page.evaluate(() => [...document.querySelectorAll('.demo-gallery .demo-card')].map((c) => (c instanceof HTMLElement && c.dataset.shot) || ''));
  assert.ok(shots.length >= 38, `every state in both themes (${shots.length})`);
  assert.equal(new Set(shots).size, shots.length, 'each state named once');
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  if (UPDATE) mkdirSync(REFS, { recursive: true });
  const failures = [];
  const missing = [];
  let worst = null;
  // A screenshot of the viewport for as many cards as it shows whole, each cropped from it: a
  // few screenshots rather than one per card (WebKitGTK's take half a second each).
  const left = [...shots];
  while (left.length) {
    const boxes = await page.evaluate((left) => {
      /** The card of state `s`, and its widget. @param {string} s */
      const card = (s) => {
        const c = document.querySelector(`.demo-card[data-shot="${s}"]`);
        const h = c?.querySelector('k12-export-button');
        if (!c || !h) throw new Error(`no card with a widget for ${s}`);
        return { c, h };
      };
      scrollTo(0, scrollY + card(left[0]).c.getBoundingClientRect().top - 8);
      // The state's box and a margin for its shadows, within the card (not its caption).
      return left.map((s) => {
        const c = card(s).c.getBoundingClientRect();
        const h = card(s).h.getBoundingClientRect();
        const x = Math.max(c.left, h.left - 12);
        const y = Math.max(c.top, h.top - 12);
        const r = { x, y, width: Math.min(c.right, h.right + 12) - x, height: Math.min(c.bottom, h.bottom + 12) - y };
        return { shot: s, ...r, whole: c.top >= 0 && c.bottom <= innerHeight && c.left >= 0 && c.right <= innerWidth };
      });
    }, left);
    const view = join(OUT, `viewport-${left.length}.png`);
    await page.screenshot(view);
    const png = readFileSync(view);
    rmSync(view);
    const whole = boxes.filter((b) => b.whole);
    assert.ok(whole.length, `the card ${left[0]} fits the viewport`);
    for (const b of whole) {
      left.splice(left.indexOf(b.shot), 1);
      const path = join(OUT, `${b.shot}.png`);
      const cropped = crop(png, b);
      writeFileSync(path, cropped);
      const actual = decode(cropped);
      const ref = join(REFS, `${b.shot}.png`);
      if (UPDATE) {
        writeFileSync(ref, encode(reduce(actual)));
        continue;
      }
      if (!existsSync(ref)) {
        missing.push(b.shot);
        continue;
      }
      const expected = decode(readFileSync(ref));
      const { differing, total, image } = compare(actual, expected, TOLERANCE);
      const resized = Math.abs(actual.width - expected.width) > 1 || Math.abs(actual.height - expected.height) > 1;
      if (!worst || differing / total > worst.share) worst = { shot: b.shot, differing, share: differing / total };
      if (resized || differing > total * MAX_DIFFERING) {
        writeFileSync(join(OUT, `${b.shot}.expected.png`), readFileSync(ref));
        writeFileSync(join(OUT, `${b.shot}.diff.png`), image);
        failures.push(`${b.shot}: ${resized ? `${actual.width}×${actual.height}, expected ${expected.width}×${expected.height}; ` : ''}`
          + `${differing} of ${total} pixels differ (${path}, .expected.png, .diff.png)`);
      }
    }
  }
  // The whole page too, for review.
  if (page.playwright) await page.playwright.screenshot({ path: shotPath('demo-full'), fullPage: true });
  const stale = existsSync(REFS) ? readdirSync(REFS).filter((f) => f.endsWith('.png') && !shots.includes(f.slice(0, -4))) : [];
  if (UPDATE) {
    for (const f of stale) rmSync(join(REFS, f));
    t.diagnostic(`${shots.length} references written to ${REFS}${stale.length ? `, ${stale.length} removed` : ''}`);
    return;
  }
  if (worst) t.diagnostic(`most differing: ${worst.shot}, ${worst.differing} pixels (${(worst.share * 100).toFixed(3)} %)`);
  const hint = 'if the change is meant, update the references: node e2e/run.mjs --update-shots visual';
  assert.deepEqual(missing, [], `states without a reference in ${REFS}: ${hint}`);
  assert.deepEqual(stale, [], `references of states no longer in the gallery: ${hint}`);
  assert.deepEqual(failures, [], `states that look different from their reference: ${hint}`);
  assert.deepEqual(await page.errors(), []);
});
