// In-page helpers of the browser benchmarks, served at /bench/driver.js next to blank.html.

/** @returns {Promise<void>} */
export const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
/** @param {number} ms @returns {Promise<void>} */
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * The first element matching `selector` in `root` (a document, an element or a shadow root) or in
 * any open shadow root below it: the widget may render inside its element's shadow root, where
 * `querySelector` from outside does not reach.
 * @param {Document | Element | ShadowRoot} root
 * @param {string} selector
 * @returns {HTMLElement | null}
 */
export function deepQuery(root, selector) {
  const hit = root.querySelector(selector);
  if (hit instanceof HTMLElement) return hit;
  const hosts = root instanceof Element && root.shadowRoot ? [root, ...root.querySelectorAll('*')] : root.querySelectorAll('*');
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
  const hosts = document.getElementById('hosts');
  if (!hosts) throw new Error('the page has no #hosts');
  hosts.append(el);
  return el;
}

/**
 * What every implementation's `mount` gives back (the widget's, the peers').
 * @typedef {{ start(): void, update(options: unknown): void, destroy(): void, readonly mounted?: boolean }} Handle
 */

/**
 * Mounts with the implementation's `mount` (the widget's is async, the peers' are not).
 * @param {(el: Element, options: unknown) => Handle | Promise<Handle>} mount
 * @param {Element} el
 * @param {unknown} options
 */
export async function mountIn(mount, el, options) {
  return mount(el, options);
}

/**
 * Clicks the button in `el` until the export starts (an `export-start` event), once per animation
 * frame. Returns how many clicks it took: a click the button ignored shows up as more than one.
 * @param {Element} el
 * @param {string} selector
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

/**
 * How an export ended: done (the file's name and link) or failed (the message), when (epoch ms),
 * or not in time.
 * @typedef {{ done: true, detail: { filename?: string, url?: string }, at: number, timedOut?: undefined }
 *   | { done: false, detail: { message?: string }, at: number, timedOut?: undefined }
 *   | { done: false, detail: null, at: number, timedOut: true }} Outcome
 */

/**
 * Resolves with the export's outcome: `{done, detail, at}` (`at`: epoch ms), or a time-out.
 * @param {Element} el
 * @param {number} timeoutMs
 * @returns {Promise<Outcome>}
 */
export function outcome(el, timeoutMs) {
  return new Promise((resolve) => {
    const stamp = () => performance.timeOrigin + performance.now();
    /** @param {Outcome} v */
    const finish = (v) => {
      clearTimeout(timer);
      el.removeEventListener('export-done', onDone);
      el.removeEventListener('export-error', onError);
      resolve(v);
    };
    // The widget's (and the peers') export-done and export-error are CustomEvents with an object.
    /** @param {Event} e */
    const detail = (e) => /** @type {Record<string, string | undefined>} */ ((e instanceof CustomEvent && e.detail) || {});
    /** @param {Event} e */
    const onDone = (e) => finish({ done: true, detail: detail(e), at: stamp() });
    /** @param {Event} e */
    const onError = (e) => finish({ done: false, detail: detail(e), at: stamp() });
    const timer = setTimeout(() => finish({ done: false, detail: null, at: stamp(), timedOut: true }), timeoutMs);
    el.addEventListener('export-done', onDone);
    el.addEventListener('export-error', onError);
  });
}

/** Long tasks seen since the page loaded ({start, duration} in ms since navigation start). @type {{ start: number, duration: number }[]} */
export const longTasks = [];
try {
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) longTasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask', buffered: true });
} catch (e) {
  // No long task API (an engine that refuses the entry type): the list stays empty.
  if (!(e instanceof TypeError)) throw e;
}
