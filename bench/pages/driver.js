// In-page helpers of the browser benchmarks, served at /bench/driver.js next to blank.html.

export const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * The first element matching `selector` in `root` (a document, an element or a shadow root) or in
 * any open shadow root below it: the widget may render inside its element's shadow root, where
 * `querySelector` from outside does not reach.
 */
export function deepQuery(root, selector) {
  const hit = root.querySelector(selector);
  if (hit) return hit;
  const hosts = root.shadowRoot ? [root, ...root.querySelectorAll('*')] : root.querySelectorAll('*');
  for (const el of hosts) {
    const inner = el.shadowRoot && deepQuery(el.shadowRoot, selector);
    if (inner) return inner;
  }
  return null;
}

/** A new host element in #hosts. */
export function host() {
  const el = document.createElement('div');
  el.className = 'bench-host';
  document.getElementById('hosts').append(el);
  return el;
}

/** Mounts with the implementation's `mount` (the widget's is async, the peers' are not). */
export async function mountIn(mount, el, options) {
  return mount(el, options);
}

/**
 * Clicks the button in `el` until the export starts (an `export-start` event), once per animation
 * frame. Returns how many clicks it took: a click the button ignored shows up as more than one.
 */
export async function clickUntilStarted(el, selector, maxClicks = 600) {
  let started = false;
  const on = () => { started = true; };
  el.addEventListener('export-start', on);
  let clicks = 0;
  try {
    while (!started) {
      const b = deepQuery(el, selector);
      if (b) {
        b.click();
        clicks++;
      }
      if (started) break;
      if (clicks >= maxClicks) throw new Error(`the export did not start after ${clicks} clicks`);
      await frame();
    }
  } finally {
    el.removeEventListener('export-start', on);
  }
  return clicks;
}

/** Resolves with the export's outcome: `{done, detail, at}` (`at`: epoch ms), or a time-out. */
export function outcome(el, timeoutMs) {
  return new Promise((resolve) => {
    const stamp = () => performance.timeOrigin + performance.now();
    const finish = (v) => {
      clearTimeout(timer);
      el.removeEventListener('export-done', onDone);
      el.removeEventListener('export-error', onError);
      resolve(v);
    };
    const onDone = (e) => finish({ done: true, detail: e.detail, at: stamp() });
    const onError = (e) => finish({ done: false, detail: e.detail, at: stamp() });
    const timer = setTimeout(() => finish({ done: false, detail: null, at: stamp(), timedOut: true }), timeoutMs);
    el.addEventListener('export-done', onDone);
    el.addEventListener('export-error', onError);
  });
}

/** Long tasks seen since the page loaded ({start, duration} in ms since navigation start). */
export const longTasks = [];
try {
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) longTasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask', buffered: true });
} catch (e) {
  // No long task API (an engine that refuses the entry type): the list stays empty.
  if (!(e instanceof TypeError)) throw e;
}
