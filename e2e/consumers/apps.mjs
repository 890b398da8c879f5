// @ts-check
// The consumer apps of e2e/consumers/ (each a folder with its own package.json and lockfile),
// installed as their users would: copied to target/consumers/NAME, `npm ci` for their locked
// dependencies (npm's cache in ~/.npm), then the packed package with `npm install --no-save`,
// which leaves package.json and the lockfile as they were (checked). Used by e2e/consumers/run.mjs
// and by the benchmark (scripts/bench.sh), which builds the Vite app:
//
//   node e2e/consumers/apps.mjs vite TARBALL     prints the Vite app's build directory
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { markerEnv } from '../driver/procs.mjs';

const here = dirname(fileURLToPath(import.meta.url));
export const WORK = join(here, '../../target/consumers');
const run = promisify(execFile);

/** Logs how long `what` took since `t0`. */
export const took = (/** @type {string} */ what, /** @type {number} */ t0) => console.log(`# ${what}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);

/**
 * Runs `cmd` in `cwd`; a failure names the command and carries its output.
 * @param {string} cwd @param {string} cmd @param {string[]} args
 */
export async function sh(cwd, cmd, args) {
  try {
    return await run(cmd, args, { cwd, env: { ...process.env, ...markerEnv() }, maxBuffer: 64 << 20 });
  } catch (e) {
    const x = /** @type {{ stdout?: string, stderr?: string, message: string }} */ (e);
    throw new Error(`${cmd} ${args.join(' ')} (in ${cwd}) failed:\n${x.stdout ?? ''}\n${x.stderr ?? ''}\n${x.message}`, { cause: e });
  }
}

/**
 * A fresh copy of app `name` with its locked dependencies and `tarball` installed; resolves to
 * its folder.
 * @param {string} name @param {string} tarball
 */
export async function install(name, tarball) {
  const t0 = Date.now();
  const dir = join(WORK, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });
  cpSync(join(here, name), dir, { recursive: true, filter: (f) => !/node_modules|[/\\]dist$/.test(f) });
  const lock = readFileSync(join(dir, 'package-lock.json'), 'utf8');
  const manifest = readFileSync(join(dir, 'package.json'), 'utf8');
  const npm = ['--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'];
  await sh(dir, 'npm', ['ci', ...npm]);
  await sh(dir, 'npm', ['install', '--no-save', ...npm, tarball]);
  for (const [file, was] of [['package-lock.json', lock], ['package.json', manifest]]) {
    if (readFileSync(join(dir, file), 'utf8') !== was) throw new Error(`${name}: installing the package rewrote ${file}`);
  }
  took(`${name}: npm ci + the tarball`, t0);
  return dir;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [name, tarball] = process.argv.slice(2);
  if (name !== 'vite' || !tarball) {
    console.error('usage: apps.mjs vite TARBALL');
    process.exit(2);
  }
  const dir = await install(name, resolve(tarball));
  await sh(dir, 'node_modules/.bin/vite', ['build', '--logLevel', 'warn']);
  console.log(join(dir, 'dist'));
}
