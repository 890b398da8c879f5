// One export across tabs, the browser's side (src/driver/share.rs has the whole story): a Web
// Lock named by the job's key, held by the tab that runs it, and a BroadcastChannel carrying its
// view. In JS, where the locks' promises and callbacks are a few lines, instead of wasm imports
// and closures. Views stay opaque text here: the wasm writes and reads them (`act`).

// What `act(kind, text)` asks of the wasm (the numbers of `kind` in share.rs: a test compares
// them); it answers a number (PEEK: the status of the view in `text`, 1 while exporting, -1 when
// it is not a view).
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
