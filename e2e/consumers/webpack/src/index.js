import 'k12-export'; // defines <k12-export-button> and <k12-export-history>

// Where the API lives: the page's ?api= here (the tests point it at their mock backend).
const api = new URLSearchParams(location.search).get('api') ?? '';

const button = document.querySelector('k12-export-button');
button.setAttribute('config', JSON.stringify({
  'homework-export': { method: 'GET', url: `${api}/j/org/{termId}/homework/export`, rest: true, isPolling: true },
  'homework-export-progress': { method: 'GET', url: `${api}/j/org/{termId}/homework/export/process`, rest: true, isPolling: true },
}));
button.setAttribute('data', JSON.stringify({ termId: 1001, termName: '2024春季班' }));
button.addEventListener('export-done', (e) => {
  document.querySelector('#status').textContent = `已导出 ${e.detail.filename}`;
});
