// How a mounted button tells the page (src/embed.rs): a bubbling DOM event on the element, then
// the option's function, each with the same `detail`. A throwing function is logged, and the
// widget goes on. In JS, where each is a line, instead of wasm imports building objects.

/**
 * @param {Element} target
 * @param {unknown} f the option's function, if any
 * @param {string} name
 * @param {unknown} [detail]
 */
function report(target, f, name, detail) {
  target.dispatchEvent(new CustomEvent(name, { bubbles: true, detail }));
  if (typeof f === 'function') {
    try {
      f.call(null, detail);
    } catch (e) {
      console.error('k12-export: a callback threw', e);
    }
  }
}

/** @param {Element} target @param {unknown} f */
export function started(target, f) {
  report(target, f, 'export-start');
}

/** @param {Element} target @param {unknown} f @param {number | undefined} percent */
export function progressed(target, f, percent) {
  report(target, f, 'export-progress', percent ?? null);
}

/** @param {Element} target @param {unknown} f @param {string | undefined} url @param {string} filename */
export function done(target, f, url, filename) {
  report(target, f, 'export-done', { url: url ?? null, filename });
}

/** @param {Element} target @param {unknown} f @param {string} by @param {string | undefined} message */
export function cancelled(target, f, by, message) {
  report(target, f, 'export-cancel', { by, message: message ?? null });
}

/** @param {Element} target @param {unknown} f @param {string} kind @param {string} message @param {number | undefined} status */
export function failed(target, f, kind, message, status) {
  report(target, f, 'export-error', { kind, message, status: status ?? null });
}
