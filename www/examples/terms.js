// The example pages' own part (not the widget's): the organisation's terms (the mock backend's
// /j/org/terms) in the page's term picker (#term) and table (#rows), the chosen term's row marked,
// and the page's query parameters, which the pages pass on to the export for trying the mock
// backend's scenarios (?scenario=fail&scheme=B…).

/**
 * A term as /j/org/terms lists it (the fields the pages show).
 * @typedef {{ termId: number, name: string, students: number }} Term
 */

/** The page's query parameters: extra export parameters. @type {Record<string, string>} */
export const extra = Object.fromEntries(new URLSearchParams(location.search));

/**
 * The element `#id`, which the page has.
 * @param {string} id
 */
function byId(id) {
  const el = document.getElementById(id);
  if (!el) throw new Error(`the page has no #${id}`);
  return el;
}

/**
 * Lists the terms in the picker and the table (a row's cells: `cells(term)`, each its text and
 * whether it is a number), then chooses one — the term of ?termId=, else 1001, else the first —
 * and another each time the picker changes: `choose(term)` runs once its row is marked (and runs
 * to its end before the picker's changes are taken).
 * @param {(term: Term) => [string | number, boolean?][]} cells
 * @param {(term: Term) => void | Promise<void>} choose
 */
export async function showTerms(cells, choose) {
  const select = /** @type {HTMLSelectElement} */ (byId('term'));
  const rows = byId('rows');
  /** @type {{ result: Term[] }} */
  const { result: terms } = await (await fetch('/j/org/terms')).json();
  if (!terms.length) throw new Error('/j/org/terms lists no term');
  /** @param {unknown} id */
  const term = (id) => terms.find((t) => String(t.termId) === String(id)) ?? terms[0];
  for (const t of terms) {
    select.add(new Option(t.name, String(t.termId)));
    const tr = document.createElement('tr');
    tr.dataset.term = String(t.termId);
    for (const [text, num] of cells(t)) {
      const td = document.createElement('td');
      td.textContent = String(text);
      if (num) td.className = 'num';
      tr.append(td);
    }
    rows.append(tr);
  }
  /** @param {Term} t */
  const pick = async (t) => {
    select.value = String(t.termId);
    for (const tr of rows.children) tr.setAttribute('aria-selected', String(tr instanceof HTMLElement && tr.dataset.term === String(t.termId)));
    await choose(t);
  };
  await pick(term(extra.termId || 1001));
  select.addEventListener('change', () => pick(term(select.value)));
}
