/** An announced message. `role="alert"` makes screen readers read it as soon as it appears. */
export function Alert({ id, children }: { id?: string; children: React.ReactNode }) {
  return (
    <div id={id} role="alert" className="rounded-brand border border-danger/40 bg-danger-bg px-4 py-3 text-sm font-medium text-danger">
      {children}
    </div>
  );
}
