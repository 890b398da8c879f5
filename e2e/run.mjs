// Runs the end-to-end suite: starts the mock backend (serving the built dist/) on a free port,
// then every e2e/*.test.mjs with node's test runner against it, one file at a time.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const bin = join(root, 'target/native/mock-backend');
const dataDir = mkdtempSync(join(tmpdir(), 'k12x-e2e-'));
const mock = spawn(bin, ['--port', '0', '--dist', join(root, 'dist'), '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
const base = await new Promise((resolve, reject) => {
  let out = '';
  mock.stdout.on('data', (d) => {
    out += d;
    const m = out.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
    if (m) resolve(m[1]);
  });
  mock.on('exit', (code) => reject(new Error(`mock backend exited (${code})`)));
  setTimeout(() => reject(new Error('mock backend did not start')), 15000);
});
console.log(`mock backend at ${base}`);

const files = readdirSync(join(root, 'e2e')).filter((f) => f.endsWith('.test.mjs')).sort().map((f) => join(root, 'e2e', f));
const only = process.argv.slice(2);
const selected = only.length ? files.filter((f) => only.some((o) => f.includes(o))) : files;
const test = spawn(process.execPath, ['--test', '--test-concurrency=1', '--test-reporter=spec', ...selected], {
  stdio: 'inherit',
  env: { ...process.env, E2E_BASE: base, E2E_ROOT: root },
});
const code = await new Promise((resolve) => test.on('exit', resolve));
mock.kill('SIGTERM');
process.exit(code ?? 1);
