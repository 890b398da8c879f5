// The package's types in plain TypeScript: options, handles, the elements and their events.
import { mount, mountHistory, ready, version, type ExportOptions, type HistoryOptions } from 'k12-export';

const config = {
  'homework-export': { method: 'GET', url: '/j/org/{termId}/homework/export', rest: true, isPolling: true },
  'homework-export-progress': { method: 'GET', url: '/j/org/{termId}/homework/export/process', rest: true, isPolling: true },
} as const;

const k12: ExportOptions = { config, data: { termId: 1001, termName: '2024春季班' }, filename: 'K12作业统计-{termName}' };
const minapp: ExportOptions = { protocol: 'minapp', baseUrl: 'https://cloud.example.com', tableId: 1, fileType: 'xlsx', titleProgress: true };
const history: HistoryOptions = { protocol: 'minapp', tableId: 1, historyLimit: 10 };

const handle = await mount(document.createElement('div'), {
  ...k12,
  onprogress: (percent) => percent?.toFixed(0),
  ondone: ({ url, filename }) => `${filename} ${url ?? ''}`,
  onerror: ({ kind, message, status, cause }) => `${kind} ${message} ${status ?? ''} ${cause ?? ''}`,
  oncancel: ({ by }) => by === 'user',
});
handle.update(minapp);
handle.start();
handle.destroy();
const panel = await mountHistory(document.createElement('div'), history);
panel.refresh();
const runtime = await ready;
runtime.mount(document.createElement('div'), { config });
const v: string = version;

const button = document.querySelector('k12-export-button')!;
button.start();
button.handle?.update(k12);
button.addEventListener('export-done', (e) => e.detail.filename.length);
button.addEventListener('export-progress', (e) => e.detail ?? 0);
button.addEventListener('export-error', (e) => e.detail.cause === 'csp');
button.addEventListener('export-cancel', (e) => e.detail.by);
button.addEventListener('export-config-error', (e) => e.detail.toUpperCase());
document.querySelector('k12-export-history')!.refresh();

// A misspelled option is an error.
// @ts-expect-error: `dat` is not an option
await mount(document.body, { config, dat: {} });
// And a missing required one.
// @ts-expect-error: MinApp needs tableId
await mount(document.body, { protocol: 'minapp' });
// A wrong event field is an error.
// @ts-expect-error: the detail has `filename`
button.addEventListener('export-done', (e) => e.detail.fileName);
// @ts-expect-error: export-progress's detail is the percent
button.addEventListener('export-progress', (e) => e.detail.percent);
// A wrong element method is an error.
// @ts-expect-error: the history panel has no start()
document.querySelector('k12-export-history')!.start();
// @ts-expect-error: the button has no refresh()
button.refresh();
// K12 has no history.
// @ts-expect-error: not a history protocol
await mountHistory(document.body, { config });

export { v };
