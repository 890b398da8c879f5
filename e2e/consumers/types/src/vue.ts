import { createApp, h, type GlobalComponents } from 'vue';
import 'k12-export';
import type {} from 'k12-export/vue';

// In templates, <k12-export-button> and <k12-export-history> are typed (GlobalComponents):
//   <k12-export-button :config="config" :data="data" filename="K12作业统计-{termName}"
//                      @export-done="(e) => console.info(e.detail.filename)" />
type ButtonProps = InstanceType<GlobalComponents['k12-export-button']>['$props'];

const props: ButtonProps = {
  config: JSON.stringify({
    'homework-export': { method: 'GET', url: '/j/org/{termId}/homework/export', rest: true, isPolling: true },
    'homework-export-progress': { method: 'GET', url: '/j/org/{termId}/homework/export/process', rest: true, isPolling: true },
  }),
  data: JSON.stringify({ termId: 1001, termName: '2024春季班' }),
  filename: 'K12作业统计-{termName}',
  onExportDone: (e) => console.info('exported', e.detail.filename),
};

const app = createApp({ render: () => h('k12-export-button', props) });
// Vue renders them as custom elements, not as Vue components.
app.config.compilerOptions.isCustomElement = (tag) => tag.startsWith('k12-export-');
app.mount('#app');
