// A hundred buttons on one page, in each engine: what the page holds does not grow with them —
// one channel, one timer, one listener per page event, as with one button — and the widget splits
// its own work (at most twelve buttons drawn, or woken, in one task). Nothing here is timed: the
// bench measures the tasks (`make bench`, its scale section); this keeps the structure that makes
// them short.
import test from 'node:test';
import assert from 'node:assert/strict';
import { open, BASE, client, until } from './lib.mjs';
import { startHost } from './host/server.mjs';

const CONFIG = {
  'homework-export': { method: 'GET', url: '/j/org/{termId}/homework/export', rest: true, isPolling: true },
  'homework-export-progress': { method: 'GET', url: '/j/org/{termId}/homework/export/process', rest: true, isPolling: true },
};
const PAGE = '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>100</title></head><body></body></html>';
const BATCH = 12;

/** Counts, in the page, what the widget holds: channels made, window and document listeners by kind, timers pending. */
function instrument() {
  const w = /** @type {any} */ (globalThis);
  const held = { channels: 0, listeners: /** @type {Record<string, number>} */ ({}), timers: new Set() };
  w.k12xHeld = held;
  const Channel = w.BroadcastChannel;
  w.BroadcastChannel = class extends Channel {
    constructor(/** @type {string} */ name) {
      super(name);
      held.channels++;
    }
  };
  const proto = w.EventTarget.prototype;
  const add = proto.addEventListener, remove = proto.removeEventListener;
  const mine = (/** @type {unknown} */ target) => target === w || target === w.document;
  proto.addEventListener = function (/** @type {string} */ type, ...rest) {
    if (mine(this)) held.listeners[type] = (held.listeners[type] || 0) + 1;
    return add.call(this, type, ...rest);
  };
  proto.removeEventListener = function (/** @type {string} */ type, ...rest) {
    if (mine(this)) held.listeners[type] = (held.listeners[type] || 0) - 1;
    return remove.call(this, type, ...rest);
  };
  const set = w.setTimeout, clear = w.clearTimeout;
  w.setTimeout = (/** @type {Function} */ f, /** @type {number} */ ms, /** @type {unknown[]} */ ...args) => {
    const id = set(() => {
      held.timers.delete(id);
      f(...args);
    }, ms);
    held.timers.add(id);
    return id;
  };
  w.clearTimeout = (/** @type {number} */ id) => {
    held.timers.delete(id);
    clear(id);
  };
}

/** Mounts `n` buttons (each its own job: its own client), all in one loop, and starts them. */
async function mountAndStart({ n, config, prefix, from }) {
  const w = /** @type {any} */ (globalThis);
  const { mount } = await import('/embed/k12-export.js');
  w.k12xHandles ||= [];
  const mounting = [];
  for (let i = from; i < from + n; i++) {
    const el = document.createElement('div');
    document.body.append(el);
    const data = { termId: 1001, termName: '2024春季班', client: `${prefix}-${i}`, durationMs: 30000 };
    mounting.push(mount(el, { config, data, filename: 'K12作业统计-{termName}' }));
  }
  const handles = await Promise.all(mounting);
  w.k12xHandles.push(...handles);
  for (const h of handles) h.start();
}

/** What the page holds now, and what its one clock says. */
function held() {
  const w = /** @type {any} */ (globalThis);
  const page = w[Symbol.for('k12-export.page.1')];
  const busy = [...document.querySelectorAll('div')].filter((d) => d.shadowRoot || d.querySelector('k12x-host'));
  const exporting = busy.filter((d) => {
    const root = d.querySelector('k12x-host')?.shadowRoot;
    return root?.querySelector('.k12x[data-status="exporting"]');
  }).length;
  return { channels: w.k12xHeld.channels, listeners: { ...w.k12xHeld.listeners }, timers: w.k12xHeld.timers.size, clock: page?.stats(), exporting };
}

test('a hundred buttons hold one channel, one timer and one listener per page event, as one button does; the widget draws and wakes at most twelve buttons a task', async (t) => {
  const host = await startHost({ mock: BASE, pages: { '/blank.html': PAGE } });
  t.after(() => host.close());
  const { page } = await open(t);
  await page.goto(`${host.base}/blank.html`);
  await page.evaluate(instrument);
  const prefix = client('hundred');

  await page.evaluate(mountAndStart, { n: 1, config: CONFIG, prefix, from: 0 });
  const one = await until('one button exporting', async () => {
    const h = await page.evaluate(held);
    return h.exporting === 1 ? h : null;
  }, 20000);

  await page.evaluate(mountAndStart, { n: 99, config: CONFIG, prefix, from: 1 });
  const hundred = await until('a hundred buttons exporting', async () => {
    const h = await page.evaluate(held);
    return h.exporting === 100 ? h : null;
  }, 60000);

  assert.equal(one.channels, 1, 'one channel for one button');
  assert.equal(hundred.channels, 1, 'still one channel for a hundred');
  assert.deepEqual(hundred.listeners, one.listeners, 'the same window and document listeners, by kind, for a hundred buttons as for one');
  for (const [kind, count] of Object.entries(hundred.listeners)) assert.ok(count <= 1, `at most one ${kind} listener: ${count}`);
  assert.ok(hundred.timers <= 2, `at most two timers pending for a hundred exports (the page's clock, a download's turn): ${hundred.timers}`);
  assert.ok(hundred.clock.largestBatch <= BATCH, `at most ${BATCH} buttons drawn or woken in one task: ${hundred.clock.largestBatch}`);
  assert.ok(hundred.clock.wakeUps >= 100, `the drawing and polling of the hundred went through the page's clock: ${hundred.clock.wakeUps} wake-ups`);
  await page.evaluate(() => { for (const h of /** @type {any} */ (globalThis).k12xHandles) h.destroy(); });
  const after = await page.evaluate(held);
  assert.equal(after.clock.timers, 0, 'nothing left to wake once every button is destroyed');
  assert.deepEqual(await page.errors(), []);
});
