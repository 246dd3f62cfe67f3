/**
 * Sets an element's text. When the element holds exactly one text node (what React renders for
 * a string child), that node is updated in place, so React, which keeps a reference to it, never
 * finds it gone.
 */
export function setText(el: Element, text: string): void {
  const only = el.childNodes.length === 1 ? el.firstChild : null;
  if (only && only.nodeType === Node.TEXT_NODE) {
    if (only.nodeValue !== text) only.nodeValue = text;
  } else if (el.textContent !== text) el.textContent = text;
}
