// W3C WebDriver over plain HTTP, for headless Firefox ESR (geckodriver) and WebKitGTK
// (WebKitWebDriver driving MiniBrowser on an Xvfb display). One driver server and one session (a
// browser with a fresh profile) per test file — a session takes seconds to start in Firefox, and
// each driver allows only one. Every page is a window of the session: a page in a fresh tab in
// place of the last page's (its cookies and storage cleared after), another tab of its profile in
// a window beside it. A session sends its commands to one window at a time: each window's
// commands are queued in the session and switch it to their window first, so that the commands
// of two pages driven at once never land in the wrong window.
import { existsSync, mkdirSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { deepQuery, installErrorCollector } from './in-page.mjs';
import { crop } from './png.mjs';
import { freePort, isErrno, start, stop, xvfb } from './procs.mjs';
import { sleep, until } from './page.mjs';

/** @typedef {import('node:child_process').ChildProcess} ChildProcess */
/** @typedef {import('./page.mjs').Handle} Handle */
/** @typedef {import('./page.mjs').Backend} Backend */
/** @typedef {import('./page.mjs').Dialog} Dialog */

const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf';
/** A W3C WebDriver element reference. @typedef {{ 'element-6066-11e4-a52e-4f735466cecf': string }} WebElement */

/** Every WebDriver command gets an answer within this, or fails (a driver without a display hangs). */
const COMMAND_TIMEOUT = 60_000;
const SESSION_TIMEOUT = 45_000;

/** @type {Record<string, string>} */
const KEYS = { Tab: '\uE004', Enter: '\uE007', Escape: '\uE00C', Space: ' ', ArrowDown: '\uE015', ArrowUp: '\uE013' };

/** MIME types the Firefox profile saves without asking. */
const SAVE_TYPES = [
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'text/csv', 'application/csv', 'text/comma-separated-values', 'application/zip', 'application/x-zip-compressed',
  'application/octet-stream',
].join(',');

/** Where Debian's libwebkit2gtk-4.1-0 (or 4.0) installs MiniBrowser; `MINIBROWSER` overrides. */
export function miniBrowser() {
  if (process.env.MINIBROWSER) return process.env.MINIBROWSER;
  const roots = ['/usr/lib', '/usr/libexec', '/usr/local/lib', '/usr/local/libexec'];
  for (const root of roots) {
    /** @type {string[]} */
    let dirs;
    try {
      dirs = readdirSync(root);
    } catch (e) {
      if (!isErrno(e, 'ENOENT', 'ENOTDIR', 'EACCES')) throw e;
      continue;
    }
    const candidates = [root, ...dirs.map((d) => join(root, d))];
    for (const dir of candidates) {
      for (const api of ['webkit2gtk-4.1', 'webkit2gtk-4.0', 'webkitgtk-6.0']) {
        const p = join(dir, api, 'MiniBrowser');
        if (existsSync(p)) return p;
      }
    }
  }
  throw new Error('MiniBrowser not found: install libwebkit2gtk-4.1-0 (scripts/setup.sh) or set MINIBROWSER');
}

/** @param {string} cmd */
function which(cmd) {
  for (const dir of (process.env.PATH || '').split(':')) {
    if (dir && existsSync(join(dir, cmd))) return join(dir, cmd);
  }
  return null;
}

/** A command the driver failed, or answered with an error (its W3C error code in `code`). */
export class WebDriverError extends Error {
  /**
   * @param {string} message
   * @param {string} [code] e.g. 'no such alert', 'stale element reference'
   * @param {ErrorOptions} [options]
   */
  constructor(message, code, options) {
    super(message, options);
    this.code = code;
  }
}

/**
 * `v` as an object, or an error naming `what` (a driver's answer is checked, not trusted).
 * @param {unknown} v
 * @param {string} what
 * @returns {Record<string, unknown>}
 */
function record(v, what) {
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) return /** @type {Record<string, unknown>} */ (v);
  throw new WebDriverError(`${what}: not an object: ${JSON.stringify(v)?.slice(0, 200)}`);
}

/**
 * `v` as a string, or an error naming `what`.
 * @param {unknown} v
 * @param {string} what
 */
function text(v, what) {
  if (typeof v === 'string') return v;
  throw new WebDriverError(`${what}: not a string: ${JSON.stringify(v)?.slice(0, 200)}`);
}

/**
 * `v` as a pair of numbers (a width and a height), or an error naming `what`.
 * @param {unknown} v
 * @param {string} what
 * @returns {[number, number]}
 */
function size(v, what) {
  if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'number' && typeof v[1] === 'number') return [v[0], v[1]];
  throw new WebDriverError(`${what}: not two numbers: ${JSON.stringify(v)?.slice(0, 200)}`);
}

/**
 * `v` as a list of strings (the page's errors), or an error naming `what`.
 * @param {unknown} v
 * @param {string} what
 */
function texts(v, what) {
  if (Array.isArray(v) && v.every((s) => typeof s === 'string')) return /** @type {string[]} */ (v);
  throw new WebDriverError(`${what}: not a list of strings: ${JSON.stringify(v)?.slice(0, 200)}`);
}

/** @param {unknown} v @returns {v is WebElement} */
const isElement = (v) => typeof v === 'object' && v !== null && ELEMENT in v && typeof v[ELEMENT] === 'string';

/** @param {Handle} h */
function elementId(h) {
  if (isElement(h)) return h[ELEMENT];
  throw new TypeError('not a WebDriver element reference');
}

/**
 * One command of a session: method, path under the session, JSON body, timeout (ms).
 * @typedef {(method: string, path: string, body?: unknown, timeout?: number) => Promise<unknown>} Command
 */

/** A running WebDriver server (and the X server it needs, for WebKit). */
export class DriverServer {
  /** @param {string} engine @param {{ downloads: string }} opts */
  static async start(engine, { downloads }) {
    const s = new DriverServer(engine, downloads);
    try {
      await s.#launch();
    } catch (e) {
      await s.close();
      throw e;
    }
    return s;
  }

  /** @param {string} engine @param {string} downloads */
  constructor(engine, downloads) {
    this.engine = engine;
    this.downloads = downloads;
    /** @type {ChildProcess[]} */
    this.children = [];
    this.url = '';
  }

  async #launch() {
    mkdirSync(this.downloads, { recursive: true });
    /** @type {Record<string, string>} */
    const env = {};
    /** @type {string | null | undefined} */
    let cmd;
    /** @type {(port: number) => string[]} */
    let args;
    if (this.engine === 'firefox') {
      cmd = process.env.GECKODRIVER || which('geckodriver');
      if (!cmd) throw new Error('geckodriver not found (scripts/setup.sh installs it)');
      args = (port) => ['--port', String(port), '--host', '127.0.0.1', '--log', 'error'];
    } else if (this.engine === 'webkit') {
      cmd = process.env.WEBKITWEBDRIVER || which('WebKitWebDriver');
      if (!cmd) throw new Error('WebKitWebDriver not found: install webkit2gtk-driver (scripts/setup.sh)');
      const x = await xvfb();
      this.children.push(x.child);
      env.DISPLAY = x.display;
      // WebKitGTK has no download-folder capability: it saves to the XDG download directory.
      const config = join(this.downloads, '..', `.xdg-${this.engine}-${process.pid}`);
      mkdirSync(config, { recursive: true });
      writeFileSync(join(config, 'user-dirs.dirs'), `XDG_DOWNLOAD_DIR="${this.downloads}"\n`);
      env.XDG_CONFIG_HOME = config;
      env.GTK_A11Y = 'none';
      env.NO_AT_BRIDGE = '1';
      args = (port) => [`--port=${port}`];
    } else {
      throw new Error(`no WebDriver setup for ${this.engine}`);
    }
    // The port is chosen free, but another process may take it first: try a few.
    /** @type {Error | undefined} */
    let lastError;
    for (let attempt = 0; attempt < 4; attempt++) {
      const port = await freePort();
      const child = start(cmd, args(port), { env });
      let exited = false;
      child.on('exit', () => { exited = true; });
      const url = `http://127.0.0.1:${port}`;
      const t0 = Date.now();
      /** @type {unknown} */
      let unanswered;
      while (!exited && Date.now() - t0 < 10_000) {
        try {
          const r = await fetch(`${url}/status`, { signal: AbortSignal.timeout(1000) });
          if (r.ok) {
            this.url = url;
            this.children.push(child);
            return;
          }
        } catch (e) {
          unanswered = e; // not listening yet: asked again
        }
        await sleep(50);
      }
      await stop(child);
      lastError = new Error(`${cmd} did not answer on port ${port}${exited ? ' (it exited)' : ''}`, { cause: unanswered });
    }
    throw lastError;
  }

  capabilities() {
    if (this.engine === 'firefox') {
      return {
        browserName: 'firefox',
        'moz:firefoxOptions': {
          binary: process.env.FIREFOX || which('firefox-esr') || which('firefox') || '/usr/bin/firefox-esr',
          args: ['-headless', '-width=1280', '-height=900'],
          prefs: {
            'browser.download.folderList': 2,
            'browser.download.dir': this.downloads,
            'browser.download.useDownloadDir': true,
            'browser.download.always_ask_before_handling_new_types': false,
            'browser.helperApps.neverAsk.saveToDisk': SAVE_TYPES,
            'browser.download.manager.showWhenStarting': false,
            'browser.download.alwaysOpenPanel': false,
            'browser.download.panel.shown': true,
            // Keep Firefox off the network and quiet.
            'app.update.enabled': false,
            'browser.shell.checkDefaultBrowser': false,
            'datareporting.policy.dataSubmissionEnabled': false,
            'toolkit.telemetry.reportingpolicy.firstRun': false,
            'network.captive-portal-service.enabled': false,
            'browser.safebrowsing.downloads.enabled': false,
            'browser.safebrowsing.malware.enabled': false,
            'browser.safebrowsing.phishing.enabled': false,
          },
        },
        timeouts: { script: 60_000, pageLoad: 60_000, implicit: 0 },
      };
    }
    return {
      'webkitgtk:browserOptions': { binary: miniBrowser(), args: ['--automation'] },
      timeouts: { script: 60_000, pageLoad: 60_000, implicit: 0 },
    };
  }

  /**
   * One command: its answer's `value`, or a `WebDriverError`.
   * @param {string} method
   * @param {string} path
   * @param {unknown} [body]
   * @returns {Promise<unknown>}
   */
  async request(method, path, body, timeout = COMMAND_TIMEOUT) {
    let r;
    try {
      r = await fetch(this.url + path, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeout),
      });
    } catch (e) {
      if (!(e instanceof Error)) throw e;
      const why = e.name === 'TimeoutError' ? `no answer within ${timeout} ms` : e.message;
      throw new WebDriverError(`${this.engine} WebDriver ${method} ${path}: ${why}`, undefined, { cause: e });
    }
    const raw = await r.text();
    /** @type {unknown} */
    let json;
    try {
      json = JSON.parse(raw);
    } catch (e) {
      if (!(e instanceof SyntaxError)) throw e;
      throw new WebDriverError(`${this.engine} WebDriver ${method} ${path}: HTTP ${r.status}, not JSON: ${raw.slice(0, 200)}`);
    }
    const value = typeof json === 'object' && json !== null && 'value' in json ? json.value : undefined;
    const error = typeof value === 'object' && value !== null && 'error' in value && typeof value.error === 'string' ? value.error : undefined;
    if (!r.ok || error) {
      const message = typeof value === 'object' && value !== null && 'message' in value && value.message ? String(value.message) : raw.slice(0, 300);
      throw new WebDriverError(`${this.engine} WebDriver ${method} ${path}: ${error || r.status}: ${message}`, error);
    }
    return value;
  }

  async newSession() {
    const value = record(await this.request('POST', '/session', { capabilities: { alwaysMatch: this.capabilities() } }, SESSION_TIMEOUT), 'new session');
    return new Session(this, text(value.sessionId, 'session id'));
  }

  async close() {
    for (const child of this.children.reverse()) await stop(child);
    this.children = [];
  }
}

/**
 * A `.catch` handler for a command that may fail as expected (say, because the window is gone):
 * a driver's error is let go, anything else is thrown again.
 * @param {unknown} e
 */
const driverError = (e) => {
  if (!(e instanceof WebDriverError)) throw e;
};

/**
 * The new window's handle.
 * @param {Command} cmd
 * @param {'tab' | 'window'} type
 */
async function newWindow(cmd, type) {
  return text(record(await cmd('POST', '/window/new', { type }), 'new window').handle, 'new window handle');
}

/**
 * One browser (a profile) and its windows. Commands go to its current window: each one is queued
 * behind the commands before it and first switches the session to its window, if it is not there.
 */
export class Session {
  /** @param {DriverServer} server @param {string} id */
  constructor(server, id) {
    this.server = server;
    this.id = id;
    this.engine = server.engine;
    /** The window the session's commands go to now (`null`: none known). @type {string | null} */
    this.current = null;
    /** Settled when every command queued so far is done. @type {Promise<void>} */
    this.queue = Promise.resolve();
    /** The windows of the open pages. @type {Set<Window>} */
    this.windows = new Set();
    /** The window of the last page closed, blank, kept open: a session ends with its last window. @type {string | null} */
    this.spare = null;
    this.started = false;
  }

  /** @type {Command} */
  #send = (method, path, body, timeout) => this.server.request(method, `/session/${this.id}${path}`, body, timeout);

  /**
   * Runs `fn` once every command queued before is done, in `handle`'s window (`null`: wherever
   * the session is); `fn` sends its commands with the `cmd` it is given, as one sequence.
   * @template T
   * @param {string | null} handle
   * @param {(cmd: Command) => Promise<T>} fn
   * @returns {Promise<T>}
   */
  run(handle, fn) {
    const run = this.queue.then(async () => {
      if (handle !== null && this.current !== handle) {
        await this.#send('POST', '/window', { handle });
        this.current = handle;
      }
      return fn(this.#send);
    });
    // The next command waits for this one, whatever its outcome (which goes to its caller).
    const done = () => {};
    this.queue = run.then(done, done);
    return run;
  }

  /**
   * The window of a new page, of a fresh profile: the session's first window, or a fresh tab in
   * place of the last page's (cleared at its close).
   */
  async newPage() {
    if (this.windows.size) throw new Error(`${this.engine}: one profile at a time (close its pages first)`);
    const handle = await this.run(null, async (cmd) => {
      if (!this.started) {
        this.started = true;
        return text(await cmd('GET', '/window'), 'window handle');
      }
      const handle = await newWindow(cmd, 'tab');
      if (this.spare !== null) {
        await cmd('POST', '/window', { handle: this.spare });
        await cmd('DELETE', '/window');
        this.spare = null;
      }
      await cmd('POST', '/window', { handle });
      return handle;
    });
    this.current = handle;
    return this.#adopt(handle);
  }

  /**
   * Another tab of the open pages' profile: a window of this session beside theirs (it shares
   * their storage, Web Locks and BroadcastChannel). A window, not a tab of theirs: a tab in the
   * background would run throttled and hidden, in Firefox, and in WebKitGTK even while driven.
   */
  async newWindow() {
    if (!this.windows.size) throw new Error(`${this.engine}: a new tab of which page? (none is open)`);
    return this.#adopt(await this.run(null, (cmd) => newWindow(cmd, 'window')));
  }

  /** @param {string} handle */
  #adopt(handle) {
    const w = new Window(this, handle);
    this.windows.add(w);
    return w;
  }

  /**
   * Closes `w`'s window, as a user closes a tab, and switches to another open one; the profile's
   * last window is kept instead, blank, its cookies and storage cleared.
   * @param {Window} w
   */
  async close(w) {
    if (!this.windows.delete(w)) return;
    const others = [...this.windows];
    await this.run(w.handle, async (cmd) => {
      // A dialog left open (by a failed test) would refuse the commands below.
      await cmd('POST', '/alert/dismiss', {}).catch(driverError);
      if (others.length) {
        await cmd('DELETE', '/window');
        this.current = null;
        await cmd('POST', '/window', { handle: others[others.length - 1].handle });
        this.current = others[others.length - 1].handle;
        return;
      }
      await cmd('POST', '/execute/sync', {
        script: 'try { localStorage.clear(); sessionStorage.clear(); } catch (e) { if (!(e instanceof DOMException)) throw e; }',
        args: [],
      }).catch(driverError);
      await cmd('DELETE', '/cookie').catch(driverError);
      await cmd('POST', '/url', { url: 'about:blank' }).catch(driverError);
      this.spare = w.handle;
    });
  }

  /** Ends the session: the browser quits. */
  async quit() {
    await this.server.request('DELETE', `/session/${this.id}`, undefined, 15_000).catch(driverError); // the server is stopped next in any case
  }
}

/**
 * One window of a session: the backend of one `Page`.
 * @implements {Backend}
 */
export class Window {
  /** @param {Session} session @param {string} handle */
  constructor(session, handle) {
    this.session = session;
    this.handle = handle;
    this.engine = session.engine;
    /** Errors of the documents this window showed before the current one. @type {string[]} */
    this.pastErrors = [];
  }

  /**
   * A sequence of commands in this window, none of another window's between them.
   * @template T
   * @param {(cmd: Command) => Promise<T>} fn
   */
  #in(fn) {
    return this.session.run(this.handle, fn);
  }

  /** One command in this window. @type {Command} */
  cmd = (method, path, body, timeout) => this.#in((cmd) => cmd(method, path, body, timeout));

  /** @param {string} url */
  async goto(url) {
    await this.#harvestErrors();
    await this.cmd('POST', '/url', { url });
    await this.execute(`(${installErrorCollector})()`);
  }

  /**
   * Runs `body` (a function body using `arguments`) synchronously in the page.
   * @param {string} body
   * @param {unknown[]} [args]
   */
  execute(body, args = []) {
    return this.cmd('POST', '/execute/sync', { script: body, args });
  }

  /** @param {string} fnSource @param {unknown[]} args */
  async #run(fnSource, args) {
    // The script's last argument is WebDriver's callback; a rejection comes back as { err }.
    const script = `const done = arguments[arguments.length - 1];
      const args = Array.prototype.slice.call(arguments, 0, -1);
      Promise.resolve().then(() => (${fnSource})(...args))
        .then((v) => done({ ok: v === undefined ? null : v }), (e) => done({ err: String(e && e.stack || e) }));`;
    const r = record(await this.cmd('POST', '/execute/async', { script, args }), 'script result');
    if ('err' in r) throw new Error(`in the page: ${r.err}`);
    return r.ok;
  }

  /** @param {string} fnSource @param {unknown} arg */
  evaluate(fnSource, arg) {
    return this.#run(fnSource, [arg]);
  }

  /** @param {Handle} handle @param {string} fnSource @param {unknown} arg */
  evaluateOn(handle, fnSource, arg) {
    return this.#run(fnSource, [handle, arg]);
  }

  /** @param {import('./in-page.mjs').Step[]} chain */
  async resolve(chain) {
    const found = await this.execute(`return (${deepQuery})(arguments[0]);`, [chain]);
    // A document replaced while the script ran (Firefox answers null then): nothing found yet.
    if (found === null) return [];
    if (!Array.isArray(found) || !found.every(isElement)) throw new WebDriverError(`the elements found: not element references: ${JSON.stringify(found)?.slice(0, 200)}`);
    return found;
  }

  /** @param {Handle} handle */
  async click(handle) {
    await this.cmd('POST', `/element/${elementId(handle)}/click`, {});
  }

  /** @param {unknown[]} actions */
  async #actions(actions) {
    await this.#in(async (cmd) => {
      await cmd('POST', '/actions', { actions });
      await cmd('DELETE', '/actions');
    });
  }

  /**
   * The pointer comes onto the element from the window's corner, as a hand on a mouse does: an
   * element that replaced the one under a resting pointer (the live button the loader's
   * placeholder) gets no enter event in WebKitGTK until the pointer moves.
   * @param {Handle} handle
   */
  async hover(handle) {
    await this.#actions([{
      type: 'pointer', id: 'mouse', parameters: { pointerType: 'mouse' },
      actions: [
        { type: 'pointerMove', duration: 0, origin: 'viewport', x: 0, y: 0 },
        { type: 'pointerMove', duration: 0, origin: handle, x: 0, y: 0 },
      ],
    }]);
  }

  /** @param {Handle} handle */
  async tap(handle) {
    await this.#actions([{
      type: 'pointer', id: 'finger', parameters: { pointerType: 'touch' },
      actions: [
        { type: 'pointerMove', duration: 0, origin: handle, x: 0, y: 0 },
        { type: 'pointerDown', button: 0 },
        { type: 'pause', duration: 50 },
        { type: 'pointerUp', button: 0 },
      ],
    }]);
  }

  /** @param {string} key */
  async press(key) {
    const value = KEYS[key] ?? key;
    await this.#actions([{ type: 'key', id: 'keyboard', actions: [{ type: 'keyDown', value }, { type: 'keyUp', value }] }]);
  }

  /** @param {string} path @param {Handle | null} handle */
  async screenshot(path, handle) {
    if (this.engine === 'webkit') {
      // WebKitGTK's element screenshots come out partly black: crop the viewport's instead.
      const png = await this.#in(async (cmd) => {
        /** @type {{ x: number, y: number, width: number, height: number, dpr: number } | null} */
        let rect = null;
        if (handle) {
          const r = record(await cmd('POST', '/execute/sync', {
            script: `const el = arguments[0]; el.scrollIntoView({ block: 'center', inline: 'center' });
              const r = el.getBoundingClientRect(); return { x: r.x, y: r.y, width: r.width, height: r.height, dpr: devicePixelRatio };`,
            args: [handle],
          }), 'element box');
          const n = (/** @type {string} */ k) => (typeof r[k] === 'number' ? r[k] : NaN);
          rect = { x: n('x'), y: n('y'), width: n('width'), height: n('height'), dpr: n('dpr') };
        }
        // WebKit paints a DOM change (or a scroll) a moment later than it reports it.
        await sleep(500);
        const png = Buffer.from(text(await cmd('GET', '/screenshot'), 'screenshot'), 'base64');
        return rect ? crop(png, rect, rect.dpr) : png;
      });
      writeFileSync(path, png);
      return;
    }
    const png = handle ? await this.cmd('GET', `/element/${elementId(handle)}/screenshot`) : await this.cmd('GET', '/screenshot');
    writeFileSync(path, Buffer.from(text(png, 'screenshot'), 'base64'));
  }

  /** @param {number} width @param {number} height */
  async setViewport(width, height) {
    await this.#in(async (cmd) => {
      let w = width;
      let h = height;
      for (let i = 0; i < 5; i++) {
        await cmd('POST', '/window/rect', { width: w, height: h });
        const [iw, ih] = await settledViewport(cmd);
        if (iw === width && ih === height) return;
        w += width - iw;
        h += height - ih;
      }
      const [iw, ih] = size(await cmd('POST', '/execute/sync', { script: 'return [innerWidth, innerHeight];', args: [] }), 'viewport');
      throw new Error(`${this.engine}: viewport ${iw}×${ih}, wanted ${width}×${height}`);
    });
  }

  /** @param {number} timeout */
  expectDownload(timeout) {
    return waitForDownload(this.session.server.downloads, timeout);
  }

  /**
   * The dialog once open in this window. Nothing is sent to the window meanwhile but the question
   * whether a dialog is open: any other command would answer it (WebDriver's default).
   * @param {number} timeout
   * @returns {Promise<Dialog>}
   */
  async expectDialog(timeout) {
    const message = await until('a dialog', async () => {
      try {
        return { text: text(await this.cmd('GET', '/alert/text'), 'dialog text') };
      } catch (e) {
        if (e instanceof WebDriverError && e.code === 'no such alert') return null;
        throw e;
      }
    }, timeout);
    return {
      message: message.text,
      dismiss: async () => {
        await this.cmd('POST', '/alert/dismiss', {});
      },
    };
  }

  /** The errors of the document shown now, kept before it goes. */
  async #harvestErrors() {
    try {
      this.pastErrors.push(...texts(await this.execute('return window.__k12xErrors || [];'), 'page errors'));
    } catch (e) {
      // No document yet, or one this window cannot script (about:blank at first in some engines).
      if (!(e instanceof WebDriverError)) throw e;
    }
  }

  async errors() {
    const now = texts(await this.execute('return window.__k12xErrors || [];'), 'page errors');
    return [...this.pastErrors, ...now];
  }

  /** The window goes (as a closed tab), or, the profile's last one, is cleared for the next page. */
  async close() {
    await this.session.close(this);
  }
}

/**
 * The viewport once a resize has settled: the window manager (WebKitGTK on Xvfb) may apply it a
 * moment after the command returned, so a correction computed from the first reading overshoots.
 * @param {Command} cmd
 */
async function settledViewport(cmd) {
  const read = async () => size(await cmd('POST', '/execute/sync', { script: 'return [innerWidth, innerHeight];', args: [] }), 'viewport');
  let last = await read();
  for (let i = 0; i < 20; i++) {
    await sleep(100);
    const now = await read();
    if (now[0] === last[0] && now[1] === last[1]) return now;
    last = now;
  }
  return last;
}

const PARTIAL = /\.(part|crdownload|download|wkdownload|tmp)$/i;
let saved = 0;

/**
 * Files appearing in `dir` after this call: resolves to the first new complete one (no partial
 * sibling, size steady over two looks) as `{ name, path }`. The browser saved it under `name`;
 * it is then moved, name unchanged, to a folder of its own beside `dir`, so that the next file of
 * the same name lands as a new file under that name again (with the old one there, Firefox saves
 * "name(1).csv" and WebKit shows no new file). Several waiting at once get a file each (a file
 * another took is gone from `dir`).
 * @param {string} dir
 * @param {number} timeout
 */
export function waitForDownload(dir, timeout) {
  const before = new Set(readdirSync(dir));
  const t0 = Date.now();
  return (async () => {
    /** @type {Map<string, number>} */
    const sizes = new Map();
    for (;;) {
      const names = readdirSync(dir);
      for (const name of sizes.keys()) if (!names.includes(name)) sizes.delete(name);
      for (const name of names) {
        if (before.has(name) || PARTIAL.test(name) || name.startsWith('.')) continue;
        if (names.some((n) => n !== name && n.startsWith(name) && PARTIAL.test(n))) continue;
        let size;
        try {
          size = statSync(join(dir, name)).size;
        } catch (e) {
          if (!isErrno(e, 'ENOENT')) throw e;
          continue; // renamed meanwhile (a partial file becoming the complete one)
        }
        if (sizes.get(name) === size) {
          const keep = join(dirname(dir), `${basename(dir)}.saved`, `${process.pid}-${++saved}`);
          mkdirSync(keep, { recursive: true });
          renameSync(join(dir, name), join(keep, name));
          return { name, path: join(keep, name) };
        }
        sizes.set(name, size);
      }
      if (Date.now() - t0 > timeout) {
        throw new Error(`no download finished in ${dir} within ${timeout} ms (${names.filter((n) => !before.has(n)).join(', ') || 'no new file'})`);
      }
      await sleep(150);
    }
  })();
}
