// Starts the mock backend (target/native/mock-backend, built by `cargo build --profile native -p
// mock-backend`) on a free port of 127.0.0.1 and stops it again: the one way the browser tests
// (scripts/mock.sh), the benchmark (scripts/bench.sh) and the end-to-end suite (e2e/run.mjs) start it.
//
// As a module:
//   import { startMock } from '../scripts/mock.mjs';
//   const mock = await startMock({ dist: 'dist' });   // mock.url = 'http://127.0.0.1:PORT'
//   ...
//   await mock.stop();                                // SIGTERM, then waits for the exit
//
// Options: `dist` (served at /, default `dist`), `dataDir` (where export files go; default a fresh
// temporary directory, removed by stop()), `stderr` ('inherit' (default), 'ignore', or a file
// descriptor for the mock's log), `env` (variables added to its environment). The mock is stopped when this process exits, whatever happens.
//
// From a shell (scripts/mock.sh does this):
//   node scripts/mock.mjs [--dist DIR] [--data-dir DIR]
// prints `listening on http://127.0.0.1:PORT` once the mock answers, and stops it on SIGTERM or
// SIGINT; exits with the mock's status if the mock stops by itself.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const bin = join(root, 'target/native/mock-backend');

/**
 * A running mock backend: its URL, its process id, its exit status once it stops, and `stop()`.
 * @typedef {{ url: string, pid: number | undefined, exited: Promise<number>, stop: () => Promise<number> }} Mock
 */

/**
 * Starts the mock; resolves to `{ url, pid, stop() }` once it listens.
 * @param {{ dist?: string, dataDir?: string, stderr?: 'inherit' | 'ignore' | number, env?: Record<string, string> }} [opts]
 * @returns {Promise<Mock>}
 */
export async function startMock({ dist = join(root, 'dist'), dataDir, stderr = 'inherit', env = {} } = {}) {
  if (!existsSync(bin)) throw new Error(`${bin} is missing: cargo build --profile native -p mock-backend`);
  const ownDir = !dataDir;
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'k12x-mock-'));
  const child = spawn(bin, ['--port', '0', '--dist', dist, '--data-dir', dir], { stdio: ['ignore', 'pipe', stderr], env: { ...process.env, ...env } });
  const stdout = child.stdout;
  if (!stdout) throw new Error('the mock backend started without its output pipe');
  const killOnExit = () => child.kill('SIGTERM');
  process.on('exit', killOnExit);
  /** @type {Promise<number>} */
  const exited = new Promise((done) => child.on('exit', (code, signal) => done(code ?? (signal ? 1 : 0))));
  /** @type {string} */
  const url = await new Promise((done, fail) => {
    let out = '';
    const timer = setTimeout(() => fail(new Error('the mock backend did not start within 15 s')), 15_000);
    stdout.on('data', (chunk) => {
      out += chunk;
      const m = out.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (m) {
        clearTimeout(timer);
        done(m[1]);
      }
    });
    exited.then((code) => {
      clearTimeout(timer);
      fail(new Error(`the mock backend exited (${code}) before listening`));
    });
  }).catch((e) => {
    child.kill('SIGTERM');
    process.off('exit', killOnExit);
    if (ownDir) rmSync(dir, { recursive: true, force: true });
    throw e;
  });
  stdout.resume(); // nothing more to read; never let the pipe fill up
  /** @type {Promise<number> | undefined} */
  let stopped;
  return {
    url,
    pid: child.pid,
    exited,
    stop() {
      stopped ??= (async () => {
        child.kill('SIGTERM');
        const code = await exited;
        process.off('exit', killOnExit);
        if (ownDir) rmSync(dir, { recursive: true, force: true });
        return code;
      })();
      return stopped;
    },
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  /** @param {string} name */
  const arg = (name) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  try {
    const mock = await startMock({ dist: arg('dist'), dataDir: arg('data-dir') });
    console.log(`listening on ${mock.url}`);
    /** @type {Promise<number> | null} */
    let stopping = null;
    const stop = () => {
      stopping ??= mock.stop();
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
    const code = await mock.exited;
    if (stopping) {
      await stopping;
      process.exit(0);
    }
    process.exit(code);
  } catch (e) {
    console.error(`mock: ${e instanceof Error ? e.message : e}`);
    process.exit(1);
  }
}
