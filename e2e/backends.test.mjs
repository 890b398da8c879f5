// The other four backends, end to end in each engine: the button downloads a real file, the
// history panel lists the job and re-downloads it.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { open, BASE, client, requests, unzip, sleep, until, shotPath } from './lib.mjs';

/** @typedef {import('./driver/index.mjs').Page} Page */

/**
 * The backends page of client `c` (with `extra` query parameters), every section mounted.
 * @param {import('node:test').TestContext} t
 * @param {string} c
 */
async function page(t, c, extra = '') {
  const o = await open(t);
  await o.page.goto(`${BASE}/examples/backends.html?client=${c}&durationMs=1500${extra}`);
  // Every section's button and history panel mounted.
  for (const id of ['export-service', 'xlink', 'minapp', 'asset']) {
    await o.page.locator(`[data-backend="${id}"]`).locator('.button').locator('.k12x-btn').waitFor({ timeout: 20000 });
  }
  return o;
}

/**
 * Starts section `id`'s export: resolves to the file it downloads.
 * @param {Page} p
 * @param {string} id
 */
async function exportOnce(p, id) {
  const section = p.locator(`[data-backend="${id}"]`);
  const download = p.expectDownload({ timeout: 30000 });
  await section.locator('.button').locator('.k12x-btn').click();
  return download;
}

test('export service: the zip of xlsx parts is downloaded and opens', async (t) => {
  const c = client('svc');
  const { page: p } = await page(t, c);
  const d = await exportOnce(p, 'export-service');
  assert.equal(d.name, '学员名单导出.zip');
  const zip = unzip(readFileSync(d.path));
  const parts = [...zip.keys()].filter((n) => n.endsWith('.xlsx'));
  assert.ok(parts.length >= 1, `xlsx parts in the zip: ${[...zip.keys()]}`);
  const log = await requests(c);
  assert.ok(log.some((r) => r.path === '/v1/export/http'), 'created through POST /v1/export/http');
  assert.ok(log.some((r) => r.path === '/v1/export/detail'), 'polled the detail endpoint');
  assert.deepEqual(await p.errors(), []);
});

test('XLink: the CSV is downloaded through a fresh signed link; the history re-downloads with another', async (t) => {
  const c = client('xlink');
  const { page: p } = await page(t, c);
  const d = await exportOnce(p, 'xlink');
  assert.equal(d.name, '设备列表导出.csv');
  assert.match(readFileSync(d.path, 'utf8'), /,/);
  const section = p.locator('[data-backend="xlink"]');
  const again = section.locator('button[aria-label="下载 设备列表导出"]').first();
  await again.waitFor({ timeout: 15000 });
  await p.screenshot(shotPath('backends-xlink-history'));
  const d2 = p.expectDownload({ timeout: 15000 });
  await again.click();
  const second = await d2;
  assert.equal(second.name, '设备列表导出.csv');
  assert.match(readFileSync(second.path, 'utf8'), /,/);
  const links = (await requests(c)).filter((r) => r.path.endsWith('/auth_link'));
  assert.equal(links.length, 2, 'one fresh auth_link per download, never cached');
});

test('MinApp: the CSV is downloaded; a second export within a minute is refused with a clear message', async (t) => {
  const c = client('minapp');
  const { page: p } = await page(t, c);
  const d = await exportOnce(p, 'minapp');
  assert.match(d.name, /\.csv$/);
  const section = p.locator('[data-backend="minapp"]');
  await section.locator('.button').locator('.k12x-btn').click();
  const alert = section.locator('[role=alert]');
  await alert.waitFor({ timeout: 15000 });
  assert.match(await alert.text(), /导出失败/);
  const starts = (await requests(c)).filter((r) => r.method === 'POST' && r.path.startsWith('/userve/'));
  assert.equal(starts.length, 2, 'the refused start is not retried');
});

test('asset system: the CSV is built in the browser, with a BOM, and listed in the history', async (t) => {
  const c = client('asset');
  const { page: p } = await page(t, c);
  const d = await exportOnce(p, 'asset');
  assert.equal(d.name, '资产导出-CST.csv');
  const bytes = readFileSync(d.path);
  assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 BOM for Excel');
  const lines = bytes.toString('utf8').slice(1).trim().split(/\r?\n/);
  assert.equal(lines.length, 1 + 8, 'a header and one row per asset');
  const section = p.locator('[data-backend="asset"]');
  await section.locator('.k12x-history-item[data-state="done"]').first().waitFor({ timeout: 15000 });
  await p.screenshot(shotPath('backends-asset-history'));
});

test('history panels stop refreshing when no job runs', async (t) => {
  const c = client('quiet');
  const { page: p } = await page(t, c);
  await exportOnce(p, 'xlink');
  await sleep(3000);
  const before = (await requests(c)).filter((r) => r.path === '/v2/export_tasks').length;
  await sleep(5000);
  const after = (await requests(c)).filter((r) => r.path === '/v2/export_tasks').length;
  assert.equal(after, before, 'no list request while nothing runs');
});

test('asset system in an in-app browser: the CSV built in the page cannot be opened elsewhere, so the panel says to open the page in a browser and copies the page link', async (t) => {
  const c = client('asset-inapp');
  const { page: p } = await page(t, c, '&inApp=1');
  await p.evaluate(() => {
    Object.defineProperty(navigator, 'clipboard', {
      configurable: true,
      value: { writeText: async (/** @type {string} */ text) => void (window.k12xCopied = text) },
    });
  });
  const section = p.locator('[data-backend="asset"]');
  await section.locator('.button').locator('.k12x-btn').click();
  const panel = section.locator('.k12x-inapp');
  await panel.waitFor({ timeout: 30000 });
  assert.equal(await panel.locator('.k12x-inapp-title').text(), '请在浏览器中打开本页面后导出');
  assert.match(await panel.locator('.k12x-inapp-hint').text(), /在浏览器中打开/);
  const here = await p.evaluate(() => location.href);
  const link = panel.locator('.k12x-inapp-link');
  assert.equal(await link.text(), here, 'the page\'s own link, not the blob');
  assert.equal(await link.attr('href'), here);
  await panel.locator('button', { text: '复制页面链接' }).click();
  await until('copied', async () => (await p.evaluate(() => window.k12xCopied ?? null)) !== null);
  assert.equal(await p.evaluate(() => window.k12xCopied), here);
  assert.equal(await panel.locator('.k12x-inapp-said').text(), '链接已复制，请粘贴到浏览器中打开');
  await p.screenshot(shotPath('backends-asset-in-app'));
  assert.deepEqual(await p.errors(), []);
});
