// The popover's dealings with the page (src/components/button.rs, progress_popover.rs), in JS:
// a few lines here, a dozen imports of the wasm there.

// While a popover is open, Esc anywhere closes it (WCAG 1.4.13): `close(1)`; and so does a press
// anywhere else than on the button and its popover, as on a touch screen there is no pointer
// leaving: `close(2)`. The two are recognised in the event's composed path by the popover's id, so
// a shadow root around the widget makes no difference; the press is heard in the capture phase, so
// a host page stopping its propagation does not either. Returns the function that stops it.
/**
 * @param {string} popId
 * @param {(how: number) => void} close
 */
export function closeOn(popId, close) {
  /** @param {KeyboardEvent} e */
  const key = (e) => {
    if (e.key === 'Escape') close(1);
  };
  /** @param {PointerEvent} e */
  const press = (e) => {
    const inside = e
      .composedPath()
      .some((n) => n instanceof Element && (n.id === popId || n.getAttribute('aria-describedby') === popId));
    if (!inside) close(2);
  };
  document.addEventListener('keydown', key);
  document.addEventListener('pointerdown', press, true);
  return () => {
    document.removeEventListener('keydown', key);
    document.removeEventListener('pointerdown', press, true);
  };
}

// Where the box `pop` (its own box, as rendered: zoom, fonts and long names included) opens at
// `anchor`, `gap` pixels away: below and to the right unless that would be clipped by the viewport
// and the other side has more room. 1: align its right edge with the anchor's; 2: open above.
/**
 * @param {Element} anchor
 * @param {HTMLElement} pop
 * @param {number} gap
 */
export function place(anchor, pop, gap) {
  const r = anchor.getBoundingClientRect();
  const w = pop.offsetWidth, h = pop.offsetHeight + gap;
  // How far each side would stick out of the viewport; flip only when that clips less.
  const over = (/** @type {number} */ v) => Math.max(v, 0);
  const right = over(r.left + w - innerWidth), left = over(w - r.right);
  const below = over(r.bottom + h - innerHeight), above = over(h - r.top);
  return (right > 0 && left < right ? 1 : 0) | (below > 0 && above < below ? 2 : 0);
}
