// One export across tabs, the browser's side (src/driver/share.rs): the job's Web Lock and the
// site's channel, and nothing else. What a grant, a message or a page left means is decided in
// the wasm (core/src/share/tab.rs); this file only carries the calls and what they answer.
//
// A page has one channel, whatever the number of buttons and of widget runtimes on it: a hub kept
// on `globalThis` under a versioned symbol, shared by every copy of this file on the page. It
// reads each message once and hands it to the buttons of its job only. The page's events come
// from the page's one ear (page.js).

import { on, unwake, wake } from './page.js';

// What `hear(what, ticket, text)` tells the wasm (`heard` in share.rs), the site's channel, and
// the longest message read from it (the core checks it again, in bytes).
// seam: generated from src/seam.rs; `K12X_WRITE_SEAM=1 cargo test -p k12-export --lib seam` rewrites it
const GRANTED = 0;
const REFUSED = 1;
const LOCK_FAILED = 2;
const HELD = 3;
const FREE = 4;
const MESSAGE = 5;
const SHOWN = 6;
const LEAVE = 7;
const CHANNEL = 'k12-export';
const MAX_MESSAGE = 16384;
const PAGEHIDE = 0;
const VISIBILITY = 2;
const RESUME = 3;
// seam: end
// The hub's interface is version 1: { join(key, hear), leave(key, hear), post(text, from) }.
const HUB = Symbol.for('k12-export.share-hub.1');

/** @typedef {(what: number, ticket: number, text: string | null) => void} Hear */
/** @typedef {{ join(key: string, hear: Hear): void, leave(key: string, hear: Hear): void, post(text: string, from: Hear): void }} Hub */

export function supported() {
  return !!(typeof navigator === 'object' && navigator.locks && typeof BroadcastChannel === 'function');
}

/** The page's hub, made by the first copy of this file that needs it. @returns {Hub} */
function hub() {
  const g = /** @type {Record<symbol, Hub | undefined>} */ (/** @type {unknown} */ (globalThis));
  return (g[HUB] ||= newHub());
}

/** @returns {Hub} */
function newHub() {
  /** @type {Map<string, Set<Hear>>} */
  const joined = new Map();
  const channel = new BroadcastChannel(CHANNEL);
  /** Hands `data` to the buttons of its job (but `from`). @param {unknown} data @param {Hear | null} from */
  const route = (data, from) => {
    if (typeof data !== 'string' || data.length > MAX_MESSAGE) return;
    let m;
    try {
      m = JSON.parse(data);
    } catch (e) {
      if (e instanceof SyntaxError) return; // not JSON: not ours
      throw e;
    }
    const key = m !== null && typeof m === 'object' ? m.key : null;
    if (typeof key !== 'string' || !joined.has(key)) return;
    // Heard on the page's clock, in one turn for every button of its job: a browser may deliver
    // many messages in one task, and a hundred buttons of one job each ask once.
    wake(performance.now(), () => {
      for (const hear of [...(joined.get(key) || [])]) if (hear !== from) hear(MESSAGE, 0, data);
    });
  };
  /** @param {number} what */
  const all = (what) => {
    for (const set of [...joined.values()]) for (const hear of [...set]) hear(what, 0, null);
  };
  channel.onmessage = (e) => route(e.data, null);
  on(PAGEHIDE, () => all(LEAVE));
  on(VISIBILITY, () => document.hidden || all(SHOWN));
  // Back from a freeze (the Page Lifecycle's `resume`, where the browser has it).
  on(RESUME, () => all(SHOWN));
  return {
    join(key, hear) {
      const set = joined.get(key) || new Set();
      joined.set(key, set.add(hear));
    },
    leave(key, hear) {
      const set = joined.get(key);
      if (set && set.delete(hear) && set.size === 0) joined.delete(key);
    },
    post(text, from) {
      channel.postMessage(text);
      // Buttons of this page hear it too, as other tabs do: after this task.
      route(text, from);
    },
  };
}

/**
 * Joins the page's hub for the job `key`. Throws where the browser cannot share.
 * @param {string} key
 * @param {Hear} hear
 */
export function share(key, hear) {
  if (!supported()) throw new Error('k12-export: no Web Locks or BroadcastChannel here');
  const h = hub();
  /** What lets go of each ticket's lock or place in its queue. @type {Map<number, () => void>} */
  const held = new Map();
  let closed = false;
  // Nothing reaches the wasm once closed (its side is gone): a late lock or query answer, a
  // message routed to a copy of the list this button left.
  /** @type {Hear} */
  const now = (what, ticket, text) => {
    if (!closed) hear(what, ticket, text);
  };
  /** What is told but not yet heard. @type {Set<number>} */
  const told = new Set();
  // A lock's or a query's answer is heard on the page's clock, not in the task that brought it: a
  // browser may grant the locks of a hundred buttons in one task, and the clock runs a few at a
  // time (in the order told). The page's events are heard at once (a page left may not run
  // another task), the channel's messages on the clock (the hub).
  /** @type {Hear} */
  const tell = (what, ticket, text) => {
    if (closed) return;
    const id = wake(performance.now(), () => {
      told.delete(id);
      now(what, ticket, text);
    });
    told.add(id);
  };
  h.join(key, now);
  /** @param {number} ticket @param {unknown} e */
  const failed = (ticket, e) => {
    held.delete(ticket);
    console.error('k12-export: the lock of a shared export could not be taken; this tab exports on its own', e);
    tell(LOCK_FAILED, ticket, null);
  };
  return {
    /** Asks for the lock: queued when `wait`, else only if free now. @param {number} ticket @param {boolean} wait */
    lock(ticket, wait) {
      const queue = wait ? new AbortController() : null;
      held.set(ticket, () => queue?.abort());
      /** @param {Lock | null} lock */
      const granted = (lock) => {
        if (!held.has(ticket)) return; // let go meanwhile: the lock goes at once
        if (!lock) {
          held.delete(ticket);
          return tell(REFUSED, ticket, null);
        }
        // Held until released.
        return new Promise((resolve) => {
          held.set(ticket, () => resolve(undefined));
          tell(GRANTED, ticket, null);
        });
      };
      try {
        const options = queue ? { signal: queue.signal } : { ifAvailable: true };
        navigator.locks.request(key, options, granted).catch((e) => {
          // Leaving the queue rejects the request: expected. Anything else is reported.
          if (!(queue?.signal.aborted && e instanceof DOMException && e.name === 'AbortError')) failed(ticket, e);
        });
      } catch (e) {
        failed(ticket, e);
      }
    },
    /** Lets go of the lock held with `ticket`, or leaves its queue. @param {number} ticket */
    release(ticket) {
      const let_go = held.get(ticket);
      held.delete(ticket);
      let_go?.();
    },
    /** Asks whether the job's lock is held. @param {number} ticket */
    query(ticket) {
      navigator.locks.query().then(
        (s) => tell((s.held || []).some((l) => l.name === key) ? HELD : FREE, ticket, null),
        (e) => {
          console.error('k12-export: the locks of this site could not be read', e);
          tell(FREE, ticket, null);
        },
      );
    },
    /** @param {string} text */
    post(text) {
      h.post(text, now);
    },
    /** Out for good: every lock let go, every queue left, the hub left. */
    close() {
      closed = true;
      h.leave(key, now);
      for (const id of told) unwake(id);
      told.clear();
      for (const let_go of [...held.values()]) let_go();
      held.clear();
    },
  };
}
