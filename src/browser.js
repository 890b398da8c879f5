// The crate's JS: what the widget does with the browser outside its own markup, next to the Rust
// that decides (one file: wasm-bindgen copies it beside the glue, and scripts/build.sh bundles it
// into the glue). Each part names the Rust file that binds it. Browser calls made from Rust are
// imports of the wasm, each with its glue, conversions and often a closure; here each is a line.

// ==== waiting.js ============================================================================

// What the export button does with the page around it, outside its own box: the title of a hidden
// tab, desktop notifications and the clipboard. Written in JS, where each is a few lines, instead
// of in Rust, where each browser call is an import of the wasm with its glue.
// Bound in src/waiting.rs; nothing here throws.

const EXPORTING = 1, DONE = 2, FAILED = 3;

// One button's part of the title and notifications. `update` is called whenever the export's
// state or the options change; `stop` when the button goes (the page's own title is back).
// (Closures rather than a class: the minifier shortens their names, not an object's.)
export function tab() {
  let original = null; // the page's title before the first change
  let ours = null; // the last title set here: restored only while the page still shows it
  let last = 0; // the last status seen, to notice an export's end
  let endedHidden = false; // the export ended while hidden: the title says so until seen
  let listening = false;
  let on = false, percent, texts;

  // Puts the page's title back, unless the page changed it meanwhile.
  const restore = () => {
    if (ours != null && document.title === ours) document.title = original;
    original = ours = null;
  };

  // Brings the title up to date with the last status and the page's visibility.
  const show = () => {
    if (!on || !document.hidden) {
      endedHidden = false;
      return restore();
    }
    const template =
      last === EXPORTING ? texts[0] : !endedHidden ? null : last === DONE ? texts[1] : last === FAILED ? texts[2] : null;
    if (template == null) return restore();
    if (original == null) original = document.title;
    const text = template.split('{p}').join(percent == null ? '…' : percent + '%').split('{title}').join(original);
    if (ours !== text) document.title = ours = text;
  };

  const stop = () => {
    if (listening) document.removeEventListener('visibilitychange', show);
    listening = false;
    restore();
  };

  return {
    // status: 0 idle, 1 exporting, 2 done, 3 failed, 4 cancelled. t: the title while exporting,
    // when done, when failed (`{p}` the percent, `{title}` the page's title), the notification's
    // title when done and when failed.
    update(status, pct, title, notify, filename, ...t) {
      const ended = last === EXPORTING && (status === DONE || status === FAILED);
      last = status;
      percent = pct;
      texts = t;
      on = title;
      if (ended && document.hidden) {
        endedHidden = true;
        if (notify && permission() === 'granted') {
          try {
            new Notification(t[status === DONE ? 3 : 4], { body: filename, tag: 'k12-export' });
          } catch (_) {}
        }
      }
      if (title && !listening) document.addEventListener('visibilitychange', show);
      else if (!title) stop();
      listening = title;
      show();
    },
    stop,
  };
}

// `Notification.permission`, or nothing where the browser has no notifications (iOS Safari outside
// a web app, webviews).
function permission() {
  return typeof Notification === 'function' ? Notification.permission : null;
}

// Asks for the permission to notify, when `on` and it was never asked. Call only from a user's click.
export function askNotify(on) {
  try {
    if (on && permission() === 'default') Notification.requestPermission().catch(() => {});
  } catch (_) {} // an older Safari: no promise
}

// Copies `text` with the Clipboard API; where that is missing or refused (an insecure page, an
// old webview), selects the text of `fallback` (in a shadow root too: the selection is the
// document's) so that a long press copies it. True when copied.
export async function copyText(text, fallback) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch (_) {}
  if (!fallback) return false;
  try {
    const range = document.createRange();
    range.selectNodeContents(fallback);
    const selection = getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    return document.execCommand('copy');
  } catch (_) {
    return false;
  }
}

// ==== embed.js ==============================================================================

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

// ==== driver/share.js =======================================================================

// One export across tabs, the browser's side (src/driver/share.rs has the whole story): a Web
// Lock named by the job's key, held by the tab that runs it, and a BroadcastChannel carrying its
// view. In JS, where the locks' promises and callbacks are a few lines, instead of wasm imports
// and closures. Views stay opaque text here: the wasm writes and reads them (`act`).

// What `act(kind, text)` asks of the wasm; it answers a number (PEEK: the status of the view in
// `text`, 1 while exporting, -1 when it is not a view).
const PEEK = 0, BUSY = 1, QUIET_IDLE = 2, OWN = 3, SHOW = 4, IDLE = 5, START = 6, RESET = 7, CANCEL = 8;
// Roles: not part of a running shared job; a click asked for the lock; this tab runs the job;
// another tab runs it and this one waits in the lock's queue; the lock came to this follower, which
// takes over unless the end arrives within the grace.
const ALONE = 0, ASKING = 1, LEADING = 2, FOLLOWING = 3, CLAIMING = 4;
// How long a follower granted the lock waits for the end message before taking over: the end is
// sent before the lock is released, but the two travel separately between tabs.
export const GRACE_MS = 150;

export function supported() {
  return !!(typeof navigator === 'object' && navigator.locks && typeof BroadcastChannel === 'function');
}

// Joins the site's channel for `key` and asks whether another tab runs the job, so that an open
// page shows it at once. Throws where the browser cannot share. (Closures rather than a class:
// the minifier shortens their names, not an object's.)
export function share(key, act) {
  let role = ALONE;
  let left = false; // the page was left (pagehide)
  let closed = false;
  let exporting = false; // this tab's own machine runs (as a leader)
  let own = null; // this tab's own last view (as a leader)
  let release = null, queue = null, grace, stopped;
  const channel = new BroadcastChannel('k12-export');

  const post = (type, text) => {
    // The view is JSON already: {"key":…,"type":…,"view":[…]}, as every version has sent it.
    const m = JSON.stringify({ key, type });
    try {
      channel.postMessage(text == null ? m : m.slice(0, -1) + ',"view":' + text + '}');
    } catch (_) {}
  };

  // Lets go of what the role holds: the lock, or the place in its queue.
  const letGo = () => {
    if (release) release();
    if (queue) queue.abort();
    clearTimeout(grace);
    release = queue = null;
    role = ALONE;
  };

  const hold = (r) => {
    role = r;
    return new Promise((resolve) => (release = resolve));
  };

  // Asks for the lock: at once or not at all for a click, queued for a follower. Its promise's
  // rejection (aborted) is expected. Where the request cannot be made, a click exports on its
  // own, as without sharing, and a follower stops following.
  const request = (options, queued) => {
    try {
      navigator.locks.request(key, options, (lock) => granted(lock != null, queued)).catch(() => {});
      return true;
    } catch (_) {
      const asking = role === ASKING;
      letGo();
      act(asking ? START : QUIET_IDLE);
      return false;
    }
  };

  // The lock answered: `got` it or not; `queued` for a follower's place in the queue. What this
  // returns holds the lock.
  const granted = (got, queued) => {
    if (closed) return;
    if (role === ASKING && !queued) {
      if (!got) {
        // Another tab runs the job: follow.
        role = ALONE;
        return follow(null);
      }
      const held = hold(LEADING);
      lead();
      return held;
    }
    if (role === FOLLOWING && got && queued) {
      // The leader let go: take over unless its end is on the way.
      const held = hold(CLAIMING);
      grace = setTimeout(takeOver, GRACE_MS);
      return held;
    }
  };

  // Starts this tab's machine as the leader; lets the lock go if it did not start.
  const lead = () => {
    act(START);
    if (role === LEADING && !exporting) {
      letGo();
      act(OWN); // not the busy look of the click any more
    }
  };

  const takeOver = () => {
    if (role !== CLAIMING) return;
    role = LEADING;
    // The machine starts from idle: what it shows comes from it from now on.
    exporting = false;
    own = null;
    act(RESET);
    lead();
  };

  // Becomes a follower showing the view in `text` (null: the start of an export), queued for the
  // lock.
  const follow = (text) => {
    if (role > ASKING) return;
    role = FOLLOWING;
    queue = new AbortController();
    post('ask');
    if (request({ signal: queue.signal }, true)) act(SHOW, text);
  };

  channel.onmessage = (e) => {
    let m;
    try {
      m = JSON.parse(e.data);
    } catch (_) {
      return;
    }
    // A page of the same origin may post anything on the channel.
    if (!m || m.key !== key || closed) return;
    const text = m.view === undefined ? null : JSON.stringify(m.view);
    const status = text == null ? -1 : act(PEEK, text);
    const type = m.type;
    if (type === 'ask' && role === LEADING && own != null) post('view', own);
    else if (type === 'cancel' && role === LEADING) act(CANCEL);
    // Another tab runs this job: show it, here too.
    else if (type === 'view' && status === 1 && role <= ASKING) follow(text);
    else if (type === 'view' && status === 1 && role >= FOLLOWING) act(SHOW, text);
    else if (type === 'end' && status >= 0 && role >= FOLLOWING) {
      letGo();
      act(SHOW, text);
    }
  };

  // The page is left: a follower stops following (the K12 rule: nothing of a left page goes on)
  // and shows idle again, for a page restored from the back/forward cache. A leader's machine is
  // stopped by its runner, which `observe` hears.
  const leave = () => {
    left = true;
    if (role >= FOLLOWING) {
      letGo();
      act(IDLE);
    }
  };
  addEventListener('pagehide', leave);
  post('ask');

  return {
    // The button was clicked: lead the job if no other tab does (then the machine starts), else
    // follow. Ignored while this tab is already part of the job.
    click() {
      if (role !== ALONE) return;
      role = ASKING;
      left = false; // a click: the page is shown (again, after the back/forward cache)
      // Busy at once, as without sharing: the lock's answer decides whose export it shows.
      act(BUSY);
      request({ ifAvailable: true }, false);
    },

    // This tab's machine changed. A leader tells the others, and lets the lock go when the job is
    // over, with an end message when it is done or failed. Stopped, it lets the lock go at once:
    // when the page was left, a follower takes over; when the user cancelled here, the end follows
    // a moment later (the page's pagehide is heard after the machine's) and reaches the followers
    // within their grace, so they stop too.
    observe(running, ended, text) {
      if (role !== LEADING) return;
      exporting = running;
      own = text;
      post('view', text);
      if (running) return;
      clearTimeout(stopped);
      if (ended) post('end', text);
      else stopped = setTimeout(() => left || post('end', text), 0);
      letGo();
    },

    // Cancel pressed in a following tab: the tab running the job is asked to cancel it; its end
    // message then returns this one to idle as well.
    cancel() {
      post('cancel');
    },

    following: () => role >= FOLLOWING,

    leading: () => role === LEADING,

    // Out of the shared job for good (the button is unmounted or rebuilt): the lock is released,
    // or the place in its queue left, and the channel closed. A follower then takes over.
    close() {
      closed = true;
      channel.close();
      removeEventListener('pagehide', leave);
      clearTimeout(stopped);
      letGo();
    },
  };
}

// ==== driver/transport.js ===================================================================

// One fetch and its body as text (src/driver/transport.rs): resolves to [status, Retry-After,
// body], rejects (an Error) when no answer came. `headers` is [name, value, name, value, …]; a body
// goes as JSON. The page's cookies go along to same-origin endpoints (fetch's default).
export async function fetchText(url, method, headers, body, signal) {
  const h = new Headers();
  for (let i = 0; i < headers.length; i += 2) h.append(headers[i], headers[i + 1]);
  if (body != null) h.append('Content-Type', 'application/json');
  const r = await fetch(url, { method, headers: h, body, signal });
  return [r.status, r.headers.get('retry-after'), await r.text()];
}

// ==== driver/download.js ====================================================================

// Handing files to the browser (src/driver/download.rs): programmatic downloads, spaced so that
// none is dropped, and files built here saved through Blob URLs.

// Downloads of the page wait their turn, this far apart: browsers drop programmatic downloads
// that come in a burst (Chromium lets about ten through), which a page with many export buttons
// can produce. (DOWNLOAD_SPACING_MS in download.rs.)
const SPACING_MS = 150;
const waiting = [];
let timer = null;

// Starts a download with a programmatic <a href download> click: at once, or after the downloads
// already waiting. Same-origin files take the name from `filename`; cross-origin ones take it from
// the server's Content-Disposition.
export function download(url, filename) {
  waiting.push([url, filename]);
  if (timer == null) next();
}

// Clicks the next waiting download; the spacing counts from the click (adding and clicking the
// anchor can take tens of milliseconds in WebKit on a large page), and the timer keeps re-entrant
// calls queued meanwhile.
function next() {
  const item = waiting.shift();
  timer = null;
  if (!item) return;
  timer = 0;
  const a = document.createElement('a');
  a.href = item[0];
  a.download = item[1];
  a.rel = 'noopener';
  a.hidden = true;
  a.setAttribute('data-k12x-download', '');
  const body = document.body;
  if (body) {
    body.appendChild(a);
    a.click();
    a.remove();
  } else {
    a.click();
  }
  timer = setTimeout(next, SPACING_MS);
}

// Saves bytes built in the browser through a Blob URL, which it returns (to revoke later:
// revoking at once can cancel the download in some browsers); null when the browser refused.
export function save(bytes, type, filename) {
  try {
    const url = URL.createObjectURL(new Blob([bytes], { type }));
    download(url, filename);
    return url;
  } catch (_) {
    return null;
  }
}

export function revoke(url) {
  URL.revokeObjectURL(url);
}

// ==== components/popover.js =================================================================

// The popover's dealings with the page (src/components/button.rs, progress_popover.rs), in JS:
// a few lines here, a dozen imports of the wasm there.

// While a popover is open, Esc anywhere closes it (WCAG 1.4.13): `close(1)`; and so does a press
// anywhere else than on the button and its popover, as on a touch screen there is no pointer
// leaving: `close(2)`. The two are recognised in the event's composed path by the popover's id, so
// a shadow root around the widget makes no difference; the press is heard in the capture phase, so
// a host page stopping its propagation does not either. Returns the function that stops it.
export function closeOn(popId, close) {
  const key = (e) => e.key === 'Escape' && close(1);
  const press = (e) =>
    e.composedPath().some((n) => n.id === popId || (n.getAttribute && n.getAttribute('aria-describedby') === popId)) ||
    close(2);
  document.addEventListener('keydown', key);
  document.addEventListener('pointerdown', press, true);
  return () => {
    document.removeEventListener('keydown', key);
    document.removeEventListener('pointerdown', press, true);
  };
}

// Where the box `pop` (its own box, as rendered: zoom, fonts and long names included) opens at
// `anchor`, `gap` pixels away: below and to the right unless that would be clipped by the viewport
// and the other side has more room. 1: align its right edge with the anchor's; 2: open above.
export function place(anchor, pop, gap) {
  const r = anchor.getBoundingClientRect();
  const w = pop.offsetWidth, h = pop.offsetHeight + gap;
  // How far each side would stick out of the viewport; flip only when that clips less.
  const over = (v) => Math.max(v, 0);
  const right = over(r.left + w - innerWidth), left = over(w - r.right);
  const below = over(r.bottom + h - innerHeight), above = over(h - r.top);
  return (right > 0 && left < right ? 1 : 0) | (below > 0 && above < below ? 2 : 0);
}
