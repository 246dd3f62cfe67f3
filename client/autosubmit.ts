/** A menu that applies at once (`select[data-autosubmit]`, the language menu): changing it submits its form. */
export function attachAutosubmit(select: HTMLSelectElement): () => void {
  const onChange = () => select.form?.requestSubmit();
  select.addEventListener("change", onChange);
  return () => select.removeEventListener("change", onChange);
}
