// Vue 3: `import type {} from 'k12-export/vue'` once types <k12-export-button> and
// <k12-export-history> in templates (GlobalComponents): their attributes and their events
// (`@export-done="(e) => e.detail.filename"`). Vue's compiler must know them as custom elements:
// `compilerOptions.isCustomElement: (tag) => tag.startsWith('k12-export-')`.
import type { DefineComponent } from 'vue';
import type { K12ExportButtonAttributes, K12ExportEventMap, K12ExportHistoryAttributes } from './k12-export.js';

type Camel<S extends string> = S extends `${infer A}-${infer B}` ? `${Capitalize<A>}${Camel<B>}` : Capitalize<S>;

/** `onExportDone` (`@export-done` in a template) and the other events, typed. */
export type K12ExportVueEvents = {
  [K in keyof K12ExportEventMap as `on${Camel<K>}`]?: (event: K12ExportEventMap[K]) => void;
};

declare module 'vue' {
  interface GlobalComponents {
    'k12-export-button': DefineComponent<K12ExportButtonAttributes & K12ExportVueEvents>;
    'k12-export-history': DefineComponent<K12ExportHistoryAttributes & K12ExportVueEvents>;
  }
}
