// Runs the end-to-end suite: starts the mock backend (serving the built dist/) on a free port,
// then every e2e/*.test.mjs with node's test runner against it, one file at a time.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { startMock } from '../scripts/mock.mjs';

const root = new URL('..', import.meta.url).pathname;
const mock = await startMock({ dist: join(root, 'dist') });
const base = mock.url;
console.log(`mock backend at ${base}`);

const files = readdirSync(join(root, 'e2e')).filter((f) => f.endsWith('.test.mjs')).sort().map((f) => join(root, 'e2e', f));
const only = process.argv.slice(2);
const selected = only.length ? files.filter((f) => only.some((o) => f.includes(o))) : files;
const test = spawn(process.execPath, ['--test', '--test-concurrency=1', '--test-reporter=spec', ...selected], {
  stdio: 'inherit',
  env: { ...process.env, E2E_BASE: base, E2E_ROOT: root },
});
const code = await new Promise((resolve) => test.on('exit', resolve));
await mock.stop();
process.exit(code ?? 1);
