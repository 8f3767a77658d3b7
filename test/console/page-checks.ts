/**
 * Checks run inside the console page (as strings, so this Node-typed project needs no DOM types): form controls
 * without an accessible name, and text whose contrast with its background is below WCAG AA.
 */

/** Returns descriptions of inputs, selects, textareas and buttons that have no label, aria-label or text. */
export const UNLABELLED_CONTROLS = `(() => {
  const named = (el) => {
    if (el.getAttribute('aria-label') || el.getAttribute('aria-labelledby')) return true;
    if (el.labels && [...el.labels].some((l) => l.textContent.trim())) return true;
    return el.tagName === 'BUTTON' && el.textContent.trim().length > 0;
  };
  return [...document.querySelectorAll('input, select, textarea, button')]
    .filter((el) => el.type !== 'hidden' && el.getClientRects().length > 0 && !named(el))
    .map((el) => el.outerHTML.slice(0, 120));
})()`;

/** Returns "ratio tag.class: text" for visible text under 4.5:1 (3:1 when large), disabled controls excepted. */
export const LOW_CONTRAST_TEXT = `(() => {
  const parse = (c) => {
    const m = /rgba?\\(([^)]+)\\)/.exec(c);
    if (!m) return null;
    const [r, g, b, a = 1] = m[1].split(/[\\s,/]+/).filter(Boolean).map(Number);
    return { r, g, b, a };
  };
  const channel = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
  const lum = (c) => 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b);
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c.a > 0.5) return c;
    }
    return { r: 255, g: 255, b: 255, a: 1 };
  };
  const failures = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.trim();
    const el = node.parentElement;
    if (!text || !el || el.closest('.sr-only, :disabled, option, dialog:not([open])')) continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || el.getClientRects().length === 0) continue;
    const fg = parse(style.color);
    if (!fg) continue;
    const bg = background(el);
    const hi = Math.max(lum(fg), lum(bg));
    const lo = Math.min(lum(fg), lum(bg));
    const ratio = (hi + 0.05) / (lo + 0.05);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    if (ratio < (large ? 3 : 4.5)) failures.push(ratio.toFixed(2) + ' ' + el.tagName + '.' + el.className + ': ' + text.slice(0, 40));
  }
  return failures;
})()`;

/** Collects Content-Security-Policy violations into `window.__cspViolations` (installed before any page script). */
export const RECORD_CSP_VIOLATIONS = `
  window.__cspViolations = [];
  document.addEventListener('securitypolicyviolation', (e) => {
    window.__cspViolations.push(e.violatedDirective + ' ' + (e.blockedURI || '') + ' ' + (e.sourceFile || '') + ':' + e.lineNumber);
  });
`;
