import 'k12-export';
import type {} from 'k12-export/react';

const config = JSON.stringify({
  'homework-export': { method: 'GET', url: '/j/org/{termId}/homework/export', rest: true, isPolling: true },
  'homework-export-progress': { method: 'GET', url: '/j/org/{termId}/homework/export/process', rest: true, isPolling: true },
});

export function HomeworkExport({ termId, termName }: { termId: number; termName: string }) {
  return (
    <k12-export-button
      config={config}
      data={JSON.stringify({ termId, termName })}
      filename="K12作业统计-{termName}"
      onexport-done={(e) => console.info('exported', e.detail.filename)}
      onexport-error={(e) => console.warn(e.detail.kind, e.detail.message)}
    />
  );
}
