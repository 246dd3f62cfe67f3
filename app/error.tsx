"use client";

/** A bug in one screen: keep the frame, hide the details (they are in the server log). */
export default function ScreenError() {
  return (
    <div className="flex min-h-dvh items-center justify-center p-6">
      <div role="alert" className="max-w-md rounded-brand border border-line bg-card p-6 text-fg">
        <h1 className="text-xl font-semibold">Something went wrong</h1>
        <p className="mt-2 text-muted">We could not finish this step. Start signing in again from your application.</p>
      </div>
    </div>
  );
}
