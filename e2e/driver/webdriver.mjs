// W3C WebDriver over plain HTTP, for headless Firefox ESR (geckodriver) and WebKitGTK
// (WebKitWebDriver driving MiniBrowser on an Xvfb display). One driver server and one session (a
// browser with a fresh profile) per test file — a session takes seconds to start in Firefox, and
// each driver allows only one — and a new tab per page, its cookies and storage cleared after.
import { existsSync, mkdirSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { deepQuery, installErrorCollector } from './in-page.mjs';
import { crop } from './png.mjs';
import { freePort, start, stop, xvfb } from './procs.mjs';
import { sleep } from './page.mjs';

const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf';
/** Every WebDriver command gets an answer within this, or fails (a driver without a display hangs). */
const COMMAND_TIMEOUT = 60_000;
const SESSION_TIMEOUT = 45_000;

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
    let dirs = [];
    try {
      dirs = readdirSync(root);
    } catch {
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

function which(cmd) {
  for (const dir of (process.env.PATH || '').split(':')) {
    if (dir && existsSync(join(dir, cmd))) return join(dir, cmd);
  }
  return null;
}

export class WebDriverError extends Error {}

/** A running WebDriver server (and the X server it needs, for WebKit). */
export class DriverServer {
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

  constructor(engine, downloads) {
    this.engine = engine;
    this.downloads = downloads;
    this.children = [];
  }

  async #launch() {
    mkdirSync(this.downloads, { recursive: true });
    const env = {};
    let cmd;
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
    let lastError;
    for (let attempt = 0; attempt < 4; attempt++) {
      const port = await freePort();
      const child = start(cmd, args(port), { env });
      let exited = false;
      child.on('exit', () => { exited = true; });
      const url = `http://127.0.0.1:${port}`;
      const t0 = Date.now();
      while (!exited && Date.now() - t0 < 10_000) {
        try {
          const r = await fetch(`${url}/status`, { signal: AbortSignal.timeout(1000) });
          if (r.ok) {
            this.url = url;
            this.children.push(child);
            return;
          }
        } catch (e) {
          lastError = e;
        }
        await sleep(50);
      }
      await stop(child);
      lastError = new Error(`${cmd} did not answer on port ${port}${exited ? ' (it exited)' : ''}`);
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
      const why = e.name === 'TimeoutError' ? `no answer within ${timeout} ms` : e.message;
      throw new WebDriverError(`${this.engine} WebDriver ${method} ${path}: ${why}`);
    }
    const text = await r.text();
    let json;
    try {
      json = JSON.parse(text);
    } catch {
      throw new WebDriverError(`${this.engine} WebDriver ${method} ${path}: HTTP ${r.status}, not JSON: ${text.slice(0, 200)}`);
    }
    if (!r.ok || (json.value && json.value.error)) {
      const v = json.value || {};
      throw new WebDriverError(`${this.engine} WebDriver ${method} ${path}: ${v.error || r.status}: ${v.message || text.slice(0, 300)}`);
    }
    return json.value;
  }

  async newSession() {
    const value = await this.request('POST', '/session', { capabilities: { alwaysMatch: this.capabilities() } }, SESSION_TIMEOUT);
    return new Session(this, value.sessionId, value.capabilities || {});
  }

  async close() {
    for (const child of this.children.reverse()) await stop(child);
    this.children = [];
  }
}

const wrapElement = (id) => ({ [ELEMENT]: id });
const elementId = (h) => h[ELEMENT];

/** One browser (a fresh profile); its current tab is the backend of one `Page` at a time. */
export class Session {
  constructor(server, id, capabilities) {
    this.server = server;
    this.id = id;
    this.capabilities = capabilities;
    this.engine = server.engine;
    this.pastErrors = [];
    this.used = false;
  }

  /** The tab for a new page: the first one, or a fresh one in place of the last page's. */
  async open() {
    if (this.used) {
      const { handle } = await this.cmd('POST', '/window/new', { type: 'tab' });
      await this.cmd('DELETE', '/window');
      await this.cmd('POST', '/window', { handle });
    }
    this.used = true;
    this.pastErrors = [];
  }

  cmd(method, path, body, timeout) {
    return this.server.request(method, `/session/${this.id}${path}`, body, timeout);
  }

  async goto(url) {
    await this.#harvestErrors();
    await this.cmd('POST', '/url', { url });
    await this.execute(`(${installErrorCollector})()`);
  }

  /** Runs `body` (a function body using `arguments`) synchronously in the page. */
  execute(body, args = []) {
    return this.cmd('POST', '/execute/sync', { script: body, args });
  }

  async #run(fnSource, args) {
    // The script's last argument is WebDriver's callback; a rejection comes back as { err }.
    const script = `const done = arguments[arguments.length - 1];
      const args = Array.prototype.slice.call(arguments, 0, -1);
      Promise.resolve().then(() => (${fnSource})(...args))
        .then((v) => done({ ok: v === undefined ? null : v }), (e) => done({ err: String(e && e.stack || e) }));`;
    const r = await this.cmd('POST', '/execute/async', { script, args });
    if (r && 'err' in r) throw new Error(`in the page: ${r.err}`);
    return r ? r.ok : null;
  }

  evaluate(fnSource, arg) {
    return this.#run(fnSource, [arg]);
  }

  evaluateOn(handle, fnSource, arg) {
    return this.#run(fnSource, [handle, arg]);
  }

  async resolve(chain) {
    const found = await this.execute(`return (${deepQuery})(arguments[0]);`, [chain]);
    return found || [];
  }

  async click(handle) {
    await this.cmd('POST', `/element/${elementId(handle)}/click`, {});
  }

  async #actions(actions) {
    await this.cmd('POST', '/actions', { actions });
    await this.cmd('DELETE', '/actions');
  }

  /**
   * The pointer comes onto the element from the window's corner, as a hand on a mouse does: an
   * element that replaced the one under a resting pointer (the live button the loader's
   * placeholder) gets no enter event in WebKitGTK until the pointer moves.
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

  async press(key) {
    const value = KEYS[key] ?? key;
    await this.#actions([{ type: 'key', id: 'keyboard', actions: [{ type: 'keyDown', value }, { type: 'keyUp', value }] }]);
  }

  async screenshot(path, handle) {
    if (this.engine === 'webkit') {
      // WebKitGTK's element screenshots come out partly black: crop the viewport's instead.
      let rect = null;
      if (handle) {
        rect = await this.execute(`const el = arguments[0]; el.scrollIntoView({ block: 'center', inline: 'center' });
          const r = el.getBoundingClientRect(); return { x: r.x, y: r.y, width: r.width, height: r.height, dpr: devicePixelRatio };`, [handle]);
      }
      // WebKit paints a DOM change (or a scroll) a moment later than it reports it.
      await sleep(500);
      const png = Buffer.from(await this.cmd('GET', '/screenshot'), 'base64');
      writeFileSync(path, rect ? crop(png, rect, rect.dpr) : png);
      return;
    }
    const png = handle ? await this.cmd('GET', `/element/${elementId(handle)}/screenshot`) : await this.cmd('GET', '/screenshot');
    writeFileSync(path, Buffer.from(png, 'base64'));
  }

  async setViewport(width, height) {
    let w = width;
    let h = height;
    for (let i = 0; i < 5; i++) {
      await this.cmd('POST', '/window/rect', { width: w, height: h });
      const [iw, ih] = await this.#settledViewport();
      if (iw === width && ih === height) return;
      w += width - iw;
      h += height - ih;
    }
    const [iw, ih] = await this.execute('return [innerWidth, innerHeight];');
    throw new Error(`${this.engine}: viewport ${iw}×${ih}, wanted ${width}×${height}`);
  }

  /**
   * The viewport once a resize has settled: the window manager (WebKitGTK on Xvfb) may apply it a
   * moment after the command returned, so a correction computed from the first reading overshoots.
   */
  async #settledViewport() {
    let last = await this.execute('return [innerWidth, innerHeight];');
    for (let i = 0; i < 20; i++) {
      await sleep(100);
      const now = await this.execute('return [innerWidth, innerHeight];');
      if (now[0] === last[0] && now[1] === last[1]) return now;
      last = now;
    }
    return last;
  }

  expectDownload(timeout) {
    return waitForDownload(this.server.downloads, timeout);
  }

  async #harvestErrors() {
    try {
      const e = await this.execute('return window.__k12xErrors || [];');
      this.pastErrors.push(...e);
    } catch {
      // no page yet
    }
  }

  async errors() {
    const now = await this.execute('return window.__k12xErrors || [];');
    return [...this.pastErrors, ...now];
  }

  /** The page is done with: what it stored goes, so the next page starts clean. */
  async close() {
    await this.execute('try { localStorage.clear(); sessionStorage.clear(); } catch (e) {}').catch(() => {});
    await this.cmd('DELETE', '/cookie').catch(() => {});
    await this.cmd('POST', '/url', { url: 'about:blank' }).catch(() => {});
  }

  /** Ends the session: the browser quits. */
  async quit() {
    try {
      await this.cmd('DELETE', '', undefined, 15_000);
    } catch {
      // the server is stopped next in any case
    }
  }
}

const PARTIAL = /\.(part|crdownload|download|wkdownload|tmp)$/i;
let saved = 0;

/**
 * Files appearing in `dir` after this call: resolves to the first new complete one (no partial
 * sibling, size steady over two looks) as `{ name, path }`. The browser saved it under `name`;
 * it is then moved, name unchanged, to a folder of its own beside `dir`, so that the next file of
 * the same name lands as a new file under that name again (with the old one there, Firefox saves
 * "name(1).csv" and WebKit shows no new file).
 */
export function waitForDownload(dir, timeout) {
  const before = new Set(readdirSync(dir));
  const t0 = Date.now();
  return (async () => {
    const sizes = new Map();
    for (;;) {
      const names = readdirSync(dir);
      for (const name of names) {
        if (before.has(name) || PARTIAL.test(name) || name.startsWith('.')) continue;
        if (names.some((n) => n !== name && n.startsWith(name) && PARTIAL.test(n))) continue;
        let size;
        try {
          size = statSync(join(dir, name)).size;
        } catch {
          continue;
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
