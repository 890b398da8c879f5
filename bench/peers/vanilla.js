// Peer baseline: a dependency-free export button (plain DOM), same behaviour as the widget's
// conventional predecessor. Styles are injected from this module: one file to ship.
import { Exporter } from './exporter.js';
import { defineElement, emit } from './element.js';

const CSS = `
.vx{position:relative;display:inline-flex;align-items:center;font:14px/1.5 -apple-system,BlinkMacSystemFont,"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif}
.vx-btn{height:32px;padding:0 15px;border:1px solid #2468f2;border-radius:6px;background:#2468f2;color:#fff;font:inherit;cursor:pointer}
.vx-btn:hover{background:#4a84f5;border-color:#4a84f5}
.vx-btn:focus-visible{outline:2px solid #2468f2;outline-offset:2px}
.vx-btn[aria-busy=true]{background:#f2f3f5;border-color:#d0d3d6;color:#a3a7ae;cursor:not-allowed}
.vx-tip{position:absolute;top:calc(100% + 8px);left:0;z-index:10;width:260px;padding:10px 12px;border-radius:6px;background:#fff;box-shadow:0 6px 24px rgba(31,35,41,.12)}
.vx-tip[hidden]{display:none}
.vx-name{overflow:hidden;white-space:nowrap;text-overflow:ellipsis}
.vx-bar{height:6px;margin:8px 0 4px;border-radius:3px;background:#e9ecf1;overflow:hidden}
.vx-fill{height:100%;width:0;background:#2468f2;transition:width .3s}
.vx-pct{text-align:right;color:#646a73;font-size:12px}
.vx-toast{position:fixed;top:24px;left:50%;z-index:1000;transform:translateX(-50%);padding:9px 16px;border-radius:8px;background:#fff;box-shadow:0 6px 24px rgba(31,35,41,.16)}
.vx-toast strong{color:#e5484d;margin-right:8px}
`;

function injectCss() {
  if (document.querySelector('style[data-vx]')) return;
  const style = document.createElement('style');
  style.dataset.vx = '';
  style.textContent = CSS;
  document.head.append(style);
}

/** @param {string} tag @param {string} [className] @param {string} [text] */
const el = (tag, className, text) => {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text) e.textContent = text;
  return e;
};

/**
 * Mounts a button into `host` (its children are replaced); returns `{update, destroy}`.
 * @param {HTMLElement} host
 * @param {import('./exporter.js').Options} options
 */
export function mount(host, options) {
  injectCss();
  let opts = options;
  const root = el('span', 'vx');
  const button = /** @type {HTMLButtonElement} */ (el('button', 'vx-btn', opts.label || '导出'));
  button.type = 'button';
  const tip = el('div', 'vx-tip');
  tip.role = 'tooltip';
  tip.id = `vx-tip-${Math.random().toString(36).slice(2)}`;
  tip.hidden = true;
  const name = el('div', 'vx-name');
  const bar = el('div', 'vx-bar');
  const fill = el('div', 'vx-fill');
  bar.append(fill);
  bar.role = 'progressbar';
  const pct = el('div', 'vx-pct');
  tip.append(name, bar, pct);
  root.append(button, tip);
  host.replaceChildren(root);

  let hover = false;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let toastTimer;
  /** @type {HTMLElement | null} */
  let toast = null;
  /** @param {import('./exporter.js').State} s */
  const render = (s) => {
    const busy = s.status === 'exporting';
    button.setAttribute('aria-busy', String(busy));
    if (busy) button.setAttribute('aria-describedby', tip.id); else button.removeAttribute('aria-describedby');
    tip.hidden = !(busy && hover);
    name.textContent = s.filename;
    fill.style.width = `${s.percent ?? 0}%`;
    bar.setAttribute('aria-valuenow', String(s.percent ?? 0));
    pct.textContent = s.percent === null ? '' : `${s.percent}%`;
  };
  /** @param {string} message */
  const showToast = (message) => {
    toast?.remove();
    clearTimeout(toastTimer);
    const shown = (toast = el('div', 'vx-toast'));
    shown.role = 'alert';
    shown.append(el('strong', '', '导出失败'), el('span', '', message));
    document.body.append(shown);
    toastTimer = setTimeout(() => toast?.remove(), 5000);
  };
  const exporter = new Exporter(opts, (state, event) => {
    render(state);
    if (event && event[0] === 'export-error') showToast(event[1].message);
    emit(host, event);
  });
  const onClick = () => {
    if (exporter.state.status !== 'exporting') exporter.start();
  };
  const onEnter = () => { hover = true; render(exporter.state); };
  const onLeave = () => { hover = false; render(exporter.state); };
  button.addEventListener('click', onClick);
  root.addEventListener('mouseenter', onEnter);
  root.addEventListener('mouseleave', onLeave);
  button.addEventListener('focus', onEnter);
  button.addEventListener('blur', onLeave);
  return {
    /** @param {import('./exporter.js').Options} o */
    update(o) {
      opts = o;
      exporter.setOptions(o);
      button.textContent = o.label || '导出';
    },
    destroy() {
      exporter.dispose();
      clearTimeout(toastTimer);
      toast?.remove();
      host.replaceChildren();
    },
  };
}

defineElement('k12-peer-button', mount);
