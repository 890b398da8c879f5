import { mount, type K12Options } from 'k12-export';

// Where the API lives: the page's ?api= here (the tests point it at their mock backend).
const api = new URLSearchParams(location.search).get('api') ?? '';

const options: K12Options = {
  config: {
    'homework-export': { method: 'GET', url: `${api}/j/org/{termId}/homework/export`, rest: true, isPolling: true },
    'homework-export-progress': { method: 'GET', url: `${api}/j/org/{termId}/homework/export/process`, rest: true, isPolling: true },
  },
  data: { termId: 1001, termName: '2024春季班' },
  filename: 'K12作业统计-{termName}',
  ondone: ({ filename }) => {
    document.querySelector('#status')!.textContent = `已导出 ${filename}`;
  },
};

const handle = await mount(document.querySelector('#export')!, options);
// Later: handle.update({ ...options, data: { termId: 1002, termName: '2024秋季班' } }), handle.destroy().
console.debug('k12-export mounted:', handle.mounted);
