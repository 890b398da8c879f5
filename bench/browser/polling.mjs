// Polling efficiency: the native simulation's summary (bench/src/bin/poll-efficiency.rs), checked
// against real jobs: one 10 s export per implementation and backend convention, all at once, each
// with its own client id; requests counted from the mock's recordings.
import { readFileSync } from 'node:fs';
import { BLANK, CONFIG, IMPLS, clientId, countKinds, freshPage, int, ratio, table } from './lib.mjs';

const DURATION_MS = 10000;

/** The summary of the poll-efficiency binary's output: its last table and verdict line. */
export function simulationSummary(text) {
  const lines = text.trim().split('\n');
  const start = lines.findIndex((l) => l.startsWith('| policy |'));
  if (start < 0) return { markdown: '```\n' + text.trim() + '\n```', verdict: null };
  const summary = lines.slice(start).join('\n').trim();
  return { markdown: `${lines[0]}\n\n${summary}`, verdict: lines[lines.length - 1] };
}

async function exportOnce(browser, base, impl, scheme) {
  const client = clientId(`poll-${impl}-${scheme}`);
  const { page, errors, close } = await freshPage(browser);
  await page.goto(base + BLANK);
  const downloads = [];
  page.on('download', (d) => downloads.push(d.suggestedFilename()));
  const outcome = await page.evaluate(async ({ module, button, config, client, scheme, duration }) => {
    const d = await import('/bench/driver.js');
    const { mount } = await import(module);
    const el = d.host();
    const h = await d.mountIn(mount, el, { config, data: { termId: 1003, termName: '2024秋季班', client, scheme, durationMs: duration }, filename: 'K12作业统计-{termName}' });
    const result = d.outcome(el, 40000);
    const clicks = await d.clickUntilStarted(el, button);
    const r = await result;
    h.destroy();
    return { ...r, clicks };
  }, { module: IMPLS[impl].module, button: IMPLS[impl].button, config: CONFIG, client, scheme, duration: DURATION_MS });
  await page.waitForTimeout(500);
  await close();
  return { impl, scheme, client, outcome, downloads, errors };
}

export async function run({ browser, base, mock, simulation }) {
  const sim = simulationSummary(simulation);
  const cases = [];
  for (const scheme of ['A', 'B']) for (const impl of ['widget', 'vanilla', 'react']) cases.push([impl, scheme]);
  const results = await Promise.all(cases.map(([impl, scheme]) => exportOnce(browser, base, impl, scheme)));
  const rows = [];
  const byKey = {};
  for (const r of results) {
    const requests = await mock.requests(r.client);
    const [job] = await mock.jobs(r.client);
    const n = countKinds(requests);
    const file = requests.find((q) => q.path.startsWith('/files/'));
    const delay = job && job.urlReady != null && file ? file.t - job.urlReady : NaN;
    byKey[`${r.impl}-${r.scheme}`] = { ...n, delay };
    rows.push([`${IMPLS[r.impl].name}`, r.scheme, r.outcome.done ? 'done' : `failed: ${r.outcome.timedOut ? 'no outcome in 40 s' : r.outcome.detail.message}`, n.progress, n.start, n.progress + n.start + n.file, Number.isFinite(delay) ? `${int(delay)} ms` : '—']);
  }
  for (const row of rows) {
    const impl = Object.keys(IMPLS).find((k) => IMPLS[k].name === row[0]);
    row.splice(4, 0, ratio(byKey[`${impl}-${row[1]}`].progress, byKey[`vanilla-${row[1]}`].progress));
  }
  const wA = byKey['widget-A'];
  const wB = byKey['widget-B'];
  const vA = byKey['vanilla-A'];
  const vB = byKey['vanilla-B'];
  const share = (wA.progress + wB.progress) / (vA.progress + vB.progress);
  const markdown = [
    '**Simulation** (`cargo run --release -p bench --bin poll-efficiency`: the real protocol machine against a simulated',
    'K12 server in simulated time; deterministic). Summary:',
    '',
    sim.markdown,
    '',
    `**In the browser**: one ${DURATION_MS / 1000} s job (term 1003, 1,200 rows) per implementation and convention, all six at once against the mock.`,
    'Ready→download: from the moment the mock has the URL to the file request (the mock\'s clock; convention B hands out the',
    'URL 1.5 s after the rows are written). Peers poll every 1 s.',
    '',
    table(['implementation', 'conv.', 'outcome', 'progress req.', 'vs vanilla 1 s', 'start req.', 'all requests', 'ready→download'], rows, 'lllrrrrr'),
    '',
    `Widget / vanilla 1 s peer, progress requests over both jobs: **${(share * 100).toFixed(0)}%**.`,
  ].join('\n');
  const checks = [];
  if (sim.verdict) {
    const m = sim.verdict.match(/(\d+)% of the progress requests.*?median delay (\d+) ms/);
    if (m) {
      checks.push({ name: 'simulated polling ≤ 60% of 1 s polling\'s requests', ok: Number(m[1]) <= 60, detail: `${m[1]}% of the progress requests`, checked: false });
      checks.push({ name: 'simulated median ready→download < 300 ms', ok: Number(m[2]) < 300, detail: `${m[2]} ms (simulated time)`, checked: false });
    }
  }
  const failed = results.filter((r) => !r.outcome.done);
  if (failed.length) checks.push({ name: 'browser polling jobs finish', ok: false, detail: failed.map((r) => `${r.impl} ${r.scheme}: ${r.outcome.timedOut ? 'no outcome' : r.outcome.detail.message}`).join('; '), checked: false });
  return { title: 'Polling efficiency', markdown, checks, data: byKey };
}

export const readSimulation = (path) => readFileSync(path, 'utf8');
