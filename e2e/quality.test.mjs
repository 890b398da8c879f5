// Accessibility (axe-core, in Chromium) and screenshots of every gallery state in each engine,
// for review (build/screenshots/<engine>/).
import test from 'node:test';
import assert from 'node:assert/strict';
import { open, BASE, axe, client, exportButton, onlyIn, shotPath, ENGINE } from './lib.mjs';

const AXE = onlyIn(['chromium'], 'axe-core runs through Playwright');

for (const path of ['/', '/examples/homework.html', '/examples/stage-test.html', '/examples/backends.html']) {
  test(`axe-core finds no violations on ${path}`, AXE, async (t) => {
    const { page } = await open(t);
    await page.playwright.goto(BASE + path, { waitUntil: 'networkidle' });
    await page.locator('.k12x-btn').first().waitFor();
    const violations = await axe(page);
    assert.deepEqual(violations, []);
  });
}

test('axe-core finds no violations while exporting with the popover open', AXE, async (t) => {
  const { page } = await open(t);
  await page.playwright.goto(`${BASE}/examples/homework.html?client=${client('axe')}&durationMs=20000&termId=1003`, { waitUntil: 'networkidle' });
  const button = exportButton(page);
  await button.click();
  await button.hover();
  await page.locator('[role=tooltip]').waitFor();
  assert.deepEqual(await axe(page), []);
});

test('screenshots of every gallery state', async (t) => {
  const { page } = await open(t, { width: 1280, height: 900 });
  await page.goto(`${BASE}/`);
  const cards = page.locator('.demo-gallery .demo-card');
  await cards.first().waitFor({ timeout: 20000 });
  const n = await cards.count();
  assert.ok(n >= 26, `every state in both themes (${n})`);
  const themes = await page.locator('.demo-gallery').count();
  for (let g = 0; g < themes; g++) {
    const theme = g === 0 ? 'light' : 'dark';
    const inTheme = page.locator('.demo-gallery').nth(g).locator('.demo-card');
    const count = await inTheme.count();
    for (let i = 0; i < count; i++) {
      const card = inTheme.nth(i);
      const name = (await card.attr('data-state')).replace(/[^\p{L}\p{N}%]+/gu, '-');
      await card.evaluate((el) => el.scrollIntoView({ block: 'center' }));
      await card.screenshot(shotPath(`${theme}-${String(i + 1).padStart(2, '0')}-${name}`));
    }
  }
  if (ENGINE === 'chromium') await page.playwright.screenshot({ path: shotPath('demo-full'), fullPage: true });
  assert.deepEqual(await page.errors(), []);
});
