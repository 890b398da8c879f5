// @ts-check
/* global K12X_VERSION, K12X_SRI, K12X_CSS */
// k12-export: the async export button for plain pages and for applications built with a bundler.
// One script is all a page needs:
//
//   <script type="module" src="/embed/k12-export.js"></script>
//   <k12-export-button config='{…the cache config…}' data='{"termId":1001,"termName":"2024春季班"}'
//                      filename="K12作业统计-{termName}"></k12-export-button>
//
// or, from script:  import { mount } from '/embed/k12-export.js'; const h = await mount(el, options);
// (in an application: import { mount } from 'k12-export').
//
// Each widget lives in a shadow root of its own that carries the widget's stylesheet, so no rule of
// the page reaches in and none leaks out. The idle button is drawn at once, before the WebAssembly
// arrives; the wasm then takes over the same box. A click in between shows the busy state and
// starts the export as soon as it can. When the wasm cannot run (a Content-Security-Policy without
// 'wasm-unsafe-eval', a missing file, a CDN without CORS headers, a server answering with another
// page, no WebAssembly), the button stays, a click shows "导出失败" with the reason and dispatches
// `export-error` (kind "unavailable"), and the console says once what to fix.
//
// One loader serves every protocol: K12 buttons run on the small K12 runtime, other backends and the
// history panel on the runtime with every backend, fetched only when a page asks for them. Nothing
// happens at import but the definition of the two elements (in a browser; in Node nothing at all):
// the K12 runtime starts loading when the first element connects, or at `mount()` or `ready`. Any
// number of copies of this loader may share a page: the elements are defined once, runtimes are
// loaded once per file, element ids never repeat, and two versions on one page are named in the
// console.
//
// Built by scripts/build-loader.mjs, which fills in the constants of types/browser/loader-build.d.ts
// (the stylesheet's text, the version, the integrity of the runtime files in the CDN build) and
// gives the runtime files below the names they have where the loader is copied to.

/**
 * The options of a button or a history panel as the loader reads them; the runtime checks the rest.
 * @typedef {{ [key: string]: unknown, protocol?: unknown, lang?: unknown, label?: unknown, disabled?: unknown, onerror?: unknown }} Options
 * @typedef {import("./runtime_k12.js").RuntimeHandle} RuntimeHandle
 * @typedef {import("./runtime_all.js").RuntimeHistoryHandle} RuntimeHistoryHandle
 * @typedef {{ mount: typeof import("./runtime_k12.js").mount, mountHistory?: typeof import("./runtime_all.js").mountHistory, halt?: typeof import("./runtime_k12.js").halt, soon: typeof import("./runtime_k12.js").soon }} Runtime
 * @typedef {'csp' | 'load' | 'unsupported' | 'crashed'} Cause
 * @typedef {Error & { cause: Cause }} Unavailable
 * @typedef {{ kind: 'unavailable', cause: Cause, message: string, status: null }} UnavailableDetail
 * @typedef {{ runtimes: Record<string, Promise<Runtime>>, logged: Record<string, 1>, versions?: string[] }} Shared
 */

/** This release (Cargo.toml's `[workspace.package] version`). */
export const version = K12X_VERSION;

// The two runtimes, [K12, every backend]: each glue a static import and each wasm a static URL, so
// that a bundler (Vite, webpack) sees both and emits them as they are.
const GLUE = [() => import('./runtime_k12.js'), () => import('./runtime_all.js')];
const WASM = [() => new URL('./runtime_k12_bg.wasm', import.meta.url), () => new URL('./runtime_all_bg.wasm', import.meta.url)];

/** What every copy of the loader on the page shares: the runtimes loaded, the messages logged. */
const shared = () => /** @type {Shared} */ (/** @type {any} */ (globalThis)[Symbol.for('k12-export')] ||= { runtimes: {}, logged: {} });

// What the loader draws before the wasm runs, [label, toast title, close, why it cannot run: one per
// cause], and the causes, from the Rust's texts (src/labels.rs).
// seam: generated from src/seam.rs; `K12X_WRITE_SEAM=1 cargo test -p k12-export --lib seam` rewrites it
const TEXT = { zh: ['导出', '导出失败', '关闭', '页面的安全设置不允许运行导出组件', '导出组件加载失败，请刷新页面重试', '当前浏览器无法运行导出组件', '导出组件出错，请刷新页面'], en: ['Export', 'Export failed', 'Close', 'The page\'s security settings block the export component', 'The export component failed to load; reload the page', 'This browser cannot run the export component', 'The export component crashed; reload the page'] };
const CAUSES = ['csp', 'load', 'unsupported', 'crashed'];
// seam: end
const text = (/** @type {unknown} */ lang) => TEXT[/^en/i.test(/** @type {string} */ (lang) || '') ? 'en' : 'zh'];
/** Why the widget cannot run, in the page's language: the text of `error`'s cause. */
const why = (/** @type {unknown} */ lang, /** @type {Unavailable} */ error) => text(lang)[3 + CAUSES.indexOf(error.cause)];

/**
 * Logs `text` once per page (whichever copy of the loader logs it).
 * @param {'error' | 'warn'} level
 * @param {string} text
 */
function once(level, text) {
  const logged = shared().logged;
  if (!logged[text]) console[level](text);
  logged[text] = 1;
}

/**
 * A failure that keeps the widget from running, logged once naming the fix.
 * @param {Cause} cause
 * @param {string} fix
 * @returns {Unavailable}
 */
function unavailable(cause, fix) {
  const e = /** @type {Unavailable} */ (new Error(`k12-export: ${fix}`));
  e.cause = cause;
  once('error', e.message);
  return e;
}

/**
 * The runtime (wasm-bindgen module, initialised) number `i` of GLUE and WASM; loaded once per
 * page, whichever copy of the loader asks.
 * @param {number} i
 * @returns {Promise<Runtime>}
 */
function runtime(i) {
  const wasm = WASM[i]().href;
  const runtimes = shared().runtimes;
  return (runtimes[wasm] ||= (async () => {
    if (typeof WebAssembly != 'object') throw unavailable('unsupported', 'no WebAssembly in this browser (or it is turned off)');
    // An empty module, compiled and instantiated: a policy without 'wasm-unsafe-eval' refuses one
    // or the other (engines differ in which).
    const csp = () => unavailable('csp', "the page's Content-Security-Policy blocks WebAssembly: add 'wasm-unsafe-eval' to its script-src");
    try {
      new WebAssembly.Instance(new WebAssembly.Module(Uint8Array.of(0, 97, 115, 109, 1, 0, 0, 0)));
    } catch (e) {
      // Whatever the engine throws (a CompileError, an EvalError): the page forbids compiling.
      once('warn', `k12-export: WebAssembly refused: ${e}`);
      throw csp();
    }
    const fix = (/** @type {string} */ what, /** @type {string} */ e) => unavailable('load', `cannot load ${what} (${e}): serve it beside k12-export.js, from another origin with Access-Control-Allow-Origin`);
    /** @type {typeof import("./runtime_k12.js")} */
    let m;
    /** @type {Response} */
    let r;
    try { m = await GLUE[i](); } catch (e) { throw fix('the runtime', /** @type {Error} */ (e).message); }
    try { r = await fetch(wasm, /** @type {RequestInit} */ (K12X_SRI && { integrity: K12X_SRI[wasm.slice(wasm.lastIndexOf('/') + 1)] })); } catch (e) { throw fix(wasm, /** @type {Error} */ (e).message); }
    if (!r.ok) throw fix(wasm, `HTTP ${r.status}`);
    // Served as something else (a server's or a dev server's fallback page, a wrong type): the
    // bytes say whether it is the wasm at all.
    const type = r.headers.get('content-type') || 'no Content-Type';
    /** @type {Response | ArrayBuffer} */
    let bytes = r;
    if (!/^application\/wasm\b/i.test(type)) {
      bytes = await r.arrayBuffer();
      if ('' + new Uint8Array(bytes.slice(0, 4)) !== '0,97,115,109') throw unavailable('load', `${wasm} is ${type}, not the .wasm (a fallback page?): serve the file there`);
      once('warn', `k12-export: serve ${wasm} as application/wasm, not ${type}`);
    }
    try { await m.default({ module_or_path: bytes }); } catch (e) { throw /unsafe-eval|Content.Security/i.test(/** @type {Error} */ (e).message) ? csp() : fix(wasm, /** @type {Error} */ (e).message); }
    return watched(m, r.url || wasm);
  })().catch((e) => {
    // Ours, with its cause; else what the page's changes to the platform (or a bug) threw while the
    // runtime was set up: the runtime cannot run, said like the others, with what was thrown.
    if (CAUSES.includes(/** @type {Unavailable} */ (e)?.cause)) throw e;
    throw unavailable('load', `the runtime could not start (${e})`);
  }));
}

// ---- A runtime that crashed ------------------------------------------------------------------
// In the bundle a panic aborts at once: the wasm traps, and a WebAssembly.RuntimeError is thrown to
// whatever called into the runtime. That is this loader (a handle's mount, update, start, refresh or
// destroy, each called through enter()), or, through the runtime's glue, one of its own event
// listeners, timers or promise callbacks, which the window reports as an uncaught error (`error` or
// `unhandledrejection`), known by the runtime's wasm (or glue) in the error's stack. A runtime that
// trapped cannot be trusted, and all of it stops: it is halted (no request, timer or download of it
// goes on), each of its buttons is the loader's idle button again, showing "导出失败" and the
// crash's reason at once where an export was running and at the next click elsewhere (a history
// panel says it in its place), and the console says once what happened and how to report it. The
// page's other runtime, and every other copy of the widget, go on.

/** @typedef {{ urls: string[], dead: boolean, boxes: Set<Box>, halt?: () => void }} Watched */
/** A box's frame -> the box (a runtime's handle knows only its frame). @type {WeakMap<Element, Box>} */
const boxes = new WeakMap();
/** Every runtime loaded, for every copy of the loader. @type {() => Watched[]} */
const watching = () => (/** @type {Shared & { crashes?: Watched[] }} */ (shared())).crashes ||= [];

/**
 * `f()`, unless runtime `r` is dead; a trap in it kills `r` (and `undefined` is returned).
 * @template T
 * @param {Watched} r
 * @param {() => T} f
 * @returns {T | undefined}
 */
function enter(r, f) {
  if (r.dead) return undefined;
  try {
    return f();
  } catch (e) {
    if (!(e instanceof WebAssembly.RuntimeError)) throw e;
    crashed(r, e);
    return undefined;
  }
}

/**
 * The runtime whose files are nearest the top of trap `e`'s stack, if `e` is a trap of one.
 * @param {unknown} e
 * @returns {Watched | null}
 */
function trapOf(e) {
  /** @type {Watched | null} */
  let found = null;
  let at = Infinity;
  if (!(e instanceof WebAssembly.RuntimeError)) return found;
  const stack = String(e.stack);
  for (const r of watching()) {
    for (const url of r.urls) {
      const i = stack.indexOf(url);
      if (i >= 0 && i < at) [found, at] = [r, i];
    }
  }
  return found;
}

/**
 * Runtime `r` trapped (`e`): it stops, its boxes are drawn anew, and the console says so once.
 * @param {Watched} r
 * @param {unknown} e
 */
function crashed(r, e) {
  if (r.dead) return;
  r.dead = true;
  console.error(`k12-export: the export component crashed (${e}) and was stopped; its buttons show "导出失败" until the page is reloaded. This is a bug in k12-export ${version}: please report it to its maintainers with this message, the browser's name and version, and what was done just before.`, e);
  for (const box of r.boxes) box.crash();
  r.boxes.clear();
  try {
    r.halt?.();
  } catch (x) {
    // Its state may be past halting; anything but a trap is news.
    if (!(x instanceof WebAssembly.RuntimeError)) throw x;
  }
}

/**
 * Runtime `m`, its wasm loaded from `wasm`, watched for traps: what the loader's callers get.
 * @param {typeof import("./runtime_k12.js")} m
 * @param {string} wasm
 * @returns {Runtime}
 */
function watched(m, wasm) {
  const all = /** @type {Runtime} */ (/** @type {unknown} */ (m));
  /** @type {Watched} */
  const r = { urls: [wasm, wasm.replace(/_bg\.wasm$/, '.js')], dead: false, boxes: new Set(), halt: all.halt };
  watching().push(r);
  const g = /** @type {Shared & { trapped?: (ev: Event) => void }} */ (shared());
  if (!g.trapped) {
    g.trapped = (ev) => {
      const e = ev instanceof ErrorEvent ? ev.error : /** @type {PromiseRejectionEvent} */ (ev).reason;
      const t = trapOf(e);
      // One of a runtime's own: said once (a dead runtime's later traps are not news).
      if (t) {
        ev.preventDefault();
        crashed(t, e);
      }
    };
    // The window named: a page that wraps EventTarget's methods may not take an unbound call.
    window.addEventListener('error', g.trapped);
    window.addEventListener('unhandledrejection', g.trapped);
  }
  /**
   * @template {RuntimeHandle | RuntimeHistoryHandle} H
   * @param {Element} frame
   * @param {object} o
   * @param {() => H} mountIn
   */
  const guarded = (frame, o, mountIn) => {
    const box = boxes.get(/** @type {Element} */ (frame.closest('.k12x-frame')));
    if (box) {
      r.boxes.add(box);
      // A panel's language, for what it says after a crash (a button's comes with its placeholder).
      if (box.history) box.o = /** @type {Options} */ (o);
    }
    const h = enter(r, mountIn);
    if (r.dead) box?.crash();
    let destroyed = false;
    return /** @type {H} */ (/** @type {unknown} */ ({
      update(/** @type {Options} */ o) {
        enter(r, () => h?.update(o));
        if (!box) return;
        box.o = o;
        if (r.dead && !box.history) box.placeholder(o);
      },
      start: () => (r.dead ? box?.fail(1) : enter(r, () => /** @type {RuntimeHandle} */ (h).start())),
      refresh: () => enter(r, () => /** @type {RuntimeHistoryHandle} */ (h).refresh()),
      destroy() {
        destroyed = true;
        if (box) r.boxes.delete(box);
        enter(r, () => h?.destroy());
      },
      get mounted() {
        return r.dead ? !destroyed : Boolean(enter(r, () => h?.mounted));
      },
    }));
  };
  return {
    ...all,
    mount: (element, options) => guarded(element, options, () => m.mount(element, options)),
    mountHistory: all.mountHistory && ((element, options) => guarded(element, options, () => /** @type {NonNullable<Runtime['mountHistory']>} */ (all.mountHistory)(element, options))),
  };
}
// ---- end of a runtime that crashed --------------------------------------------------------------

/**
 * The runtime for `options`: K12 on the K12 runtime, anything else (or the history) on the full
 * one. Its own `protocol` only, as the runtime reads the options: not one a page's script put on
 * Object.prototype.
 * @param {Options} o
 * @param {unknown} [history]
 */
const which = (o, history) => (history || (Object.hasOwn(o, 'protocol') && o.protocol && o.protocol !== 'k12') ? 1 : 0);
/** @type {(o: Options, history?: unknown) => Promise<Runtime>} */
const runtimeFor = (o, history) => runtime(which(o, history));
/**
 * The page's clock (src/driver/page.js, which the runtime's glue exports): at once while this task
 * has room, else in its next turn, so that a page creating a hundred buttons in one loop has them
 * handed to the runtime a few per task.
 * @param {Runtime} m
 * @returns {Promise<void>}
 */
const turn = (m) => new Promise((r) => m.soon(r));

// The button's stylesheet, built in and shared by every shadow root of this loader. The history
// panel's styles (and everything, where a browser cannot adopt stylesheets) come from the
// stylesheet file beside the loader.
/** @type {CSSStyleSheet | undefined} */
let sheet;
/**
 * @param {ShadowRoot} root
 * @param {unknown} [full]
 */
function styled(root, full) {
  if (typeof K12X_CSS == 'string' && root.adoptedStyleSheets) {
    if (!sheet) (sheet = new CSSStyleSheet()).replaceSync(K12X_CSS);
    root.adoptedStyleSheets = [sheet];
  } else full = 1;
  if (full && !root.querySelector('link')) root.prepend(el('link', '', { rel: 'stylesheet', href: new URL('./k12-export.css', import.meta.url).href }));
}

/**
 * @param {string} tag
 * @param {string} [cls]
 * @param {Record<string, string>} [attrs]
 * @param {(Node | string)[]} kids
 */
function el(tag, cls, attrs = {}, ...kids) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  for (const k in attrs) e.setAttribute(k, attrs[k]);
  e.append(...kids);
  return e;
}

/**
 * One widget's box: a shadow root on `host` with a frame the runtime renders into. Until the
 * runtime has taken over, the frame shows the idle button drawn here, with the same markup and
 * size as the runtime's; after a failure to load, a click on it shows the failure toast.
 */
class Box {
  /**
   * @param {HTMLElement} host
   * @param {unknown} [history]
   */
  constructor(host, history) {
    this.host = host;
    const root = host.shadowRoot || host.attachShadow({ mode: 'open' });
    styled(root, history);
    /** @type {HTMLElement} */
    this.frame = root.querySelector('.k12x-frame') || root.appendChild(el('span', 'k12x-frame'));
    this.pending = false;
    /** @type {Unavailable | null} */
    this.error = null;
    // From take() until the runtime's button is swapped in: starts the export there.
    /** @type {(() => void) | null} */
    this.taken = null;
    /** @type {Options} */
    this.o = {};
    this.history = history;
    boxes.set(this.frame, this);
  }

  /** Follows the theme of the page around the host: a `k12x-theme-dark` class or `data-k12x-theme`. */
  theme() {
    const t = /** @type {HTMLElement | null} */ (this.host.closest('[data-k12x-theme],.k12x-theme-dark'));
    const v = t ? t.dataset.k12xTheme || 'dark' : '';
    if (v) this.frame.dataset.k12xTheme = v; else delete this.frame.dataset.k12xTheme;
  }

  /**
   * Draws the idle button (label and disabled state from `o`) unless the runtime shows its own. A
   * label that is not text (a DOM node would be moved in) is left to the runtime to refuse.
   * @param {Options} o
   */
  placeholder(o) {
    this.theme();
    this.o = o;
    this.taken = null;
    const t = text(o.lang);
    const b = el('button', 'k12x-btn', { type: 'button', part: 'button' }, el('span', 'k12x-label', {}, (typeof o.label == 'string' && o.label) || t[0]));
    if (o.disabled) b.setAttribute('aria-disabled', 'true');
    b.onclick = () => {
      if (this.error) return this.fail(1);
      if (o.disabled) return;
      // The runtime has its button but has not shown it yet: it starts the export.
      if (this.taken) return this.taken();
      if (this.pending) return;
      this.pending = true;
      b.setAttribute('aria-disabled', 'true');
      b.setAttribute('aria-busy', 'true');
      b.prepend(el('span', 'k12x-spinner', { 'aria-hidden': 'true' }));
      /** @type {Element} */ (this.frame.firstChild).classList.add('k12x--busy');
    };
    this.frame.replaceChildren(el('span', 'k12x', { 'data-status': 'idle' }, b));
  }

  /**
   * Hands the box to the runtime: `show(container)` mounts in a hidden container, and once the
   * runtime has drawn its button (busy, if a click was waiting or comes meanwhile) the container
   * replaces the placeholder in one step, focus moving over: the runtime may draw across several
   * frames.
   * @template {{ start(): void }} H
   * @param {(container: HTMLElement) => H} show
   * @returns {H}
   */
  take(show) {
    const focused = /** @type {ShadowRoot} */ (this.host.shadowRoot).activeElement;
    let waiting = false;
    const live = el('span', 'k12x-live', { hidden: '' });
    this.frame.append(live);
    const handle = show(live);
    this.taken = () => {
      waiting = true;
      handle.start();
    };
    if (this.pending) this.taken();
    this.pending = false;
    /** @type {unknown} */
    let late;
    const swap = () => {
      // The box was drawn anew meanwhile (its runtime crashed): nothing to swap.
      if (live.parentNode !== this.frame) return void (o.disconnect(), clearTimeout(timer));
      const w = /** @type {HTMLElement | null} */ (live.querySelector('.k12x'));
      if (!w || (waiting && w.dataset.status === 'idle' && !late)) return;
      o.disconnect();
      clearTimeout(timer);
      for (const c of [...this.frame.children]) if (c !== live) c.remove();
      live.hidden = false;
      if (focused) /** @type {HTMLElement | null} */ (live.querySelector('.k12x-btn'))?.focus();
    };
    const o = new MutationObserver(swap);
    o.observe(live, { childList: true, subtree: true, attributes: true });
    const timer = setTimeout(() => {
      late = 1;
      swap();
    }, 2000);
    return handle;
  }

  /**
   * The runtime under this box crashed (see crashed()): the loader's idle button takes the place of
   * the runtime's, or a message that of a history panel, and the toast says so, at once where an
   * export was running, else at the next click.
   */
  crash() {
    const busy = this.frame.querySelector('[data-status=exporting]');
    const error = /** @type {Unavailable} */ (new Error('k12-export: the export component crashed'));
    error.cause = 'crashed';
    this.error = error;
    if (this.history) return this.frame.replaceChildren(el('p', 'k12x k12x-history-error', { role: 'alert' }, why(this.o.lang, error)));
    this.placeholder(this.o);
    if (busy) this.fail(1);
  }

  /**
   * The runtime cannot run: back to idle, and the toast if a click was waiting (or `show`).
   * @param {unknown} show
   * @param {Unavailable} [error]
   */
  fail(show, error = /** @type {Unavailable} */ (this.error)) {
    this.error = error;
    const o = this.o;
    const w = this.frame.querySelector('.k12x');
    if (!w || !(this.pending || show)) return;
    this.pending = false;
    const b = /** @type {Element} */ (w.querySelector('.k12x-btn'));
    b.removeAttribute('aria-busy');
    if (!o.disabled) b.removeAttribute('aria-disabled');
    w.classList.remove('k12x--busy');
    w.querySelector('.k12x-spinner')?.remove();
    const t = text(o.lang);
    const reason = why(o.lang, error);
    const close = el('button', 'k12x-toast-close', { type: 'button', 'aria-label': t[2] }, el('span', '', { 'aria-hidden': 'true' }, '×'));
    const toast = el('div', 'k12x-toast', { role: 'alert', part: 'toast' },
      el('span', 'k12x-toast-icon', { 'aria-hidden': 'true' }),
      el('span', 'k12x-toast-text', {}, el('strong', 'k12x-toast-title', {}, t[1]), el('span', 'k12x-toast-detail', {}, reason)));
    toast.append(close);
    w.querySelector('.k12x-toast')?.remove();
    w.append(toast);
    const done = () => { toast.remove(); clearTimeout(timer); document.removeEventListener('keydown', esc); };
    const esc = (/** @type {KeyboardEvent} */ e) => e.key === 'Escape' && done();
    const timer = setTimeout(done, 5000);
    close.onclick = done;
    document.addEventListener('keydown', esc);
    /** @type {UnavailableDetail} */
    const detail = { kind: 'unavailable', cause: error.cause, message: reason, status: null };
    this.host.dispatchEvent(new CustomEvent('export-error', { bubbles: true, composed: true, detail }));
    try {
      /** @type {{ onerror?: (d: UnavailableDetail) => void }} */ (o).onerror?.(detail);
    } catch (e) {
      console.error(e);
    }
  }
}

/**
 * The widget's box in `element` (its children replaced), for `mount()` and `mountHistory()`.
 * @param {Element} element
 * @param {unknown} [history]
 */
function boxIn(element, history) {
  const host = el('k12x-host');
  element.replaceChildren(host);
  return new Box(host, history);
}

/**
 * Mounts a button into `element` (its children are replaced); resolves to a handle with
 * `update(options)`, `start()` and `destroy()`. Rejects on bad options, naming the field, and
 * leaves nothing behind. When the runtime cannot load, resolves to a handle whose button explains
 * that on click.
 * @param {Element} element
 * @param {Options} options
 */
export async function mount(element, options) {
  const before = [...element.childNodes];
  const box = boxIn(element);
  box.placeholder(options || {});
  /** @type {Runtime} */
  let m;
  try {
    m = await runtimeFor(options || {});
  } catch (e) {
    const error = /** @type {Unavailable} */ (e);
    box.fail(null, error);
    return { update() {}, start() { box.fail(1); }, destroy() { box.host.remove(); }, mounted: true, error };
  }
  await turn(m);
  /** @type {RuntimeHandle} */
  let h;
  try {
    h = box.take((frame) => m.mount(frame, options));
  } catch (e) {
    element.replaceChildren(...before);
    throw e;
  }
  return {
    update: (/** @type {Options} */ o) => {
      if (which(o) !== which(options)) throw new Error('k12-export: update() cannot move a button to another protocol; destroy() it and mount() again');
      h.update(o);
      options = o;
    },
    start: () => h.start(),
    destroy: () => { h.destroy(); box.host.remove(); },
    get mounted() { return h.mounted; },
  };
}

/**
 * Mounts an export history panel; resolves to a handle with `update(options)`, `refresh()`, `destroy()`.
 * @param {Element} element
 * @param {Options} options
 */
export async function mountHistory(element, options) {
  const box = boxIn(element, 1);
  box.theme();
  const h = /** @type {RuntimeHistoryHandle} */ (await historyIn(box, options));
  return { update: (/** @type {Options} */ o) => h.update(o), refresh: () => h.refresh(), destroy: () => { h.destroy(); box.host.remove(); }, get mounted() { return h.mounted; } };
}

/**
 * Loads the runtime, then mounts the panel in `box` if `wanted()` still holds (else resolves to
 * null, having made nothing): the mount follows the check in the same task.
 * @param {Box} box
 * @param {Options} options
 * @returns {Promise<RuntimeHistoryHandle | null>}
 */
async function historyIn(box, options, wanted = () => true) {
  /** @type {Runtime} */
  let m;
  try {
    m = await runtimeFor(options, 1);
  } catch (e) {
    if (wanted()) box.frame.replaceChildren(el('p', 'k12x k12x-history-error', { role: 'alert' }, why(options.lang, /** @type {Unavailable} */ (e))));
    throw e;
  }
  return wanted() ? /** @type {NonNullable<Runtime['mountHistory']>} */ (m.mountHistory)(box.frame, options) : null;
}

/**
 * The K12 runtime, as a promise that starts loading it when it is first used (`await ready`,
 * `ready.then(…)`): importing the loader loads nothing.
 */
export const ready = {
  /**
   * @template [T=Runtime]
   * @template [E=never]
   * @param {((m: Runtime) => T | PromiseLike<T>) | null} [ok]
   * @param {((e: unknown) => E | PromiseLike<E>) | null} [no]
   */
  then: (ok, no) => runtime(0).then(ok, no),
  /**
   * @template [E=never]
   * @param {((e: unknown) => E | PromiseLike<E>) | null} [no]
   */
  catch: (no) => runtime(0).catch(no),
  finally: (/** @type {(() => void) | null} */ f) => runtime(0).finally(f),
};

// In a browser: the two elements, defined once per page by the first copy of the loader. In Node
// (server rendering, test runners) there is no DOM and nothing is defined.
if (typeof customElements == 'object') {
  const JSON_ATTRS = ['config', 'data', 'options'];
  const TEXT_ATTRS = ['protocol', 'start', 'progress', 'filename', 'label', 'lang'];
  const NUMBER_ATTRS = { 'timeout-ms': 'timeoutMs', 'request-timeout-ms': 'requestTimeoutMs', 'poll-interval-ms': 'pollIntervalMs', retries: 'retries' };
  // The members the elements share, by keys a page does not see as names.
  const RENDER = Symbol();
  const PENDING = Symbol();
  const CONFIG_ERROR = Symbol();

  /**
   * What both elements do: the attributes a parser or script sets in one task (and the upgrade of
   * an element already in the page, which reports each attribute, then the connection) become one
   * render; bad options are logged and raise an `export-config-error` event (detail: the message).
   */
  class Widget extends HTMLElement {
    #pending = false;

    connectedCallback() { this.#schedule(); }
    attributeChangedCallback() { if (this.isConnected) this.#schedule(); }

    #schedule() {
      if (this.#pending) return;
      this.#pending = true;
      queueMicrotask(() => {
        this.#pending = false;
        if (this.isConnected) this[RENDER]();
      });
    }

    /** A render is scheduled: the attributes changed since the last one began. */
    get [PENDING]() { return this.#pending; }

    /** Renders the element from its attributes. */
    [RENDER]() {}

    [CONFIG_ERROR](/** @type {unknown} */ e) {
      console.error(e);
      this.dispatchEvent(new CustomEvent('export-config-error', { bubbles: true, detail: /** @type {Error} */ (e).message }));
    }
  }

  /**
   * `<k12-export-button>`: attributes `config`, `data`, `options` (JSON), `protocol`, `start`,
   * `progress`, `filename`, `label`, `lang`, `disabled`, `timeout-ms`, … . Changing an attribute
   * updates the button; removing the element destroys it (stopping any export).
   */
  class K12ExportButton extends Widget {
    static observedAttributes = [...JSON_ATTRS, ...TEXT_ATTRS, 'disabled', ...Object.keys(NUMBER_ATTRS), 'share'];
    /** @type {RuntimeHandle | null} */
    #handle = null;
    /** @type {Promise<Runtime> | null} */
    #runtime = null;
    /** @type {Box | null} */
    #box = null;

    connectedCallback() {
      this.#box ||= new Box(this);
      super.connectedCallback();
    }

    disconnectedCallback() {
      this.#handle?.destroy();
      this.#handle = null;
    }

    /** The mounted handle, once the runtime has taken over (for pages that want `update()` directly). */
    get handle() { return this.#handle; }

    /** Starts an export, as a click would. */
    start() { this.#handle ? this.#handle.start() : /** @type {HTMLElement | undefined} */ (this.#box?.frame.querySelector('.k12x-btn'))?.click(); }

    #options() {
      /** @type {Options} */
      const o = {};
      for (const name of JSON_ATTRS) {
        const text = this.getAttribute(name);
        if (text === null) continue;
        try {
          const v = JSON.parse(text);
          if (name === 'options') Object.assign(o, v); else o[name] = v;
        } catch (e) {
          throw new Error(`k12-export: attribute ${name} is not valid JSON (${/** @type {Error} */ (e).message})`, { cause: e });
        }
      }
      for (const name of TEXT_ATTRS) {
        const v = this.getAttribute(name);
        if (v !== null) o[name] = v;
      }
      for (const [attr, key] of Object.entries(NUMBER_ATTRS)) {
        const v = this.getAttribute(attr);
        if (v !== null) o[key] = Number(v);
      }
      if (this.hasAttribute('disabled')) o.disabled = this.getAttribute('disabled') !== 'false';
      // One export across tabs: share="false" turns sharing off.
      if (this.hasAttribute('share')) o.share = this.getAttribute('share') !== 'false';
      return o;
    }

    async [RENDER]() {
      const box = /** @type {Box} */ (this.#box);
      /** @type {Options} */
      let options;
      try {
        options = this.#options();
      } catch (e) {
        return this[CONFIG_ERROR](e);
      }
      if (!this.#handle) box.placeholder(options);
      const wanted = runtimeFor(options);
      /** @type {Runtime} */
      let m;
      try {
        m = await wanted;
      } catch (e) {
        return box.fail(null, /** @type {Unavailable} */ (e));
      }
      await turn(m);
      // Attributes may have changed, or the element left, while the runtime loaded.
      if (!this.isConnected || this[PENDING]) return;
      try {
        if (this.#handle && this.#runtime === wanted) return this.#handle.update(options);
        this.#handle?.destroy();
        this.#handle = null;
        box.placeholder(options);
        this.#handle = box.take((frame) => m.mount(frame, options));
        this.#runtime = wanted;
      } catch (e) {
        this[CONFIG_ERROR](e);
      }
    }
  }

  /**
   * `<k12-export-history options='{…}'>`: the export history panel, with the same options as the
   * button (`lang` and `heading` may also be attributes). `element.refresh()` reloads the list.
   */
  class K12ExportHistory extends Widget {
    static observedAttributes = ['options', 'lang', 'heading'];
    /** @type {RuntimeHistoryHandle | null} */
    #handle = null;
    /** @type {Box | null} */
    #box = null;
    // Counts renders and disconnections: a render waiting for the runtime mounts only if the count
    // has not moved since it began.
    #turn = 0;

    disconnectedCallback() {
      this.#turn++;
      this.#handle?.destroy();
      this.#handle = null;
    }

    refresh() { this.#handle?.refresh(); }

    async [RENDER]() {
      const turn = ++this.#turn;
      try {
        /** @type {Options} */
        let options;
        try { options = JSON.parse(this.getAttribute('options') || '{}'); }
        catch (e) { throw new Error(`k12-export: attribute options is not valid JSON (${/** @type {Error} */ (e).message})`, { cause: e }); }
        for (const name of ['lang', 'heading']) if (this.hasAttribute(name)) options[name] = this.getAttribute(name);
        const box = (this.#box ||= new Box(this, 1));
        box.theme();
        if (this.#handle) return this.#handle.update(options);
        // A later render, or the element's removal, while the runtime loads supersedes this one.
        const h = await historyIn(box, options, () => turn === this.#turn && this.isConnected);
        if (h) this.#handle = h;
      } catch (e) {
        if (turn === this.#turn) this[CONFIG_ERROR](e);
      }
    }
  }

  // The first copy on the page defines each element; a copy of another version says so, once.
  const versions = (shared().versions ||= []);
  if (!versions.includes(version)) versions.push(version);
  if (versions[1]) once('warn', `k12-export: two versions on this page: ${versions.join(' and ')} (both work; the elements are ${versions[0]}'s): load one`);
  for (const [name, c] of /** @type {const} */ ([['k12-export-button', K12ExportButton], ['k12-export-history', K12ExportHistory]])) {
    const was = /** @type {CustomElementConstructor & { k12x?: 1 } | undefined} */ (customElements.get(name));
    if (!was) customElements.define(name, c);
    else if (!was.k12x) once('warn', `k12-export: <${name}> was defined by an older copy of k12-export.js, which may not serve every protocol: load only the newest`);
    /** @type {typeof c & { k12x?: 1 }} */ (c).k12x = 1;
  }
}
