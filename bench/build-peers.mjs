// Builds the peer baselines (bench tooling, never shipped) with esbuild from the pinned packages of
// bench/package.json, into bench/out/site/bench/:
//
//   react/k12-peer.js     React 18 + antd 5 button (one ESM file; antd styles are CSS-in-JS)
//   react/homework.html   /examples/homework.html with <k12-peer-button> and this bundle
//   vanilla/k12-peer.js   dependency-free button (one ESM file, styles injected)
//   vanilla/homework.html the same page for it
//   blank.html, driver.js the page of the scale, memory, polling and fault benchmarks
//
// With `--dist DIR` the result is also copied to DIR/bench/, so that the mock backend serves it on
// the widget's origin (/bench/...).
import { build } from 'esbuild';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const site = join(here, 'out', 'site', 'bench');

export const PEERS = {
  react: { entry: 'peers/react-antd.jsx', name: 'React 18 + antd 5' },
  vanilla: { entry: 'peers/vanilla.js', name: 'vanilla JS' },
};

/** /examples/homework.html, with the widget's element and script swapped for a peer's. */
function peerPage(peer) {
  let html = readFileSync(join(root, 'www', 'examples', 'homework.html'), 'utf8');
  const swaps = [
    ['<script src="/embed/k12-export-classic.js"></script>', '<script type="module" src="./k12-peer.js"></script>'],
    ['<k12-export-button', '<k12-peer-button'],
    ['</k12-export-button>', '</k12-peer-button>'],
    ['href="k12.css"', 'href="/examples/k12.css"'],
    ['<title>', `<title>[${PEERS[peer].name}] `],
  ];
  for (const [from, to] of swaps) {
    if (!html.includes(from)) throw new Error(`www/examples/homework.html no longer contains ${from}: update bench/build-peers.mjs`);
    html = html.replaceAll(from, to);
  }
  return html;
}

export async function buildPeers({ dist } = {}) {
  rmSync(site, { recursive: true, force: true });
  const versions = {};
  for (const p of ['react', 'react-dom', 'antd', 'esbuild']) {
    versions[p] = JSON.parse(readFileSync(join(here, 'node_modules', p, 'package.json'), 'utf8')).version;
  }
  for (const [peer, { entry }] of Object.entries(PEERS)) {
    const out = join(site, peer);
    mkdirSync(out, { recursive: true });
    await build({
      entryPoints: [join(here, entry)],
      outfile: join(out, 'k12-peer.js'),
      bundle: true,
      format: 'esm',
      minify: true,
      target: 'es2020',
      jsx: 'automatic',
      legalComments: 'none',
      define: { 'process.env.NODE_ENV': '"production"' },
      logLevel: 'warning',
      absWorkingDir: here,
    });
    writeFileSync(join(out, 'homework.html'), peerPage(peer));
  }
  for (const f of ['blank.html', 'driver.js']) cpSync(join(here, 'pages', f), join(site, f));
  writeFileSync(join(site, 'versions.json'), JSON.stringify(versions, null, 2));
  if (dist) {
    const target = join(dist, 'bench');
    rmSync(target, { recursive: true, force: true });
    cpSync(site, target, { recursive: true });
  }
  return versions;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--dist');
  const versions = await buildPeers({ dist: i > 0 ? process.argv[i + 1] : undefined });
  console.error(`peers built: ${Object.entries(versions).map(([k, v]) => `${k} ${v}`).join(', ')}`);
}
