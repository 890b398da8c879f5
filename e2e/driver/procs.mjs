// Child processes of the page drivers (WebDriver servers, Xvfb, browsers): each is started with a
// marker in its environment, which every process it starts inherits (a browser and its content
// processes, reparented or not), so that everything can be found again in /proc and killed — when
// a test file ends, when it fails, and on SIGINT/SIGTERM.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** @typedef {import('node:child_process').ChildProcess} ChildProcess */
/** @typedef {import('node:child_process').StdioOptions} StdioOptions */

/**
 * Whether `e` is a failed system call with one of these codes (ENOENT, ESRCH, ...).
 * @param {unknown} e
 * @param {string[]} codes
 */
export function isErrno(e, ...codes) {
  return e instanceof Error && 'code' in e && typeof e.code === 'string' && codes.includes(e.code);
}

/**
 * The environment variable (`name=1`) that marks the processes started here. Its name is unique
 * to this process, so that the children of a child carry the markers of all their ancestors and
 * any of them can find and stop them.
 */
export const MARKER = `K12X_E2E_${process.pid}_${Date.now().toString(36)}`;

/** The marker, as environment variables to add to a child's. */
export const markerEnv = () => ({ [MARKER]: '1' });

/**
 * Process ids (other than this one) whose environment carries `name=value`.
 * @returns {number[]}
 */
export function marked(name = MARKER, value = '1') {
  const entry = Buffer.from(`${name}=${value}\0`);
  const pids = [];
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid) || Number(pid) === process.pid) continue;
    let env;
    try {
      env = readFileSync(`/proc/${pid}/environ`);
    } catch (e) {
      if (!isErrno(e, 'ENOENT', 'ESRCH', 'EACCES', 'EPERM')) throw e;
      continue; // gone, or not ours to read
    }
    const at = env.indexOf(entry);
    if (at === 0 || (at > 0 && env[at - 1] === 0)) pids.push(Number(pid));
  }
  return pids;
}

/** The command line of a process, for messages. @param {number} pid */
export function cmdline(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch (e) {
    if (!isErrno(e, 'ENOENT', 'ESRCH')) throw e;
    return '(gone)';
  }
}

/** Kills (SIGKILL) every process started through `start()` by this process, and their children. */
export function killAll() {
  for (let round = 0; round < 5; round++) {
    const pids = marked();
    if (!pids.length) return;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch (e) {
        if (!isErrno(e, 'ESRCH')) throw e; // already gone
      }
    }
  }
}

/**
 * Starts `cmd` with the marker in its environment (plus `env`), in its own process group, its
 * output discarded unless `DRIVER_DEBUG` is set. Returns the ChildProcess.
 * @param {string} cmd
 * @param {string[]} args
 * @param {{ env?: Record<string, string>, stdio?: StdioOptions }} [opts]
 * @returns {ChildProcess}
 */
export function start(cmd, args, { env = {}, stdio } = {}) {
  const debug = process.env.DRIVER_DEBUG ? 'inherit' : 'ignore';
  const child = spawn(cmd, args, {
    env: { ...process.env, ...env, ...markerEnv() },
    stdio: stdio || ['ignore', debug, debug],
    detached: true,
  });
  return child;
}

/**
 * Stops a child started with `start()`: SIGTERM to its group, SIGKILL after `graceMs`.
 * @param {ChildProcess} child
 */
export async function stop(child, graceMs = 2000) {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const group = -child.pid;
  const exited = new Promise((r) => child.once('exit', r));
  try {
    process.kill(group, 'SIGTERM');
  } catch (e) {
    if (!isErrno(e, 'ESRCH')) throw e;
    return; // gone
  }
  const t = setTimeout(() => {
    try {
      process.kill(group, 'SIGKILL');
    } catch (e) {
      if (!isErrno(e, 'ESRCH')) throw e; // gone
    }
  }, graceMs);
  await exited;
  clearTimeout(t);
}

/**
 * A TCP port that was free a moment ago.
 * @returns {Promise<number>}
 */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      if (address === null || typeof address === 'string') {
        reject(new Error(`a TCP server listens at ${address}`));
        return;
      }
      s.close(() => resolve(address.port));
    });
  });
}

/**
 * Starts an X server on a free display; resolves to `{ display, child }`.
 * @returns {Promise<{ display: string, child: ChildProcess }>}
 */
export async function xvfb({ width = 1280, height = 900 } = {}) {
  const child = start('Xvfb', ['-displayfd', '3', '-screen', '0', `${width}x${height}x24`, '-nolisten', 'tcp', '-nocursor'], {
    stdio: ['ignore', 'ignore', process.env.DRIVER_DEBUG ? 'inherit' : 'ignore', 'pipe'],
  });
  const fd3 = child.stdio[3];
  if (!fd3) throw new Error('Xvfb started without its display pipe');
  /** @type {string} */
  const display = await new Promise((resolve, reject) => {
    let out = '';
    const t = setTimeout(() => reject(new Error('Xvfb did not report a display within 10 s')), 10_000);
    fd3.on('data', (d) => {
      out += d;
      if (out.includes('\n')) {
        clearTimeout(t);
        resolve(`:${out.trim()}`);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(t);
      reject(new Error(`Xvfb exited (${code})`));
    });
    child.on('error', (e) => {
      clearTimeout(t);
      reject(new Error(`Xvfb could not start: ${e.message} (is the xvfb package installed?)`));
    });
  });
  fd3.destroy();
  return { display, child };
}

let hooked = false;
/** However this process ends (exit, SIGINT, SIGTERM, SIGHUP), the processes it started are killed. */
export function cleanupOnExit() {
  if (hooked) return;
  hooked = true;
  process.on('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      killAll();
      process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1));
    });
  }
}
