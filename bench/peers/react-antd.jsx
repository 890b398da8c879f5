// Peer baseline: the same export button as a React 18 + antd 5 component (antd Button, Tooltip,
// Progress and message), the stack a typical K12 admin page would use for it.
import { useEffect, useRef, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { Button, Progress, Tooltip, message } from 'antd';
import { Exporter } from './exporter.js';
import { defineElement, emit } from './element.js';

function ExportButton({ options, host }) {
  const [state, setState] = useState({ status: 'idle', percent: null, filename: '' });
  const [toast, toastHolder] = message.useMessage();
  const exporter = useRef(null);
  if (!exporter.current) {
    exporter.current = new Exporter(options, (s, event) => {
      setState(s);
      if (event && event[0] === 'export-error') toast.error(`导出失败：${event[1].message}`, 5);
      emit(host, event);
    });
  }
  useEffect(() => () => exporter.current.dispose(), []);
  useEffect(() => { exporter.current.setOptions(options); }, [options]);

  const busy = state.status === 'exporting';
  const title = busy ? (
    <div style={{ width: 240 }}>
      <div style={{ overflow: 'hidden', whiteSpace: 'nowrap', textOverflow: 'ellipsis' }}>{state.filename}</div>
      <Progress percent={state.percent ?? 0} size="small" status="active" />
    </div>
  ) : null;
  return (
    <>
      {toastHolder}
      <Tooltip title={title} open={busy ? undefined : false} placement="bottomLeft">
        <Button type="primary" loading={busy} onClick={() => exporter.current.start()}>
          {options.label || '导出'}
        </Button>
      </Tooltip>
    </>
  );
}

/** Mounts a button into `host` (its children are replaced); returns `{update, destroy}`. */
export function mount(host, options) {
  host.replaceChildren();
  const root = createRoot(host);
  root.render(<ExportButton options={options} host={host} />);
  return {
    update(o) { root.render(<ExportButton options={o} host={host} />); },
    destroy() { root.unmount(); },
  };
}

defineElement('k12-peer-button', mount);
