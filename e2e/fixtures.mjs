// What the end-to-end suite, its stand-alone scripts and the bench give the widget, written once:
// the K12 pages' cache config of the homework export (the start and progress endpoints of the
// mock's K12 backend).

/** The cache config of the K12 homework export, as a page gives it to `mount()`. */
export const K12_CONFIG = Object.freeze({
  'homework-export': { method: 'GET', url: '/j/org/{termId}/homework/export', rest: true, isPolling: true },
  'homework-export-progress': { method: 'GET', url: '/j/org/{termId}/homework/export/process', rest: true, isPolling: true },
});

/** The same as the `config` attribute of a `<k12-export-button>` (single-quoted). */
export const K12_CONFIG_ATTR = `config='${JSON.stringify(K12_CONFIG)}'`;
