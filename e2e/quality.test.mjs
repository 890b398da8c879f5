// Accessibility (axe-core) and screenshots of every gallery state for review.
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { open, BASE, ROOT, axe, client } from './lib.mjs';

for (const path of ['/', '/examples/homework.html', '/examples/stage-test.html', '/examples/backends.html']) {
  test(`axe-core finds no violations on ${path}`, async (t) => {
    const { page } = await open(t);
    await page.goto(BASE + path, { waitUntil: 'networkidle' });
    await page.locator('.k12x-btn').first().waitFor();
    const violations = await axe(page);
    assert.deepEqual(violations, []);
  });
}

test('axe-core finds no violations while exporting with the popover open', async (t) => {
  const { page } = await open(t);
  await page.goto(`${BASE}/examples/homework.html?client=${client('axe')}&durationMs=20000&termId=1003`, { waitUntil: 'networkidle' });
  const button = page.getByRole('button', { name: '导出', exact: true });
  await button.click();
  await button.hover();
  await page.getByRole('tooltip').waitFor();
  assert.deepEqual(await axe(page), []);
});

test('screenshots of every gallery state', async (t) => {
  const out = `${ROOT}/build/screenshots`;
  mkdirSync(out, { recursive: true });
  const { page } = await open(t, { width: 1280, height: 900 });
  await page.goto(`${BASE}/`, { waitUntil: 'networkidle' });
  const cards = page.locator('.demo-gallery .demo-card');
  const n = await cards.count();
  assert.ok(n >= 26, `every state in both themes (${n})`);
  const themes = page.locator('.demo-gallery');
  for (let g = 0; g < (await themes.count()); g++) {
    const theme = g === 0 ? 'light' : 'dark';
    const inTheme = themes.nth(g).locator('.demo-card');
    for (let i = 0; i < (await inTheme.count()); i++) {
      const card = inTheme.nth(i);
      const name = (await card.getAttribute('data-state')).replace(/[^\p{L}\p{N}%]+/gu, '-');
      await card.screenshot({ path: `${out}/${theme}-${String(i + 1).padStart(2, '0')}-${name}.png` });
    }
  }
  await page.screenshot({ path: `${out}/demo-full.png`, fullPage: true });
});
