import { tickEverySecond } from "./ticker";
import { setText } from "./text";

/**
 * The resend cool-down: a button with `data-left` (milliseconds left, a duration measured on the
 * server's clock, so a phone with a wrong clock still counts right), `data-wait-label` (with
 * `{seconds}`) and `data-label`. Disabled and showing the wait label while the cool-down runs,
 * then enabled with its label. Left alone while its form is busy (the pending state owns it).
 */

export interface CountdownLabels {
  label: string;
  waitLabel: string;
}

/** What the button shows `msLeft` milliseconds before it may be used again. */
export function countdownState(msLeft: number, labels: CountdownLabels): { disabled: boolean; text: string } {
  const seconds = Math.max(0, Math.ceil(msLeft / 1000));
  return seconds > 0 ? { disabled: true, text: labels.waitLabel.replace("{seconds}", String(seconds)) } : { disabled: false, text: labels.label };
}

/**
 * Runs the cool-down on `el`, ticking every second. `leftMs` (default: `data-left`) was the time
 * left at `startMs` (a `performance.now()` reading, default: now). Attaching again replaces the
 * running countdown. Returns a function that stops it.
 */
export function attachCountdown(el: HTMLButtonElement, startMs = performance.now(), leftMs = Number(el.getAttribute("data-left"))): () => void {
  const labels = { label: el.getAttribute("data-label") ?? "", waitLabel: el.getAttribute("data-wait-label") ?? "" };
  const tick = () => {
    if (el.closest("form[aria-busy='true']")) return;
    const s = countdownState(leftMs - (performance.now() - startMs), labels);
    el.disabled = s.disabled;
    setText(el, s.text);
  };
  return tickEverySecond(el, tick);
}
