/**
 * Screen-reader and keyboard users start at the heading (`#screen-title`), unless a field takes
 * focus itself (`autofocus`) or something already has it.
 */
export function focusHeading(doc: Document = document): void {
  if (doc.querySelector("[autofocus]")) return;
  const h = doc.getElementById("screen-title");
  if (h && doc.activeElement === doc.body) h.focus({ preventScroll: true });
}
