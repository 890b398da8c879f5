// An export seen from another tab: the title of a hidden tab and desktop notifications. Written in
// JS, where each is a few lines, instead of in Rust, where each browser call is an import of the
// wasm with its glue. Bound in src/hidden_tab.rs; nothing here throws.

// The statuses the wasm sends (`code` in hidden_tab.rs).
// seam: generated from src/seam.rs; `K12X_WRITE_SEAM=1 cargo test -p k12-export --lib seam` rewrites it
const EXPORTING = 1;
const DONE = 2;
const FAILED = 3;
const VISIBILITY = 2;
// seam: end

// The page's title has one writer for every button of the page: the title owner, shared by both
// runtimes and by every copy of this code on the page (another copy of the loader, another
// version), on `globalThis` under this key. Its interface is stable under the key, and a version
// that changes it takes another key:
//
//   owner.put(key, entry)   `key`: any object, one per button, for its life. `entry`: null (the
//                           button asks nothing of the title, or is gone), or a fresh
//                           { status, percent, texts } (the owner keeps it and adds to it):
//                           status 0 idle, 1 exporting, 2 done, 3 failed, 4 cancelled; percent
//                           0–100 or null (unknown); texts: the title while one export runs,
//                           while several run, when done, when failed, in which `{p}` is the
//                           percent, `{n}` the number of exports and `{title}` the page's own.
//
// While the tab is hidden it shows the exports: with several running, the least advanced known
// percent ("…" when none is known) and their number; when the last one ends there, "done", or
// "failed" if any failed, until the tab is seen. Then it puts back exactly the title the page had.
// If the page sets its own title meanwhile, the page's title stays: the owner writes nothing more
// until an export starts again.
const TITLE_KEY = Symbol.for('k12-export.title.v1');

import { on } from './driver/page.js';

/** @typedef {{ status: number, percent: number | null | undefined, texts: string[], ended?: boolean }} Entry */
/** @typedef {{ put(key: object, entry: Entry | null): void }} TitleOwner */

/** The page's title owner: the one there, else a new one. @returns {TitleOwner} */
const titleOwner = () => {
  const g = /** @type {Record<symbol, TitleOwner | undefined>} */ (/** @type {unknown} */ (globalThis));
  return (g[TITLE_KEY] ??= newTitleOwner());
};

/** @returns {TitleOwner} */
function newTitleOwner() {
  /** @type {Map<object, Entry>} */
  const entries = new Map();
  /** @type {string | null | undefined} the page's title before the owner wrote it */
  let original;
  /** @type {string | null | undefined} what the owner wrote last, as the page reads it back (white space collapsed) */
  let ours;
  /** @type {boolean | undefined} the page set its own title: it stays until an export starts */
  let quiet;
  /** @param {string} text @param {string} key @param {string | number} value */
  const fill = (text, key, value) => text.split(key).join(String(value));

  // Brings the title up to date with the entries and the page's visibility.
  const show = () => {
    const hidden = document.hidden;
    if (ours != null && document.title !== ours) quiet = true;
    /** @type {Entry | undefined} */
    let least;
    /** @type {Entry | undefined} */
    let ended;
    let running = 0;
    for (const e of entries.values()) {
      if (!hidden) e.ended = false;
      if (e.status === EXPORTING) {
        running++;
        if (!least || (e.percent ?? 101) < (least.percent ?? 101)) least = e;
      } else if (e.ended && (!ended || e.status === FAILED)) ended = e;
    }
    const template = hidden && !quiet && (least ? least.texts[running > 1 ? 1 : 0] : ended?.texts[ended.status === DONE ? 2 : 3]);
    if (!template) {
      if (original != null && ours != null && !quiet) document.title = original;
      original = ours = null;
    } else {
      original ??= document.title;
      const text = fill(fill(fill(template, '{p}', least?.percent != null ? least.percent + '%' : '…'), '{n}', running), '{title}', original ?? '');
      if (text !== ours) {
        document.title = text;
        ours = document.title;
      }
    }
  };
  // For the page's life, as the owner: with no export to show it does nothing.
  on(VISIBILITY, show);

  return {
    /** @param {object} key @param {Entry | null} entry */
    put(key, entry) {
      const was = entries.get(key);
      if (entry) {
        const status = entry.status;
        if (status === EXPORTING && was?.status !== EXPORTING) quiet = false;
        // An export that ended while hidden says so until the tab is seen.
        entry.ended = status === was?.status ? was?.ended
          : was?.status === EXPORTING && (status === DONE || status === FAILED) && document.hidden;
        entries.set(key, entry);
      } else entries.delete(key);
      show();
    },
  };
}

// One button's part in the page's title (through the title owner) and its notifications.
// `update` is called whenever the export's state or the options change; `stop` when the button
// goes. (Closures rather than a class: the minifier shortens their names, not an object's.)
export function tab() {
  const owner = titleOwner();
  const key = {};
  let last = 0; // the last status seen, to notice an export's end
  return {
    // status: 0 idle, 1 exporting, 2 done, 3 failed, 4 cancelled. t: the title while one export
    // runs, while several run, when done, when failed (see the title owner), the notification's
    // title when done and when failed.
    /**
     * @param {number} status
     * @param {number | undefined} percent
     * @param {boolean} title
     * @param {boolean} notify
     * @param {string} filename
     * @param {...string} t
     */
    update(status, percent, title, notify, filename, ...t) {
      const ended = last === EXPORTING && (status === DONE || status === FAILED);
      last = status;
      if (ended && notify && document.hidden && canNotify() && Notification.permission === 'granted') {
        try {
          new Notification(t[status === DONE ? 4 : 5], { body: filename, tag: 'k12-export' });
        } catch (e) {
          // Refused after all (a browser that lets only service workers notify): nothing is shown.
          if (!(e instanceof TypeError)) throw e;
        }
      }
      owner.put(key, title ? { status, percent, texts: t.slice(0, 4) } : null);
    },
    stop() {
      owner.put(key, null);
    },
  };
}

// Whether this browser shows a page's notifications (`new Notification`). Not where there is no
// `Notification` (iOS Safari outside an installed web app, most webviews), nor on Android, where
// Chrome, Samsung Internet, Edge and the system webview only let a service worker notify (their
// constructor throws, so the permission would be asked for nothing); Firefox for Android's works.
// Android is read from the client hints where the browser sends them, else from the user agent.
function canNotify() {
  if (typeof Notification !== 'function') return false;
  const ua = navigator.userAgent;
  // The client hints, where the browser has them (not in every DOM typing yet).
  const hints = /** @type {{ userAgentData?: { platform?: string } }} */ (/** @type {unknown} */ (navigator));
  const android = hints.userAgentData?.platform === 'Android' || /Android/.test(ua);
  return !android || /Firefox\//.test(ua);
}

// Asks for the permission to notify, when `on`, the browser shows a page's notifications and it
// was never asked. Call only from a user's click.
/** @param {boolean} on */
export function askNotify(on) {
  if (!on || !canNotify() || Notification.permission !== 'default') return;
  // Refused or dismissed, the promise still resolves (to "denied" or "default"): nothing is shown
  // later. An older Safari returns no promise. A rejection is not expected: reported.
  const asked = /** @type {Promise<NotificationPermission> | undefined} */ (Notification.requestPermission());
  asked?.catch((e) => console.error('k12-export: the permission to notify could not be asked', e));
}
