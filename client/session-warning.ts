import { tickEverySecond } from "./ticker";
import { setText } from "./text";

/**
 * The sign-in's time-limit warning (WCAG 2.2.1): a box with `data-session-left` (milliseconds
 * left, a duration from the server's clock) and a `[data-template]` child whose template holds
 * `{time}`. Hidden until the last two minutes, then shows the time left as m:ss.
 */

export const WARN_MS = 2 * 60_000;

/** `ms` as m:ss (whole seconds, rounded down). */
export function formatMinutes(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, "0")}`;
}

/** The warning text `msLeft` before the end, or null while it stays hidden. */
export function sessionWarning(msLeft: number, template: string): string | null {
  return msLeft > 0 && msLeft <= WARN_MS ? template.replace("{time}", formatMinutes(msLeft)) : null;
}

/**
 * Runs the warning on `box`, ticking every second. `leftMs` (default: `data-session-left`) was the
 * time left at `startMs` (a `performance.now()` reading, default: now). Attaching again replaces
 * the running one. Returns a function that stops it.
 */
export function attachSessionWarning(box: HTMLElement, startMs = performance.now(), leftMs = Number(box.getAttribute("data-session-left"))): () => void {
  const text = box.querySelector("[data-template]");
  const template = text?.getAttribute("data-template") ?? "";
  const tick = () => {
    const value = sessionWarning(leftMs - (performance.now() - startMs), template);
    box.hidden = value === null;
    if (value !== null && text) setText(text, value);
  };
  return tickEverySecond(box, tick);
}
