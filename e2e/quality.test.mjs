// Accessibility (axe-core, in Chromium). The screenshots of every gallery state, in each engine,
// are visual.test.mjs's (compared with references; written to build/screenshots/<engine>/visual/).
import test from 'node:test';
import assert from 'node:assert/strict';
import { open, BASE, axe, client, exportButton, onlyIn, playwright } from './lib.mjs';

const AXE = onlyIn(['chromium'], 'axe-core runs through Playwright');

for (const path of ['/', '/examples/homework.html', '/examples/stage-test.html', '/examples/backends.html']) {
  test(`axe-core finds no violations on ${path}`, AXE, async (t) => {
    const { page } = await open(t);
    await playwright(page).goto(BASE + path, { waitUntil: 'networkidle' });
    await page.locator('.k12x-btn').first().waitFor();
    const violations = await axe(page);
    assert.deepEqual(violations, []);
  });
}

test('axe-core finds no violations while exporting with the popover open', AXE, async (t) => {
  const { page } = await open(t);
  await playwright(page).goto(`${BASE}/examples/homework.html?client=${client('axe')}&durationMs=20000&termId=1003`, { waitUntil: 'networkidle' });
  const button = exportButton(page);
  await button.click();
  await button.hover();
  await page.locator('[role=tooltip]').waitFor();
  assert.deepEqual(await axe(page), []);
});
