// The page's one clock and one ear (src/driver/page.rs): every button of a page — of both widget
// runtimes and of every copy of this file on it — shares one timer and one listener per page
// event, however many buttons the page has.
//
// The clock keeps the wake-ups of every button in one list, earliest first, with one setTimeout
// for the earliest. When several are due at once (a hundred buttons drawn or polling together),
// it runs at most BATCH of them, for at most SLICE_MS, then lets the page breathe (a new task)
// before the rest: the widget's own work never makes a long task.
//
// It lives on `globalThis` under a versioned key, so that every copy finds the same one; its
// interface is stable under the key, and a version that changes it takes another key:
//
//   wake(at, f) -> id    calls f() at `at` (performance.now() milliseconds) or soon after
//   unwake(id)           forgets a wake-up not yet called
//   soon(f)              calls f() at once while the task has room (the clock's slice: at most
//                        BATCH calls, for at most SLICE_MS), else in the clock's next turn
//   on(kind, f) -> id    calls f(event) for each page event `kind` (see EVENTS)
//   off(id)              stops that
//   stats()              { timers, listeners, wakeUps, largestBatch, batch } for tests and
//                        diagnostics (batch: the most it runs in one task)

// The page events the widget listens to, and where they are heard; how many due wake-ups the
// clock runs in one task at most, and for how long.
// seam: generated from src/seam.rs; `K12X_WRITE_SEAM=1 cargo test -p k12-export --lib seam` rewrites it
const EVENTS = [[0, 'pagehide'], [0, 'pageshow'], [1, 'visibilitychange'], [1, 'resume']];
const BATCH = 12;
const SLICE_MS = 8;
// seam: end
const PAGE = Symbol.for('k12-export.page.2');
// A slice that began this long ago (ms, the length of a long task) belongs to an earlier task.
const STALE_MS = 50;

/** @typedef {{ at: number, id: number, f: () => void }} Wake */
/**
 * @typedef {{
 *   wake(at: number, f: () => void): number,
 *   unwake(id: number): void,
 *   soon(f: () => void): void,
 *   on(kind: number, f: (e: Event) => void): number,
 *   off(id: number): void,
 *   stats(): { timers: number, listeners: number, wakeUps: number, largestBatch: number, batch: number },
 * }} Page
 */

/**
 * Calls `f(arg)`; what it throws is reported as uncaught (to the window's `error` listeners and
 * the console), and the caller goes on. A callback of one runtime that throws — a runtime that
 * trapped on a panic, whose loader stops it then — must not stop the clock or the ear of every
 * other button of the page.
 * @param {(arg?: any) => void} f
 * @param {any} [arg]
 */
function isolated(f, arg) {
  try {
    f(arg);
  } catch (e) {
    if (typeof reportError == 'function') reportError(e);
    else setTimeout(() => { throw e; });
  }
}

/** The page's clock and ear, made by the first copy that needs them. @returns {Page} */
function page() {
  const g = /** @type {Record<symbol, Page | undefined>} */ (/** @type {unknown} */ (globalThis));
  return (g[PAGE] ||= newPage());
}

/** @returns {Page} */
function newPage() {
  /** Pending wake-ups, earliest first. @type {Wake[]} */
  const due = [];
  let ids = 0;
  /** @type {ReturnType<typeof setTimeout> | null} */
  let timer = null;
  let timerAt = Infinity;
  let wakeUps = 0;
  let largestBatch = 0;
  // soon()'s slice of the task it last ran in: when it began, and how many calls it made (a
  // budget of its own beside the clock's wake-ups, so that neither starves the other).
  let sliceAt = -Infinity;
  let sliceRan = 0;

  // True while the clock runs its wake-ups: what they set or forget is armed once, after them.
  let firing = false;

  const arm = () => {
    if (firing) return;
    const next = due.length ? due[0].at : Infinity;
    if (next === timerAt) return;
    if (timer !== null) clearTimeout(timer);
    timer = null;
    timerAt = next;
    if (next !== Infinity) timer = setTimeout(fire, Math.max(0, next - performance.now()));
  };

  const fire = () => {
    timer = null;
    timerAt = Infinity;
    const t0 = performance.now();
    let ran = 0;
    firing = true;
    // Due ones only; a wake-up set by a callback for now runs in the next slice.
    while (due.length && due[0].at <= t0 && ran < BATCH && performance.now() - t0 < SLICE_MS) {
      const w = /** @type {Wake} */ (due.shift());
      ran++;
      isolated(w.f);
    }
    firing = false;
    wakeUps += ran;
    largestBatch = Math.max(largestBatch, ran);
    if (due.length && due[0].at <= performance.now()) {
      // More are due: after the page has had its turn.
      timerAt = due[0].at;
      timer = setTimeout(fire, 0);
    } else arm();
  };

  /** @type {Map<number, Set<(e: Event) => void>>} */
  const heard = new Map();
  /** @type {Map<number, [number, (e: Event) => void]>} */
  const listeners = new Map();

  return {
    wake(at, f) {
      const w = { at, id: ++ids, f };
      let i = due.length;
      while (i > 0 && due[i - 1].at > at) i--;
      due.splice(i, 0, w);
      if (i === 0) arm();
      return w.id;
    },
    unwake(id) {
      const i = due.findIndex((w) => w.id === id);
      if (i >= 0) {
        due.splice(i, 1);
        if (i === 0) arm();
      }
    },
    soon(f) {
      const now = performance.now();
      if (now - sliceAt > STALE_MS) {
        sliceAt = now;
        sliceRan = 0;
      }
      if (sliceRan < BATCH && now - sliceAt < SLICE_MS) {
        sliceRan++;
        wakeUps++;
        isolated(f);
      } else {
        // In the clock's next turn, which begins a slice of its own.
        this.wake(now, () => {
          sliceAt = performance.now();
          sliceRan = 1;
          f();
        });
      }
    },
    on(kind, f) {
      let set = heard.get(kind);
      if (!set) {
        const fans = /** @type {Set<(e: Event) => void>} */ (new Set());
        heard.set(kind, (set = fans));
        const [target, name] = /** @type {[number, string]} */ (EVENTS[kind]);
        (target === 0 ? window : document).addEventListener(name, (e) => {
          for (const g of [...fans]) isolated(g, e);
        });
      }
      set.add(f);
      const id = ++ids;
      listeners.set(id, [kind, f]);
      return id;
    },
    off(id) {
      const l = listeners.get(id);
      listeners.delete(id);
      if (l) heard.get(l[0])?.delete(l[1]);
    },
    stats() {
      return { timers: timer === null ? 0 : 1, listeners: heard.size, wakeUps, largestBatch, batch: BATCH };
    },
  };
}

/**
 * Calls `f` at `at` (the page's performance.now() clock) or soon after.
 * @param {number} at
 * @param {() => void} f
 */
export function wake(at, f) {
  return page().wake(at, f);
}

/** @param {number} id */
export function unwake(id) {
  page().unwake(id);
}

/**
 * Calls `f` at once while this task has room for it, else in the clock's next turn: a hundred
 * calls in one task are spread over several.
 * @param {() => void} f
 */
export function soon(f) {
  page().soon(f);
}

/**
 * Calls `f` with each page event of `kind` (an index of EVENTS).
 * @param {number} kind
 * @param {(e: Event) => void} f
 */
export function on(kind, f) {
  return page().on(kind, f);
}

/** @param {number} id */
export function off(id) {
  page().off(id);
}

/** What the page's clock and ear hold (for tests and diagnostics). */
export function pageStats() {
  return page().stats();
}
