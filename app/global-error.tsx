"use client";

/** Last resort for a bug: plain words, no stack trace (English only: i18n itself may be what failed). */
export default function GlobalError() {
  return (
    <html lang="en">
      <body style={{ fontFamily: "system-ui, sans-serif", padding: "2rem" }}>
        <h1>Something went wrong</h1>
        <p role="alert">We could not finish this step. Start signing in again from your application.</p>
      </body>
    </html>
  );
}
