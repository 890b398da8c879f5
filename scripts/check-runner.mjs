#!/usr/bin/env node
// Checks that wasm-bindgen-test-runner's server answers connections opened all at once, as a
// browser opens them for a page that imports several modules. Unpatched, its HTTP server
// (tiny_http) queues some of them behind kept-alive connections, and the test page hangs until
// those close (vendor/README.md); scripts/setup.sh installs the runner patched.
//
//   node scripts/check-runner.mjs TEST.wasm
//
// Starts the runner in its interactive mode (it serves the test page and waits), opens 8
// connections at once while every core is kept busy (as on a loaded CI machine, where the
// server's threads are slow to wake: that is when it went wrong), asks each for the page and keeps
// it open, and stops the runner. Fails unless every connection is answered within 5 s.
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

const wasm = process.argv[2];
if (!wasm) {
  console.error('usage: check-runner.mjs TEST.wasm');
  process.exit(2);
}
const CONNECTIONS = 8;
const runner = spawn('wasm-bindgen-test-runner', [wasm], {
  env: { ...process.env, NO_HEADLESS: '1', WASM_BINDGEN_TEST_ADDRESS: '127.0.0.1:0' },
  stdio: ['ignore', 'pipe', 'pipe'],
});
/** @type {import('node:net').Socket[]} */
const sockets = [];
/** @type {Worker[]} */
let busy = [];
/** @param {number} code @param {string} message */
function finish(code, message) {
  for (const w of busy) w.terminate();
  for (const s of sockets) s.destroy();
  runner.kill();
  console[code ? 'error' : 'log'](`check-runner: ${message}`);
  process.exitCode = code;
}
runner.on('error', (e) => finish(1, `wasm-bindgen-test-runner did not start (${e.message}): run scripts/setup.sh`));
const started = setTimeout(() => finish(1, 'the runner printed no address within 60 s'), 60_000);
let out = '';
let stderr = '';
runner.stderr.on('data', (d) => { stderr += d; });
runner.on('exit', (code) => {
  if (process.exitCode === undefined && !out.includes('http://')) finish(1, `the runner exited (${code}) before serving:\n${stderr}`);
});
runner.stdout.on('data', (d) => {
  out += d;
  const m = out.match(/http:\/\/(127\.0\.0\.1):(\d+)/);
  if (!m || sockets.length) return;
  clearTimeout(started);
  const spin = 'const end = Date.now() + 10000; while (Date.now() < end);';
  busy = Array.from({ length: availableParallelism() + 1 }, () => new Worker(spin, { eval: true }));
  let answered = 0;
  /** @type {string[]} */
  const dropped = [];
  const deadline = setTimeout(() => {
    finish(1, `${answered} of ${CONNECTIONS} connections opened at once were answered within 5 s: this runner's server `
      + 'queues connections behind kept-alive ones (unpatched tiny_http); run scripts/setup.sh'
      + (dropped.length ? ` (${dropped.join('; ')})` : ''));
  }, 5_000);
  for (let i = 0; i < CONNECTIONS; i++) {
    const socket = connect({ port: Number(m[2]), host: m[1], noDelay: true });
    sockets.push(socket);
    let head = '';
    socket.on('connect', () => socket.write(`GET / HTTP/1.1\r\nHost: ${m[1]}:${m[2]}\r\nConnection: keep-alive\r\n\r\n`));
    // A connection the runner drops is one not answered: the deadline reports it, and why.
    socket.on('error', (e) => dropped.push(`connection ${i}: ${e.message}`));
    socket.on('data', (chunk) => {
      if (head.startsWith('HTTP/')) return;
      head += chunk;
      if (!head.startsWith('HTTP/1.1 200')) return;
      if (++answered === CONNECTIONS) {
        clearTimeout(deadline);
        finish(0, `${CONNECTIONS} connections opened at once, all answered`);
      }
    });
  }
});
