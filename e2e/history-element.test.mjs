// <k12-export-history> as plain pages use it, in each engine: written into the page's markup before
// the loader script (the loader upgrades it: one callback per attribute, then the connection),
// inserted later, given new options while the runtime loads, and removed while it loads. Each
// element renders once: its panel shows the list, its backend sees exactly one list request per
// render, and once the element is removed nothing of it asks the backend anything more.
//
// The page comes from a stand-in for the host's server (e2e/host/server.mjs) that holds back the
// runtime with the history panel, so that the changes and the removal land while it loads.
import test from 'node:test';
import assert from 'node:assert/strict';
import { BASE, client, open, requests, sleep, until } from './lib.mjs';
import { startHost } from './host/server.mjs';

const LIST = '/v1/export/history';
const TITLE = '学员名单导出';
/** @param {string} s */
const esc = (s) => s.replace(/&/g, '&amp;').replace(/'/g, '&#39;');

/**
 * The panel's options: the export service's history of `user`, its requests recorded under `c`.
 * @param {string} user
 * @param {string} c
 * @param {Record<string, unknown>} [extra]
 */
const options = (user, c, extra = {}) =>
  JSON.stringify({ protocol: 'export-service', userId: user, title: TITLE, query: { client: c }, ...extra });

/**
 * Starts an export-service job of `user` (under client `c`, with the mock's `knobs`); resolves to
 * its key once the mock reports it in `status` (2 done, 1 running).
 * @param {string} user
 * @param {string} c
 * @param {string} knobs
 * @param {number} status
 */
async function job(user, c, knobs, status) {
  const body = JSON.stringify({
    timestamp: 1625106207, ext_type: 'XLSX', title: TITLE, user_id: user, callback: '',
    source_raw: JSON.stringify([{ name: '姓名' }, { name: '李雷' }, { name: '韩梅梅' }]),
  });
  const r = await fetch(`${BASE}/v1/export/raw?client=${c}&${knobs}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
  const created = await r.json();
  assert.equal(created.errcode, 0, `the job of ${user} started: ${JSON.stringify(created)}`);
  const key = created.data.hash_key;
  await until(`job ${key} in status ${status}`, async () => {
    const d = await (await fetch(`${BASE}/v1/export/detail?key=${key}&client=${c}`)).json();
    return d.data?.status === status;
  });
  return key;
}

/** The list requests the mock recorded for `c`. @param {string} c */
const lists = async (c) => (await requests(c)).filter((r) => r.method === 'GET' && r.path === LIST).length;

test('<k12-export-history> in the markup, inserted later, changed or removed while the runtime loads: one render each, nothing after removal', async (t) => {
  const user = client('history-user');
  const running = client('history-running');
  await job(user, client('history-setup'), 'durationMs=0', 2);
  await job(running, client('history-setup'), 'scenario=never-finishes', 1);
  const c = { markup: client('h-markup'), old: client('h-old'), changed: client('h-changed'), gone: client('h-gone'), later: client('h-later') };

  const page = `<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>导出记录</title></head><body>
<k12-export-history id="markup" options='${esc(options(user, c.markup))}'></k12-export-history>
<k12-export-history id="changed" options='${esc(options(user, c.old))}'></k12-export-history>
<k12-export-history id="gone" options='${esc(options(user, c.gone))}'></k12-export-history>
<script src="/embed/k12-export-classic.js"></script>
<script>
  // While the runtime with the history panel loads (the server holds it back): one element gets
  // other options, another leaves the page.
  setTimeout(() => {
    window.whileLoading = !document.querySelector('#markup').shadowRoot.querySelector('.k12x-history');
    document.querySelector('#changed').setAttribute('options', ${JSON.stringify(options(user, c.changed))});
    document.querySelector('#gone').remove();
  }, 100);
</script>
</body></html>`;
  const host = await startHost({
    mock: BASE,
    pages: { '/history.html': page },
    slow: { latencyMs: 1000, kbps: 1e6, match: /\/runtime_all(_bg\.wasm|\.js)$/ },
  });
  t.after(() => host.close());

  const { page: p } = await open(t);
  await p.goto(`${host.base}/history.html`);
  for (const id of ['markup', 'changed']) {
    await p.locator(`#${id}`).locator('.k12x-history-item[data-state="done"]').waitFor({ timeout: 20000 });
  }
  assert.equal(await p.evaluate(() => window.whileLoading), true, 'the options changed while the runtime loaded');

  // Inserted by script once the runtime is there.
  await p.evaluate((o) => {
    document.body.insertAdjacentHTML('beforeend', `<k12-export-history id="later"></k12-export-history>`);
    document.querySelector('#later')?.setAttribute('options', o);
  }, options(user, c.later));
  await p.locator('#later').locator('.k12x-history-item[data-state="done"]').waitFor({ timeout: 20000 });

  // Each element shows one panel with the job, under its title.
  const panels = await p.evaluate(() => ['markup', 'changed', 'later'].map((id) => {
    const root = document.getElementById(id)?.shadowRoot;
    if (!root) throw new Error(`#${id} has no shadow root`);
    return [id, root.querySelectorAll('.k12x-history').length, [...root.querySelectorAll('.k12x-history-title')].map((e) => e.textContent)];
  }));
  assert.deepEqual(panels, [['markup', 1, [TITLE]], ['changed', 1, [TITLE]], ['later', 1, [TITLE]]]);

  // Time for any second render's request to arrive: one list request per render, none for the
  // options replaced before the runtime came, nothing at all for the element that left.
  await sleep(1000);
  assert.deepEqual(
    { markup: await lists(c.markup), changed: await lists(c.changed), later: await lists(c.later) },
    { markup: 1, changed: 1, later: 1 },
    'one list request per render',
  );
  assert.deepEqual(await requests(c.old), [], 'nothing under the options replaced while the runtime loaded');
  assert.deepEqual(await requests(c.gone), [], 'nothing from the element removed while the runtime loaded');

  // Each panel now follows a running job (a list request every 200 ms or so), then its element
  // is removed: from then on, no request.
  const poll = { markup: client('h-markup-poll'), changed: client('h-changed-poll'), later: client('h-later-poll') };
  await p.evaluate((all) => {
    for (const [id, o] of all) {
      const el = document.getElementById(id);
      if (!el) throw new Error(`no #${id}`);
      el.setAttribute('options', o);
    }
  }, Object.entries(poll).map(([id, pc]) => [id, options(running, pc, { historyRefreshMs: 200 })]));
  for (const pc of Object.values(poll)) await until(`the panel of ${pc} polling`, async () => (await lists(pc)) >= 2);
  await p.evaluate(() => {
    for (const id of ['markup', 'changed', 'later']) {
      const el = document.getElementById(id);
      if (!el) throw new Error(`no #${id}`);
      el.remove();
    }
  });
  // A request already on its way when the element left may still arrive.
  await sleep(300);
  const before = await Promise.all(Object.values(poll).map(lists));
  await sleep(2500);
  assert.deepEqual(await Promise.all(Object.values(poll).map(lists)), before, 'no list request after element.remove()');
  assert.deepEqual(await p.errors(), []);
});
