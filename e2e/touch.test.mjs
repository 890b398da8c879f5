// Touch without hover or focus, as on an iPad: Safari fires no hover for a finger and does not
// focus a tapped button, so the popover must open on the tap itself and close on a tap elsewhere.
// The page is made to behave that way in every engine here: mouse-over/-enter/-leave/-out and
// focus/blur events are stopped before they reach anything in the page.
import test from 'node:test';
import assert from 'node:assert/strict';
import { open, BASE, client, until, sleep, exportButton, onlyIn, shotPath, ENGINE } from './lib.mjs';

const TOUCH = onlyIn(['chromium', 'firefox'], "WebKitGTK's WebDriver sends touch actions as mouse events");

test('a tap on the busy button shows the filename, bar and percent; a tap elsewhere closes them', TOUCH, async (t) => {
  const c = client('touch');
  const { page } = await open(t, { width: 1000, height: 700, touch: true });
  await page.goto(`${BASE}/examples/homework.html?client=${c}&durationMs=30000&termId=1003`);
  const button = exportButton(page);
  await button.waitFor();
  await page.evaluate(() => {
    /** @type {string[]} */
    const pointers = (window.__pointers = []);
    addEventListener('pointerdown', (e) => pointers.push(e.pointerType), true);
    // mouseenter and mouseleave do not cross a shadow root's boundary: they are stopped at the
    // widget's shadow root as well as at the window.
    /** @type {(Window | ShadowRoot)[]} */
    const roots = [window];
    for (const e of document.querySelectorAll('*')) if (e.shadowRoot) roots.push(e.shadowRoot);
    for (const type of ['mouseover', 'mouseout', 'mouseenter', 'mouseleave', 'focus', 'blur', 'focusin', 'focusout']) {
      for (const r of roots) r.addEventListener(type, (e) => e.stopImmediatePropagation(), true);
    }
  });
  const pop = page.locator('[role=tooltip]');

  await button.tap();
  await until('exporting', async () => (await button.attr('aria-busy')) === 'true');
  assert.equal(await pop.visible(), false, 'the tap that starts the export does not open the popover');

  await button.tap();
  await pop.waitFor({ state: 'visible' });
  assert.equal(await pop.locator('.k12x-pop-name').text(), 'K12作业统计-2024秋季班.xlsx');
  assert.ok(await pop.locator('[role=progressbar]').visible(), 'the bar');
  await until('a percent', async () => /^\d+%$/.test(await pop.locator('.k12x-pop-pct').text()));
  const r = await pop.box();
  assert.ok(r.left >= 0 && r.right <= 1000, `inside the 1000 px wide viewport: ${r.left} .. ${r.right}`);
  await page.screenshot(shotPath('touch-popover-open'));

  await page.locator('h1#title').tap();
  await pop.waitFor({ state: 'hidden' });
  assert.equal(await button.attr('aria-busy'), 'true', 'still exporting');
  await page.screenshot(shotPath('touch-popover-closed'));

  // A tap on the popover itself keeps it; another tap on the button reopens it after a close.
  await button.tap();
  await pop.waitFor({ state: 'visible' });
  await pop.tap();
  await sleep(300);
  assert.ok(await pop.visible(), 'a tap inside the popover keeps it open');

  const pointers = await page.evaluate(() => window.__pointers ?? []);
  assert.ok(pointers.length >= 4 && pointers.every((p) => p === 'touch'), `${ENGINE}: touch pointers only: ${pointers}`);
  assert.deepEqual(await page.errors(), []);
});
