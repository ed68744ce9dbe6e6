/**
 * Measurements taken inside the page, as the browser computed them (never read from the CSS
 * text): font sizes and line spacing of the main texts, the size of every touch target, and the
 * contrast of each text against the background it is drawn on (WCAG 2.x relative luminance).
 * Kept as source text because the test program has no DOM types; the page runs it.
 */
export interface ElderFinding {
  kind: 'font-size' | 'line-height' | 'target' | 'contrast';
  element: string;
  value: number;
  text: string;
}

export const ELDER_PROBE = `(() => {
  const findings = [];
  const describe = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
  const visible = (el) => {
    const rect = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    return rect.width > 0 && rect.height > 0 && rect.right > 0 && style.visibility !== 'hidden' && style.display !== 'none' && !el.closest('.visually-hidden, .skip, .hidden');
  };
  const parse = (color) => {
    const m = color.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null;
    const parts = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number);
    return { r: parts[0], g: parts[1], b: parts[2], a: parts.length > 3 ? parts[3] : 1 };
  };
  const background = (el) => {
    for (let node = el; node; node = node.parentElement) {
      const c = parse(getComputedStyle(node).backgroundColor);
      if (c && c.a > 0.5) return c;
    }
    return { r: 255, g: 255, b: 255, a: 1 };
  };
  const luminance = (c) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
  };
  const ratio = (a, b) => { const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  const texts = [...document.querySelectorAll('main *, header *')].filter((el) =>
    visible(el) && !el.matches('input, select, textarea, option, img, svg, video, progress') && [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim() !== ''));
  for (const el of texts) {
    const style = getComputedStyle(el);
    const size = parseFloat(style.fontSize);
    const text = el.textContent.trim().slice(0, 40);
    if (size < 24) findings.push({ kind: 'font-size', element: describe(el), value: size, text });
    const line = style.lineHeight === 'normal' ? size * 1.2 : parseFloat(style.lineHeight);
    if (line / size < 1.3) findings.push({ kind: 'line-height', element: describe(el), value: line / size, text });
    if (el.closest(':disabled')) continue;
    const fg = parse(style.color);
    if (fg) {
      const contrast = ratio(fg, background(el));
      if (contrast < 4.5) findings.push({ kind: 'contrast', element: describe(el), value: contrast, text });
    }
  }
  const targets = [...document.querySelectorAll('a[href], button, input, select, textarea, summary')].filter(visible);
  for (const el of targets) {
    const rect = el.getBoundingClientRect();
    if (rect.width < 60 || rect.height < 60) findings.push({ kind: 'target', element: describe(el), value: Math.min(rect.width, rect.height), text: (el.textContent || el.getAttribute('aria-label') || '').trim().slice(0, 40) });
  }
  return { findings, texts: texts.length, targets: targets.length };
})()`;
