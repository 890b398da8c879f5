// How a mounted button tells the page (src/embed.rs): a bubbling DOM event on the element, then
// the option's function, each with the same `detail`. A throwing function is logged, and the
// widget goes on. In JS, where each is a line, instead of wasm imports building objects.

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

export function started(target, f) {
  report(target, f, 'export-start');
}

export function progressed(target, f, percent) {
  report(target, f, 'export-progress', percent ?? null);
}

export function done(target, f, url, filename) {
  report(target, f, 'export-done', { url: url ?? null, filename });
}

export function cancelled(target, f, by, message) {
  report(target, f, 'export-cancel', { by, message: message ?? null });
}

export function failed(target, f, kind, message, status) {
  report(target, f, 'export-error', { kind, message, status: status ?? null });
}
