/**
 * The "Verifying…" state of a form: once it is submitted, the submit button with
 * `data-pending-label` shows that label, every submit button of the form is disabled and the form
 * is `aria-busy`, so nobody posts twice; a second submission while busy is refused. Coming back
 * to the page from the browser's back-forward cache makes the form usable again.
 */

/** Sets or clears the pending state of `form` (labels, disabled submit buttons, aria-busy). */
export function setPending(form: HTMLFormElement, on: boolean): void {
  form.querySelectorAll("button").forEach((b) => {
    if (b.type !== "submit") return;
    b.disabled = on;
    const label = b.getAttribute("data-pending-label");
    if (!label) return;
    if (on) {
      b.setAttribute("data-label-idle", b.textContent ?? "");
      b.textContent = label;
    } else if (b.hasAttribute("data-label-idle")) b.textContent = b.getAttribute("data-label-idle");
  });
  if (on) form.setAttribute("aria-busy", "true");
  else form.removeAttribute("aria-busy");
}

/** Gives `form` the pending state on submit. Returns a function that detaches it. */
export function attachPending(form: HTMLFormElement): () => void {
  const onSubmit = (e: Event) => {
    if (form.getAttribute("aria-busy") === "true") {
      e.preventDefault();
      return;
    }
    // After the browser has built the form data: a disabled button would drop its own value.
    setTimeout(() => setPending(form, true), 0);
  };
  // Back from the next page (bfcache): the form is usable again.
  const onShow = (e: PageTransitionEvent) => {
    if (e.persisted && form.hasAttribute("aria-busy")) setPending(form, false);
  };
  form.addEventListener("submit", onSubmit);
  window.addEventListener("pageshow", onShow);
  return () => {
    form.removeEventListener("submit", onSubmit);
    window.removeEventListener("pageshow", onShow);
  };
}
