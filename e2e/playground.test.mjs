// The designers' playground on the demo page: every gallery state legible in its card (measured,
// at 1280 and 375 px, in both languages, both themes), the theme editor (a labelled control per
// token of the stylesheet, applied live, in the link, presets with ::part rules, "复制 CSS", the
// contrast check), reached by keyboard, and clean for axe-core.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { open, BASE, ROOT, ENGINE, axe, onlyIn, until } from './lib.mjs';

/** @typedef {import('node:test').TestContext} TestContext */
/** @typedef {import('./driver/index.mjs').Page} Page */
/** A box in the page's coordinates. @typedef {{ left: number, top: number, right: number, bottom: number }} Box */

/** The public tokens, read here on their own from the stylesheet's `.k12x` rule: name → light default. */
function stylesheetTokens() {
  const css = readFileSync(join(ROOT, 'www/k12-export.css'), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');
  const rule = css.match(/(?:^|\})\s*\.k12x\s*\{([^}]*)\}/);
  assert.ok(rule, 'the stylesheet has a .k12x rule');
  return new Map([...rule[1].matchAll(/var\((--k12x-[\w-]+)\s*,\s*([^;]*)\)\s*;/g)].map((m) => [m[1], m[2].replace(/\s+/g, ' ').trim()]));
}

/**
 * The gallery is all there: every state rendered in its shadow root (in the iframe when `framed`).
 * @param {boolean} framed
 */
const rendered = (framed) => {
  const doc = framed ? document.querySelector('iframe')?.contentDocument : document;
  if (!doc) return false;
  const hosts = [...doc.querySelectorAll('.demo-gallery k12-export-button')];
  return hosts.length >= 38 && hosts.every((h) => h.shadowRoot?.querySelector('.k12x-btn'));
};

/**
 * The demo page at `hash`, once every gallery state is rendered in its shadow root.
 * @param {TestContext} t
 * @param {{ width?: number, height?: number, hash?: string }} [opts]
 */
async function demo(t, { width = 1280, height = 900, hash = '' } = {}) {
  const { page } = await open(t, { width, height });
  await page.goto(`${BASE}/${hash}`);
  await page.locator('.demo-gallery .demo-card').first().waitFor({ timeout: 20000 });
  await page.waitFor(rendered, false);
  return page;
}

/**
 * What is wrong with the gallery's layout, as sentences: a state's box (anything rendered in its
 * shadow root) outside its card's content box, two cards meeting, a caption met by any state or
 * not the topmost thing at its centre, the page wider than the viewport. Also counts what was seen.
 * @param {boolean} framed
 */
function layoutProblems(framed) {
  const win = framed ? document.querySelector('iframe')?.contentWindow : window;
  if (!win) throw new Error('no iframe with the page');
  const { document: doc, getComputedStyle } = win;
  /** @type {string[]} */
  const problems = [];
  /** @param {Element} el @param {string} css */
  const must = (el, css) => {
    const found = el.querySelector(css);
    if (!found) throw new Error(`${el.localName}.${el.className} has no ${css}`);
    return found;
  };
  // (Not `instanceof`: the elements of an iframe are of its own window's classes.)
  /** @param {Element} el */
  const shot = (el) => el.getAttribute('data-shot') ?? '?';
  // In the page's coordinates (the captions are scrolled to, below).
  /** @param {DOMRect} r @returns {Box} */
  const box = (r) => ({ left: r.left + win.scrollX, top: r.top + win.scrollY, right: r.right + win.scrollX, bottom: r.bottom + win.scrollY });
  // What of `el` can be seen: its box cut by every ancestor in its shadow root that clips.
  /** @param {Element} el */
  const seenBox = (el) => {
    const b = box(el.getBoundingClientRect());
    for (let a = el.parentElement; a; a = a.parentElement) {
      const s = getComputedStyle(a);
      if (s.overflowX === 'visible' && s.overflowY === 'visible') continue;
      const c = box(a.getBoundingClientRect());
      b.left = Math.max(b.left, c.left);
      b.top = Math.max(b.top, c.top);
      b.right = Math.min(b.right, c.right);
      b.bottom = Math.min(b.bottom, c.bottom);
    }
    return b;
  };
  /** @param {Box} r */
  const fmt = (r) => `${Math.round(r.left)},${Math.round(r.top)}–${Math.round(r.right)},${Math.round(r.bottom)}`;
  const EPS = 0.5;
  /** @param {Box} a @param {Box} b */
  const inside = (a, b) => a.left >= b.left - EPS && a.right <= b.right + EPS && a.top >= b.top - EPS && a.bottom <= b.bottom + EPS;
  /** @param {Box} a @param {Box} b */
  const meet = (a, b) => a.left < b.right - EPS && b.left < a.right - EPS && a.top < b.bottom - EPS && b.top < a.bottom - EPS;
  /** @param {Element} el @returns {Box} */
  const contentBox = (el) => {
    const r = box(el.getBoundingClientRect());
    const s = getComputedStyle(el);
    /** @param {string} p */
    const n = (p) => parseFloat(s.getPropertyValue(p)) || 0;
    return {
      left: r.left + n('border-left-width') + n('padding-left'),
      right: r.right - n('border-right-width') - n('padding-right'),
      top: r.top + n('border-top-width') + n('padding-top'),
      bottom: r.bottom - n('border-bottom-width') - n('padding-bottom'),
    };
  };
  const cards = [...doc.querySelectorAll('.demo-gallery .demo-card')];
  /** @type {Record<string, number>} */
  const seen = { cards: cards.length, popover: 0, toast: 0, 'in-app': 0 };
  /** @type {{ card: Element, r: Box, what: string }[]} */
  const states = [];
  for (const card of cards) {
    const name = shot(card);
    // The state's shadow root; or, for a gallery that renders its states in the page, its stage.
    const root = card.querySelector('k12-export-button')?.shadowRoot ?? card.querySelector('.demo-stage');
    if (!root) throw new Error(`${name}: neither a rendered widget nor a stage`);
    const inner = contentBox(card);
    for (const el of root.querySelectorAll('*')) {
      // Said to screen readers only, or not rendered.
      if (el.closest('.k12x-sr') || !el.checkVisibility({ visibilityProperty: true })) continue;
      const r = seenBox(el);
      if (r.right - r.left <= 0 || r.bottom - r.top <= 0) continue;
      const part = el.getAttribute('part');
      if (part !== null && part in seen) seen[part]++;
      states.push({ card, r, what: `${name} ${el.localName}.${el.className}` });
      if (!inside(r, inner)) problems.push(`${name}: ${el.localName}.${el.className} at ${fmt(r)} is outside its card's content box ${fmt(inner)}`);
    }
  }
  for (let i = 0; i < cards.length; i++) {
    for (let j = i + 1; j < cards.length; j++) {
      const a = box(cards[i].getBoundingClientRect());
      const b = box(cards[j].getBoundingClientRect());
      if (meet(a, b)) problems.push(`cards ${shot(cards[i])} and ${shot(cards[j])} meet`);
    }
  }
  for (const card of cards) {
    const caption = must(card, 'figcaption');
    const c = box(caption.getBoundingClientRect());
    for (const s of states) if (meet(c, s.r)) problems.push(`the caption of ${shot(card)} is covered by ${s.what}`);
    // Nothing drawn over it: the caption is what a pointer at its title's centre meets.
    const title = must(caption, 'strong');
    title.scrollIntoView({ block: 'center' });
    const t = title.getBoundingClientRect();
    const hit = doc.elementFromPoint(t.left + t.width / 2, t.top + t.height / 2);
    if (!caption.contains(hit)) problems.push(`the caption of ${shot(card)} is under ${hit?.localName}.${hit?.className}`);
  }
  const wide = (doc.scrollingElement ?? doc.documentElement).scrollWidth;
  if (wide > win.innerWidth) problems.push(`the page is ${wide} px wide in a ${win.innerWidth} px viewport`);
  return { problems, seen };
}

for (const width of [1280, 375]) {
  // Firefox's and WebKitGTK's windows are at least 500 px wide: there, the page at 375 px is an
  // iframe of that width (its own viewport: media queries, innerWidth) in a page of the site.
  const framed = width < 500 && ENGINE !== 'chromium';
  test(`every gallery state holds in its card at ${width} px${framed ? ' (an iframe)' : ''}, light and dark, zh-CN and en`, async (t) => {
    /** @type {Page} */
    let page;
    if (framed) {
      ({ page } = await open(t, { width: 800, height: 900 }));
      await page.goto(`${BASE}/__frame`);
      await page.evaluate(({ src, width }) => new Promise((loaded) => {
        const f = document.createElement('iframe');
        f.style.cssText = `width: ${width}px; height: 900px; border: 0`;
        f.onload = () => loaded(null);
        f.src = src;
        document.body.replaceChildren(f);
      }), { src: `${BASE}/`, width });
      await page.waitFor(rendered, true);
      assert.equal(await page.evaluate(() => document.querySelector('iframe')?.contentWindow?.innerWidth), width);
    } else {
      page = await demo(t, { width, height: 900 });
    }
    for (const lang of ['zh-CN', 'en']) {
      if (lang === 'en') {
        if (framed) {
          await page.evaluate(() => {
            const win = document.querySelector('iframe')?.contentWindow;
            if (!win) throw new Error('no iframe with the page');
            win.location.hash = 'lang=en';
          });
        }
        else await page.locator('.demo-toggle', { text: 'English' }).click();
        await page.waitFor((framed) => (framed ? document.querySelector('iframe')?.contentDocument : document)
          ?.querySelector('.demo-gallery k12-export-button')?.shadowRoot?.textContent?.includes('Export'), framed);
      }
      const { problems, seen } = await page.evaluate(layoutProblems, framed);
      assert.deepEqual(problems, [], `${lang} at ${width} px`);
      // Not vacuous: both themes' states, with their popovers, toasts and in-app panels.
      assert.ok(seen.cards >= 38 && seen.popover >= 22 && seen.toast >= 6 && seen['in-app'] >= 2, JSON.stringify(seen));
    }
    // Each ready look too (its tokens and ::part rules).
    const presets = await page.evaluate((framed) => [...((framed ? document.querySelector('iframe')?.contentDocument : document)
      ?.querySelectorAll('.pg-preset') ?? [])].map((b) => b.getAttribute('data-preset') ?? ''), framed);
    assert.ok(presets.length >= 4, `presets: ${presets}`);
    for (const preset of presets) {
      await page.evaluate(([framed, preset]) => new Promise((done) => {
        // (An element of the iframe is not an instance of this window's HTMLElement.)
        const button = /** @type {HTMLElement | null | undefined} */ ((framed ? document.querySelector('iframe')?.contentDocument : document)?.querySelector(`.pg-preset[data-preset="${preset}"]`));
        if (!button) throw new Error(`no preset ${preset}`);
        button.click();
        requestAnimationFrame(() => requestAnimationFrame(() => done(null)));
      }), [framed, preset]);
      const { problems } = await page.evaluate(layoutProblems, framed);
      assert.deepEqual(problems, [], `${preset} at ${width} px`);
    }
    if (!framed) assert.deepEqual(await page.errors(), []);
  });
}

test('the editor has one control per token of the stylesheet, labelled with its name', async (t) => {
  const page = await demo(t);
  const tokens = stylesheetTokens();
  assert.ok(tokens.size >= 16, `tokens read from the stylesheet: ${[...tokens.keys()]}`);
  const inputs = await page.evaluate(() => [...document.querySelectorAll('.pg input')].filter((i) => i instanceof HTMLInputElement).map((i) => ({
    label: [...(i.labels ?? [])].map((l) => (l.textContent ?? '').trim()), type: i.type, hexFor: i.dataset.hexFor, name: i.getAttribute('aria-label') ?? '',
  })));
  const labelled = inputs.filter((i) => i.label.length);
  const byName = new Map(labelled.map((c) => [c.label[0], c]));
  for (const [name, value] of tokens) {
    const c = byName.get(name);
    assert.ok(c, `a control labelled ${name}`);
    assert.equal(c.label.length, 1, `${name}: one label`);
    const kind = /^#[0-9a-f]{3}([0-9a-f]{3})?$/i.test(value) ? 'color' : /^\d+(\.\d+)?px$/.test(value) ? 'number' : 'text';
    assert.equal(c.type, kind, `${name} (default ${value})`);
    // Beside a colour picker, its value as text, named after the token too.
    if (kind === 'color') assert.ok(inputs.some((i) => i.hexFor === name && i.type === 'text' && i.name.startsWith(`${name} `)), `${name}: a text field`);
  }
  assert.equal(labelled.length, tokens.size, 'no labelled control for anything else');
  assert.equal(inputs.length - labelled.length, inputs.filter((i) => i.hexFor).length, 'every other field is the text of a colour');
});

/**
 * The computed style `prop` of the first element matching `css` in every gallery state of each theme that has one.
 * @param {Page} page
 * @param {string} css
 * @param {string} prop
 */
function galleryStyle(page, css, prop) {
  return page.evaluate(([css, prop]) => {
    /** @type {{ light: Set<string>, dark: Set<string> }} */
    const out = { light: new Set(), dark: new Set() };
    for (const g of document.querySelectorAll('.demo-gallery')) {
      const theme = g.classList.contains('k12x-theme-dark') ? 'dark' : 'light';
      for (const h of g.querySelectorAll('k12-export-button')) {
        const el = h.shadowRoot?.querySelector(css);
        if (el) out[theme].add(getComputedStyle(el).getPropertyValue(prop));
      }
    }
    return { light: [...out.light], dark: [...out.dark] };
  }, [css, prop]);
}

/**
 * Sets a field as a user's typing or picking does (its value, then an input event).
 * @param {Page} page
 * @param {string} name
 * @param {string} value
 */
function setField(page, name, value) {
  return page.locator(`.pg input[id="tok${name}"]`).evaluate((/** @type {HTMLInputElement} */ el, value) => {
    el.focus();
    el.value = value;
    el.dispatchEvent(new InputEvent('input', { bubbles: true }));
  }, value);
}

test('a token applies at once to every state of both themes, goes into the link and comes back from it; 重置 restores the defaults', async (t) => {
  const page = await demo(t);
  const before = await galleryStyle(page, '.k12x-bar-fill', 'background-color');
  assert.deepEqual(before, { light: ['rgb(36, 104, 242)'], dark: ['rgb(91, 143, 249)'] });
  await setField(page, '--k12x-primary', '#ff0000');
  await setField(page, '--k12x-radius', '16');
  await until('the bars turn red', async () => {
    const now = await galleryStyle(page, '.k12x-bar-fill', 'background-color');
    return now.light.join() === 'rgb(255, 0, 0)' && now.dark.join() === 'rgb(255, 0, 0)';
  });
  assert.deepEqual(await galleryStyle(page, '.k12x-btn', 'border-top-left-radius'), { light: ['16px'], dark: ['16px'] });
  // The colour as text beside the picker: it follows the picker, and takes a typed colour.
  const hex = page.locator('.pg input[data-hex-for="--k12x-primary"]');
  assert.equal(await hex.evaluate((/** @type {HTMLInputElement} */ el) => el.value), '#ff0000');
  await hex.evaluate((/** @type {HTMLInputElement} */ el) => { el.value = '00f'; el.dispatchEvent(new InputEvent('input', { bubbles: true })); });
  await until('the bars turn blue', async () => (await galleryStyle(page, '.k12x-bar-fill', 'background-color')).light.join() === 'rgb(0, 0, 255)');
  assert.equal(await page.locator('.pg input[id="tok--k12x-primary"]').evaluate((/** @type {HTMLInputElement} */ el) => el.value), '#0000ff');
  // Not a colour (yet): said, and the last good one stays.
  await hex.evaluate((/** @type {HTMLInputElement} */ el) => { el.value = '#12'; el.dispatchEvent(new InputEvent('input', { bubbles: true })); });
  await page.locator('.pg-row[data-token="--k12x-primary"] .pg-problem').waitFor();
  assert.equal(await hex.attr('aria-invalid'), 'true');
  assert.equal((await galleryStyle(page, '.k12x-bar-fill', 'background-color')).dark.join(), 'rgb(0, 0, 255)');
  await setField(page, '--k12x-primary', '#ff0000');
  assert.equal(await hex.evaluate((/** @type {HTMLInputElement} */ el) => el.value), '#ff0000');
  assert.equal(await hex.attr('aria-invalid'), null);
  const hash = '#--k12x-primary=%23ff0000&--k12x-radius=16px';
  await until(`the address ${hash}`, async () => (await page.evaluate(() => location.hash)) === hash);

  // The link, opened afresh, shows the same.
  const other = await (async () => {
    await page.goto(`${BASE}/?again${hash}`);
    await page.locator('.demo-gallery .demo-card').first().waitFor({ timeout: 20000 });
    return page;
  })();
  await until('the link restored', async () => (await galleryStyle(other, '.k12x-bar-fill', 'background-color')).dark.join() === 'rgb(255, 0, 0)');
  assert.equal(await other.locator('.pg input[id="tok--k12x-primary"]').evaluate((/** @type {HTMLInputElement} */ el) => el.value), '#ff0000');
  assert.equal(await other.locator('.pg input[id="tok--k12x-radius"]').evaluate((/** @type {HTMLInputElement} */ el) => el.value), '16');

  await other.locator('.pg-button', { text: '重置' }).click();
  await until('the defaults again', async () => (await galleryStyle(other, '.k12x-bar-fill', 'background-color')).light.join() === 'rgb(36, 104, 242)');
  assert.deepEqual(await galleryStyle(other, '.k12x-btn', 'border-top-left-radius'), { light: ['6px'], dark: ['6px'] });
  await until('no state in the address', async () => (await other.evaluate(() => location.hash)) === '');
  assert.equal(await other.locator('.pg input[id="tok--k12x-radius"]').evaluate((/** @type {HTMLInputElement} */ el) => el.value), '6');
  assert.deepEqual(await other.errors(), []);
});

test('a colour picker dragged (250 changes in a second or two) is followed live, and the address ends with the last', async (t) => {
  const page = await demo(t);
  // More changes than a browser lets a page rewrite its address in a few seconds (WebKit: 100).
  await page.locator('.pg input[id="tok--k12x-primary"]').evaluate(async (/** @type {HTMLInputElement} */ el) => {
    for (let i = 0; i < 250; i++) {
      el.value = `#${i.toString(16).padStart(2, '0')}3366`;
      el.dispatchEvent(new InputEvent('input', { bubbles: true }));
      await new Promise((r) => setTimeout(r, 4));
    }
  });
  await until('the last colour', async () => (await galleryStyle(page, '.k12x-bar-fill', 'background-color')).light.join() === 'rgb(249, 51, 102)');
  await until('the last colour in the address', async () => (await page.evaluate(() => location.hash)) === '#--k12x-primary=%23f93366');
  assert.deepEqual(await page.errors(), []);
});

test('a contrast below WCAG AA is flagged beside its colours', async (t) => {
  const page = await demo(t);
  const summary = page.locator('.pg-summary');
  assert.match(await summary.text(), /全部达到 WCAG AA/);
  await setField(page, '--k12x-text', '#aaaaaa');
  await until('the warning', async () => /⚠ 对比度：\d+ 处未达到/.test(await summary.text()));
  // Beside the text colour and beside the background it is read on, in the light theme (on the
  // dark one #aaaaaa reads well).
  for (const row of ['--k12x-text', '--k12x-bg']) {
    const pair = page.locator(`.pg-row[data-token="${row}"] .pg-pair[data-pair="--k12x-text|--k12x-bg"]`);
    assert.ok(await pair.visible(), row);
    const text = await pair.text();
    assert.match(text, /⚠ 浅色 2\.\d:1，低于 4\.5:1/, row);
    assert.doesNotMatch(text, /⚠ 深色/, row);
  }
  // The light theme's own text colour, given to both themes, fails on the dark one.
  await setField(page, '--k12x-text', '#1f2329');
  await until('the dark theme flagged', async () => /⚠ 深色 1\.\d:1/.test(await page.locator('.pg-row[data-token="--k12x-text"]').text()));
  await page.locator('.pg-button', { text: '重置' }).click();
  await until('no warning', async () => /全部达到 WCAG AA/.test(await summary.text()));
});

test('a preset sets tokens and ::part rules; 复制 CSS copies them as a ready rule and shows it', async (t) => {
  const page = await demo(t);
  if (page.context) await page.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: BASE });
  await page.locator('.pg-preset[data-preset="rounded"]').click();
  await until('the preset applied', async () => (await galleryStyle(page, '.k12x-pop', 'border-top-left-radius')).dark.join() === '14px');
  assert.equal(await page.locator('.pg-preset[data-preset="rounded"]').attr('aria-pressed'), 'true');
  assert.deepEqual(await galleryStyle(page, '.k12x-btn', 'border-top-left-radius'), { light: ['16px'], dark: ['16px'] });
  assert.deepEqual(await galleryStyle(page, '.k12x-bar', 'height'), { light: ['8px'], dark: ['8px'] });
  await setField(page, '--k12x-primary', '#c2185b');
  await page.locator('.pg-button', { text: '复制 CSS' }).click();
  const expected = 'k12-export-button {\n  --k12x-primary: #c2185b;\n  --k12x-radius: 16px;\n}\n'
    + 'k12-export-button::part(button) {\n  padding: 0 20px;\n}\n'
    + 'k12-export-button::part(popover) {\n  border-radius: 14px;\n}\n'
    + 'k12-export-button::part(bar) {\n  height: 8px;\n  border-radius: 4px;\n}\n'
    + 'k12-export-button::part(toast) {\n  border-radius: 14px;\n}\n';
  const said = page.locator('.pg-said');
  await until('copied, or selected where the clipboard is refused', async () => /已复制|请按 Ctrl\+C/.test(await said.text()));
  assert.equal(await page.locator('.pg-css').evaluate((el) => (el.textContent ?? '').trim() + '\n'), expected);
  if (ENGINE === 'chromium') {
    assert.match(await said.text(), /已复制到剪贴板/);
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), expected);
  } else if (/Ctrl\+C/.test(await said.text())) {
    assert.equal(await page.evaluate(() => String(getSelection()).trim() + '\n'), expected);
  }
  // What was copied is what the page applies: its rules, and nothing else, in the page's sheets.
  const applied = await page.evaluate(() => document.adoptedStyleSheets.flatMap((s) => [...s.cssRules].map((r) => (r instanceof CSSStyleRule ? r.selectorText : r.cssText))));
  assert.deepEqual(applied, ['k12-export-button', 'k12-export-button::part(button)', 'k12-export-button::part(popover)', 'k12-export-button::part(bar)', 'k12-export-button::part(toast)']);
  await until('the state in the address', async () => (await page.evaluate(() => location.hash)) === '#preset=rounded&--k12x-primary=%23c2185b&--k12x-radius=16px');
  assert.deepEqual(await page.errors(), []);
});

test('a link with values the page cannot take says which, and uses the rest', async (t) => {
  const bad = encodeURIComponent('x; } body { display: none');
  const page = await demo(t, { hash: `#preset=antd&--k12x-primary=red&--k12x-font=${bad}&--k12x-height=40&lang=en&--k12x-nope=1` });
  const warn = page.locator('.pg-warn');
  await warn.waitFor();
  assert.equal(await warn.text(), '链接中有 3 项无法使用，已忽略：--k12x-primary、--k12x-font、--k12x-nope');
  assert.equal(await page.locator('.pg-preset[data-preset="antd"]').attr('aria-pressed'), 'true');
  assert.deepEqual(await galleryStyle(page, '.k12x-btn', 'height'), { light: ['40px'], dark: ['40px'] });
  assert.match((await galleryStyle(page, '.k12x-btn', 'font-family')).light[0], /PingFang SC/);
  assert.equal(await page.locator('.demo-toggle', { text: 'English' }).attr('aria-pressed'), 'true');
  // The address keeps what was used only.
  await until('what was used in the address', async () => (await page.evaluate(() => location.hash)) === '#lang=en&preset=antd&--k12x-height=40px');
  assert.ok(await page.evaluate(() => getComputedStyle(document.body).display !== 'none'));
});

test('every control of the editor is reached with Tab, in order', async (t) => {
  const page = await demo(t);
  // WebKitGTK keeps colour pickers out of the Tab order whatever their tabindex: there the colour's
  // text field beside each picker is the keyboard's way to it.
  const skipPickers = ENGINE === 'webkit';
  const controls = await page.evaluate((skipPickers) => {
    const all = [...document.querySelectorAll('.pg button, .pg input, .pg [tabindex="0"]')]
      .filter((e) => e instanceof HTMLElement && e.checkVisibility() && !(skipPickers && e instanceof HTMLInputElement && e.type === 'color'))
      .map((e) => /** @type {HTMLElement} */ (e));
    all.forEach((e, i) => { e.dataset.tabOrder = String(i); });
    return all.length;
  }, skipPickers);
  assert.ok(controls >= 25, `${controls} controls`);
  // From the control before the editor (the page's last toggle), Tab by Tab. Firefox also stops
  // on the editor's own box, which scrolls beside the gallery (so that a keyboard can scroll it).
  await page.locator('.demo-toggle', { text: 'English' }).evaluate((/** @type {HTMLElement} */ el) => el.focus());
  /** @type {string[]} */
  const reached = [];
  for (let i = 0; i < controls + 3 && reached.at(-1) !== String(controls - 1); i++) {
    await page.keyboard.press('Tab');
    const at = await page.evaluate(() => {
      const a = document.activeElement;
      return (a instanceof HTMLElement ? a.dataset.tabOrder : undefined) ?? (a?.matches('aside.pg') && a.scrollHeight > a.clientHeight ? 'scroller' : `${a?.localName}.${a?.className}`);
    });
    if (at !== 'scroller') reached.push(at);
  }
  assert.deepEqual(reached, Array.from({ length: controls }, (_, i) => String(i)));
});

test('axe-core finds no violations in the playground with a preset, a warning and copied CSS', onlyIn(['chromium'], 'axe-core runs through Playwright'), async (t) => {
  const page = await demo(t);
  if (!page.context) throw new Error('Chromium only: no Playwright context');
  await page.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: BASE });
  await page.locator('.pg-preset[data-preset="compact"]').click();
  // A warning shown (on a colour no gallery state uses, so that the states themselves stay
  // legible for axe) and a value refused.
  await setField(page, '--k12x-success-text', '#aaaaaa');
  await page.locator('.pg-summary--fail').waitFor();
  await setField(page, '--k12x-font', 'bad;');
  await page.locator('.pg-button', { text: '复制 CSS' }).click();
  await page.locator('.pg-css').waitFor();
  await page.locator('.pg-problem').waitFor();
  assert.deepEqual(await axe(page), []);
});
