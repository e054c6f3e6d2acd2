// Tiny DOM helpers. Everything that came from the server goes in through text nodes (never innerHTML), so a
// title like "<img onerror=...>" is shown as text instead of being run.

/**
 * Creates an element. attrs: plain attributes, plus `class`, `text` (textContent), `on<event>` (listeners) and
 * `dataset` (an object). Children may be nodes, strings (added as text) or null/false (skipped).
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value == null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'text') el.textContent = String(value);
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children) {
    if (child == null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** Shortcut for document.getElementById that fails loudly when the page and the script disagree. */
export function $(id) {
  const el = document.getElementById(id);
  if (!el) throw new Error(`index.html has no #${id}`);
  return el;
}

/** Sets an element's text and keeps the raw number in data-value, so tests read numbers, not prose. */
export function setStat(el, text, value) {
  if (el.textContent !== text) el.textContent = text;
  const raw = value == null ? '' : String(value);
  if (el.dataset.value !== raw) el.dataset.value = raw;
}
