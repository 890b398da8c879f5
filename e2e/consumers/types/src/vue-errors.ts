// What the Vue types refuse.
import type { GlobalComponents } from 'vue';
import type {} from 'k12-export/vue';

type ButtonProps = InstanceType<GlobalComponents['k12-export-button']>['$props'];
type HistoryProps = InstanceType<GlobalComponents['k12-export-history']>['$props'];

// @ts-expect-error: the detail has `filename`
export const wrongField: ButtonProps = { onExportDone: (e) => e.detail.fileName };
// @ts-expect-error: not an attribute of the button
export const wrongAttribute: ButtonProps = { filenam: 'x' };
// @ts-expect-error: the history panel has no `config`
export const notHistory: HistoryProps = { config: '{}' };
