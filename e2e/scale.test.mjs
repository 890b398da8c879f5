// A hundred buttons on one page, in each engine: what the page holds does not grow with them —
// one channel, one timer, one listener per page event, as with one button — and the widget splits
// its own work (a few buttons handed to the runtime, drawn, woken or answered in one task). Nothing here is timed: the
// bench measures the tasks (`make bench`, its scale section); this keeps the structure that makes
// them short.
import test from 'node:test';
import assert from 'node:assert/strict';
import { open, BASE, client, until } from './lib.mjs';
import { startHost } from './host/server.mjs';
import { K12_CONFIG } from './fixtures.mjs';

const CONFIG = K12_CONFIG;

/** Counts, in the page, what the widget holds: channels made, window and document listeners by kind, timers pending. */
function instrument() {
  /** @type {NonNullable<Window['k12xHeld']>} */
  const held = { channels: 0, listeners: {}, timers: new Map() };
  window.k12xHeld = held;
  const Channel = window.BroadcastChannel;
  window.BroadcastChannel = class extends Channel {
    constructor(/** @type {string} */ name) {
      super(name);
      held.channels++;
    }
  };
  const proto = window.EventTarget.prototype;
  const add = proto.addEventListener, remove = proto.removeEventListener;
  const mine = (/** @type {unknown} */ target) => target === window || target === window.document;
  proto.addEventListener = function (type, ...rest) {
    if (mine(this)) held.listeners[type] = (held.listeners[type] || 0) + 1;
    return add.call(this, type, ...rest);
  };
  proto.removeEventListener = function (type, ...rest) {
    if (mine(this)) held.listeners[type] = (held.listeners[type] || 0) - 1;
    return remove.call(this, type, ...rest);
  };
  /** @typedef {(f: TimerHandler, ms?: number, ...args: unknown[]) => number} Timer */
  const set = /** @type {Timer} */ (window.setTimeout), clear = window.clearTimeout;
  /** @type {Timer} */
  const timeout = (f, ms, ...args) => {
    const id = set(() => {
      held.timers.delete(id);
      if (typeof f !== 'function') throw new TypeError('a timer of code in a string: not the widget\'s');
      f(...args);
    }, ms);
    // Where it was set, to say which timers are pending when there are too many.
    held.timers.set(id, String(new Error().stack).split('\n').slice(1, 4).join(' < '));
    return id;
  };
  window.setTimeout = /** @type {typeof window.setTimeout} */ (timeout);
  window.clearTimeout = /** @type {typeof window.clearTimeout} */ ((/** @type {number} */ id) => {
    held.timers.delete(id);
    clear(id);
  });
}

// The counting, the mounting and the reading are the page's own scripts, the counting run before
// anything else, as a host page's would: in Firefox a function handed to WebDriver runs in a
// sandbox of its own, where a module it imports gets the sandbox's globals, not the page's.
const PAGE = `<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>100</title>
<script>(${instrument})();</script>
<script>window.k12xScale = { mountAndStart: ${mountAndStart}, held: ${held} };</script></head><body></body></html>`;

/**
 * Mounts `n` buttons (each its own job: its own client), all in one loop, and starts them.
 * @param {{ n: number, config: unknown, prefix: string, from: number }} batch
 */
async function mountAndStart({ n, config, prefix, from }) {
  const url = '/embed/k12-export.js'; // the page's module
  /** @type {K12xEmbed} */
  const { mount } = await import(url);
  const all = (window.k12xHandles ||= []);
  const mounting = [];
  for (let i = from; i < from + n; i++) {
    const el = document.createElement('div');
    document.body.append(el);
    const data = { termId: 1001, termName: '2024春季班', client: `${prefix}-${i}`, durationMs: 30000 };
    mounting.push(mount(el, { config, data, filename: 'K12作业统计-{termName}' }));
  }
  const handles = await Promise.all(mounting);
  all.push(...handles);
  for (const h of handles) h.start();
}

/**
 * What the page holds now, and what its one clock says. The timers: the widget's (set from its
 * files), not a driver's (WebKit's WebDriver waits for a script with a timer of the page's).
 */
function held() {
  /** @type {{ stats(): { largestBatch: number, batch: number, wakeUps: number, timers: number } } | undefined} */
  const page = Reflect.get(window, Symbol.for('k12-export.page.2'));
  const counted = window.k12xHeld;
  if (!counted) throw new Error('the page is not instrumented');
  const busy = [...document.querySelectorAll('div')].filter((d) => d.shadowRoot || d.querySelector('k12x-host'));
  const exporting = busy.filter((d) => {
    const root = d.querySelector('k12x-host')?.shadowRoot;
    return root?.querySelector('.k12x[data-status="exporting"]');
  }).length;
  return { channels: counted.channels, listeners: { ...counted.listeners }, timers: [...counted.timers.values()].filter((at) => /runtime_|k12-export|wasm-function/.test(at)), clock: page?.stats(), exporting };
}

test('a hundred buttons hold one channel, one timer and one listener per page event, as one button does; the widget hands over, draws, wakes and answers a few buttons a task', async (t) => {
  const host = await startHost({ mock: BASE, pages: { '/blank.html': PAGE } });
  t.after(() => host.close());
  const { page } = await open(t);
  await page.goto(`${host.base}/blank.html`);
  const prefix = client('hundred');
  const read = () => page.evaluate(() => /** @type {NonNullable<Window['k12xScale']>} */ (window.k12xScale).held());
  // What the page held before the widget (the driver's own listeners, in some engines).
  const before = await read();
  /** The window and document listeners the widget added, by kind. @param {Record<string, number>} l */
  const added = (l) => Object.fromEntries(Object.entries(l).map(([k, n]) => [k, n - (before.listeners[k] || 0)]).filter(([, n]) => n !== 0));

  await page.evaluate((a) => window.k12xScale?.mountAndStart(a), { n: 1, config: CONFIG, prefix, from: 0 });
  const one = await until('one button exporting', async () => {
    const h = await read();
    return h.exporting === 1 ? h : null;
  }, 20000);

  await page.evaluate((a) => window.k12xScale?.mountAndStart(a), { n: 99, config: CONFIG, prefix, from: 1 });
  const hundred = await until('a hundred buttons exporting', async () => {
    const h = await read();
    return h.exporting === 100 ? h : null;
  }, 60000);

  assert.equal(one.channels, 1, 'one channel for one button');
  assert.equal(hundred.channels, 1, 'still one channel for a hundred');
  assert.deepEqual(added(hundred.listeners), added(one.listeners), 'the same window and document listeners, by kind, for a hundred buttons as for one');
  for (const [kind, count] of Object.entries(added(hundred.listeners))) assert.ok(count <= 1, `at most one ${kind} listener: ${count}`);
  assert.ok(hundred.timers.length <= 2, `at most two timers pending for a hundred exports (the page's clock, a download's turn), not:\n${hundred.timers.join('\n')}`);
  assert.ok(hundred.clock, 'the page has its clock');
  assert.ok(hundred.clock.largestBatch <= hundred.clock.batch, `at most ${hundred.clock.batch} buttons drawn, woken or answered in one task: ${hundred.clock.largestBatch}`);
  // Each button's hand-over to the runtime and its first drawing, at least (then its lock, its
  // answers and its polling).
  assert.ok(hundred.clock.wakeUps >= 200, `the hand-over and drawing of the hundred went through the page's clock: ${hundred.clock.wakeUps} wake-ups`);
  await page.evaluate(() => { for (const h of window.k12xHandles ?? []) h.destroy(); });
  // A wake-up already due when they were destroyed may still run, and find nothing to do.
  await until('nothing left to wake once every button is destroyed', async () => {
    const after = await read();
    assert.ok(after.clock, 'the page has its clock');
    return after.clock.timers === 0;
  }, 5000);
  assert.deepEqual(await page.errors(), []);
});
