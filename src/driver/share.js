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

export class Share {
  // Joins the site's channel for `key` and asks whether another tab runs the job, so that an
  // open page shows it at once. Throws where the browser cannot share.
  constructor(key, act) {
    this.key = key;
    this.act = act;
    this.role = ALONE;
    this.left = false; // the page was left (pagehide)
    this.closed = false;
    this.exporting = false; // this tab's own machine runs (as a leader)
    this.text = null; // this tab's own last view (as a leader)
    this.release = this.queue = this.grace = this.stopped = null;
    this.channel = new BroadcastChannel('k12-export');
    this.channel.onmessage = (e) => this.heard(e.data);
    this.onleave = () => this.leave();
    addEventListener('pagehide', this.onleave);
    this.post('ask');
  }

  // The button was clicked: lead the job if no other tab does (then the machine starts), else
  // follow. Ignored while this tab is already part of the job.
  click() {
    if (this.role !== ALONE) return;
    this.role = ASKING;
    this.left = false; // a click: the page is shown (again, after the back/forward cache)
    // Busy at once, as without sharing: the lock's answer decides whose export it shows.
    this.act(BUSY);
    this.request({ ifAvailable: true }, false);
  }

  // This tab's machine changed. A leader tells the others, and lets the lock go when the job is
  // over, with an end message when it is done or failed. Stopped, it lets the lock go at once:
  // when the page was left, a follower takes over; when the user cancelled here, the end follows a
  // moment later (the page's pagehide is heard after the machine's) and reaches the followers
  // within their grace, so they stop too.
  observe(exporting, ended, text) {
    if (this.role !== LEADING) return;
    this.exporting = exporting;
    this.text = text;
    this.post('view', text);
    if (exporting) return;
    clearTimeout(this.stopped);
    if (ended) this.post('end', text);
    else this.stopped = setTimeout(() => this.left || this.post('end', text), 0);
    this.letGo();
  }

  // Cancel pressed in a following tab: the tab running the job is asked to cancel it; its end
  // message then returns this one to idle as well.
  cancel() {
    this.post('cancel');
  }

  following() {
    return this.role >= FOLLOWING;
  }

  leading() {
    return this.role === LEADING;
  }

  // Out of the shared job for good (the button is unmounted or rebuilt): the lock is released, or
  // the place in its queue left, and the channel closed. A follower then takes over.
  close() {
    this.closed = true;
    this.channel.close();
    removeEventListener('pagehide', this.onleave);
    clearTimeout(this.stopped);
    this.letGo();
  }

  post(type, text) {
    // The view is JSON already: {"key":…,"type":…,"view":[…]}, as every version has sent it.
    const m = JSON.stringify({ key: this.key, type });
    try {
      this.channel.postMessage(text == null ? m : m.slice(0, -1) + ',"view":' + text + '}');
    } catch (_) {}
  }

  // Asks for the lock: at once or not at all for a click, queued for a follower. Its promise's
  // rejection (aborted) is expected. Where the request cannot be made, a click exports on its own,
  // as without sharing, and a follower stops following.
  request(options, queued) {
    try {
      navigator.locks.request(this.key, options, (lock) => this.granted(lock != null, queued)).catch(() => {});
      return true;
    } catch (_) {
      const asking = this.role === ASKING;
      this.letGo();
      this.act(asking ? START : QUIET_IDLE);
      return false;
    }
  }

  // The lock answered: `got` it or not; `queued` for a follower's place in the queue. What it
  // returns holds the lock.
  granted(got, queued) {
    if (this.closed) return;
    if (this.role === ASKING && !queued) {
      if (!got) {
        // Another tab runs the job: follow.
        this.role = ALONE;
        return this.follow(null);
      }
      const hold = this.hold(LEADING);
      this.lead();
      return hold;
    }
    if (this.role === FOLLOWING && got && queued) {
      // The leader let go: take over unless its end is on the way.
      const hold = this.hold(CLAIMING);
      this.grace = setTimeout(() => this.takeOver(), GRACE_MS);
      return hold;
    }
  }

  hold(role) {
    this.role = role;
    return new Promise((resolve) => (this.release = resolve));
  }

  // Lets go of what the role holds: the lock, or the place in its queue.
  letGo() {
    if (this.release) this.release();
    if (this.queue) this.queue.abort();
    clearTimeout(this.grace);
    this.release = this.queue = this.grace = null;
    this.role = ALONE;
  }

  // Starts this tab's machine as the leader; lets the lock go if it did not start.
  lead() {
    this.act(START);
    if (this.role === LEADING && !this.exporting) {
      this.letGo();
      this.act(OWN); // not the busy look of the click any more
    }
  }

  takeOver() {
    if (this.role !== CLAIMING) return;
    this.role = LEADING;
    // The machine starts from idle: what it shows comes from it from now on.
    this.exporting = false;
    this.text = null;
    this.act(RESET);
    this.lead();
  }

  // Becomes a follower showing the view in `text` (null: the start of an export), queued for the
  // lock.
  follow(text) {
    if (this.role > ASKING) return;
    this.role = FOLLOWING;
    this.queue = new AbortController();
    this.post('ask');
    if (this.request({ signal: this.queue.signal }, true)) this.act(SHOW, text);
  }

  heard(data) {
    let m;
    try {
      m = JSON.parse(data);
    } catch (_) {
      return;
    }
    // A page of the same origin may post anything on the channel.
    if (!m || m.key !== this.key || this.closed) return;
    const text = m.view === undefined ? null : JSON.stringify(m.view);
    const status = text == null ? -1 : this.act(PEEK, text);
    const role = this.role;
    if (m.type === 'ask' && role === LEADING && this.text != null) this.post('view', this.text);
    else if (m.type === 'cancel' && role === LEADING) this.act(CANCEL);
    // Another tab runs this job: show it, here too.
    else if (m.type === 'view' && status === 1 && role <= ASKING) this.follow(text);
    else if (m.type === 'view' && status === 1 && role >= FOLLOWING) this.act(SHOW, text);
    else if (m.type === 'end' && status >= 0 && role >= FOLLOWING) {
      this.letGo();
      this.act(SHOW, text);
    }
  }

  // The page is left: a follower stops following (the K12 rule: nothing of a left page goes on)
  // and shows idle again, for a page restored from the back/forward cache. A leader's machine is
  // stopped by its runner, which `observe` hears.
  leave() {
    this.left = true;
    if (this.role >= FOLLOWING) {
      this.letGo();
      this.act(IDLE);
    }
  }
}
