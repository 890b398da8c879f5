// Helpers for the end-to-end tests.
import { inflateRawSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { launch } from './browser.mjs';

export const BASE = process.env.E2E_BASE;
export const ROOT = process.env.E2E_ROOT;
if (!BASE) throw new Error('E2E_BASE is not set: run the suite with `node e2e/run.mjs`');

/** A unique client id, so a test sees only its own jobs and requests in the mock's log. */
export const client = (name) => `e2e-${name}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

/** A browser, and a fresh context/page with downloads accepted. Console errors are collected. */
export async function open(t, { width = 1280, height = 900 } = {}) {
  const browser = await launch();
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width, height } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  t.after(() => browser.close());
  return { browser, context, page, errors };
}

export async function json(path) {
  const r = await fetch(BASE + path);
  return r.json();
}

/** Every request the mock recorded for `client`. */
export async function requests(client) {
  return (await json(`/__mock/requests?client=${encodeURIComponent(client)}`)).requests;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` until it returns a truthy value (returned), failing after `ms`. */
export async function until(what, fn, ms = 15000) {
  const t0 = Date.now();
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** The entries of a zip file (stored or deflated), by name. */
export function unzip(buf) {
  const entries = new Map();
  let eocd = buf.length - 22;
  while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  if (eocd < 0) throw new Error('not a zip file');
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  for (let i = 0; i < count; i++) {
    const method = buf.readUInt16LE(p + 10);
    const size = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.subarray(p + 46, p + 46 + nameLen).toString('utf8');
    const dataStart = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const raw = buf.subarray(dataStart, dataStart + size);
    entries.set(name, method === 0 ? raw : inflateRawSync(raw));
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

const decode = (s) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');

/** The first sheet of an .xlsx file as rows of cell texts. */
export function readXlsx(path) {
  const zip = unzip(readFileSync(path));
  const strings = [];
  const sst = zip.get('xl/sharedStrings.xml');
  if (sst) {
    for (const si of sst.toString('utf8').matchAll(/<si>([\s\S]*?)<\/si>/g)) {
      strings.push(decode([...si[1].matchAll(/<t[^>]*>([\s\S]*?)<\/t>/g)].map((m) => m[1]).join('')));
    }
  }
  const sheet = zip.get('xl/worksheets/sheet1.xml');
  if (!sheet) throw new Error('no first sheet');
  const rows = [];
  for (const row of sheet.toString('utf8').matchAll(/<row[^>]*>([\s\S]*?)<\/row>|<row[^>]*\/>/g)) {
    const cells = [];
    for (const c of (row[1] || '').matchAll(/<c([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g)) {
      const attrs = c[1];
      const v = (c[2] || '').match(/<v>([\s\S]*?)<\/v>/);
      const inline = (c[2] || '').match(/<t[^>]*>([\s\S]*?)<\/t>/);
      if (/t="s"/.test(attrs) && v) cells.push(strings[Number(v[1])]);
      else if (inline) cells.push(decode(inline[1]));
      else cells.push(v ? decode(v[1]) : '');
    }
    rows.push(cells);
  }
  return rows;
}

/** Runs axe-core in the page and returns its violations. */
export async function axe(page) {
  await page.addScriptTag({ path: `${ROOT}/node_modules/axe-core/axe.min.js` });
  return page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5) }));
  });
}
