// Memory: 500 export cycles in one page (mount, export, download, destroy), the widget only.
// After the first 20 cycles, and at checkpoints up to 500: a forced GC (CDP
// HeapProfiler.collectGarbage), then the JS heap (CDP JSHeapUsedSize), DOM nodes and JS event
// listeners (CDP metrics), and the wasm linear memory (the WebAssembly.Memory among the exports
// of the instance whose glue module /embed/k12-export.js's `ready` resolves to). Both memories
// must end within 1 MiB of their level after cycle 20 (wasm memory never shrinks: its growth is
// what counts).
import { BLANK, CONFIG, IMPLS, clientId, freshPage, int, metrics, mib, signedKib, table } from './lib.mjs';

const BOUND = 1048576;

async function measure(page, cdp) {
  for (let i = 0; i < 3; i++) await cdp.send('HeapProfiler.collectGarbage');
  const m = await metrics(cdp);
  const wasm = await page.evaluate(async () => {
    // The loader's `ready` resolves to the K12 runtime's glue module once its wasm runs; the
    // glue's init() answers the wasm exports of that instance (no second fetch or instance).
    const loader = await import('/embed/k12-export.js');
    const glue = loader.ready ? await loader.ready : await import('/embed/runtime_k12.js');
    const exports = await glue.default();
    // The build may minify export names: take the export that is a WebAssembly.Memory.
    const memory = exports.memory instanceof WebAssembly.Memory ? exports.memory : Object.values(exports).find((v) => v instanceof WebAssembly.Memory);
    if (!memory) throw new Error('no WebAssembly.Memory among the wasm exports');
    return memory.buffer.byteLength;
  });
  return { heap: m.JSHeapUsedSize, wasm, nodes: m.Nodes, listeners: m.JSEventListeners };
}

export async function run({ browser, base, cycles }) {
  const checkpoints = [20, ...[100, 200, 300, 400, 500, 1000, 2000].filter((c) => c < cycles), cycles];
  const { context, page, cdp, errors } = await freshPage(browser);
  await cdp.send('HeapProfiler.enable');
  await page.goto(base + BLANK);
  let downloads = 0;
  page.on('download', () => { downloads++; });
  const client = clientId('memory');
  const samples = [];
  let done = 0;
  let failures = [];
  let extraClicks = 0;
  const t0 = Date.now();
  for (const cp of checkpoints) {
    const r = await page.evaluate(async ({ n, module, button, config, client }) => {
      const d = await import('/bench/driver.js');
      const { mount } = await import(module);
      let ok = 0;
      let extra = 0;
      const failed = [];
      for (let i = 0; i < n; i++) {
        const el = d.host();
        const h = await d.mountIn(mount, el, { config, data: { termId: 1001, termName: '2024春季班', client, durationMs: 0 }, filename: 'K12作业统计-{termName}' });
        const result = d.outcome(el, 20000);
        extra += (await d.clickUntilStarted(el, button)) - 1;
        const r = await result;
        if (r.done) ok++; else failed.push(r.timedOut ? 'no outcome in 20 s' : r.detail.message);
        h.destroy();
        el.remove();
      }
      return { ok, extra, failed };
    }, { n: cp - done, module: IMPLS.widget.module, button: IMPLS.widget.button, config: CONFIG, client });
    done = cp;
    extraClicks += r.extra;
    failures = failures.concat(r.failed);
    samples.push({ cycles: cp, ...(await measure(page, cdp)), exported: r.ok });
  }
  const seconds = (Date.now() - t0) / 1000;
  await page.waitForTimeout(500);
  await context.close();

  const first = samples[0];
  const last = samples[samples.length - 1];
  const heapGrowth = last.heap - first.heap;
  const wasmGrowth = last.wasm - first.wasm;
  const okHeap = heapGrowth <= BOUND;
  const okWasm = wasmGrowth <= BOUND;
  const span = Math.max(1, last.cycles - first.cycles);
  const perCycle = (d) => `${d >= 0 ? '+' : '−'}${(Math.abs(d) / span).toFixed(2)}`;
  const exported = samples.reduce((s, x) => s + x.exported, 0);
  const rows = samples.map((s) => [
    int(s.cycles),
    mib(s.heap),
    signedKib(s.heap - first.heap),
    mib(s.wasm),
    signedKib(s.wasm - first.wasm),
    int(s.nodes),
    int(s.listeners),
  ]);
  const markdown = [
    `${int(cycles)} cycles in one page of mount → click → export (term 1001, durationMs 0) → download → destroy() → host removed.`,
    'Each row after a forced GC. Bound: the JS heap and the wasm linear memory within 1 MiB of their level after cycle 20.',
    '',
    table(['after cycle', 'JS heap', 'vs cycle 20', 'wasm memory', 'vs cycle 20', 'DOM nodes', 'JS listeners'], rows, 'rrrrrrr'),
    '',
    `${int(exported)} of ${int(cycles)} exports done, ${int(downloads)} downloads` +
      `${failures.length ? `; failures: ${[...new Set(failures)].join('; ')}` : ''}` +
      `${extraClicks ? `; ${extraClicks} click(s) ignored right after mount()` : ''}` +
      `${errors.length ? `; page errors: ${errors.slice(0, 3).join('; ')}` : ''}.`,
    '',
    `JS heap ${signedKib(heapGrowth)} (**${okHeap ? 'within' : 'OVER'}** 1 MiB), wasm memory ${signedKib(wasmGrowth)} (**${okWasm ? 'within' : 'OVER'}** 1 MiB).`,
    `Per cycle after cycle 20: JS heap ${signedKib(heapGrowth / span)}, DOM nodes ${perCycle(last.nodes - first.nodes)}, JS event listeners ${perCycle(last.listeners - first.listeners)}` +
      ` (a host element and its listeners that outlive destroy() show up here).`,
  ].join('\n');
  return {
    title: `Memory: ${int(cycles)} export cycles`,
    markdown,
    seconds,
    checks: [
      { name: 'memory: JS heap within 1 MiB after 20 cycles', ok: okHeap, detail: signedKib(heapGrowth), checked: true },
      { name: 'memory: wasm memory within 1 MiB after 20 cycles', ok: okWasm, detail: signedKib(wasmGrowth), checked: true },
      { name: 'memory: DOM nodes and listeners do not grow', ok: last.nodes <= first.nodes && last.listeners <= first.listeners, detail: `nodes ${perCycle(last.nodes - first.nodes)}, listeners ${perCycle(last.listeners - first.listeners)} per cycle`, checked: false },
      { name: 'memory: every cycle exported', ok: exported === cycles, detail: `${exported} / ${cycles}`, checked: true },
    ],
    data: samples,
  };
}
