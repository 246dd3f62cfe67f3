// The injected clock of the journey "a request completes after the wait" (e2e/self-recovery-wait.spec.ts).
// Loaded with `node --import` into that journey's own Keystep and simulator only (never the suite's
// shared servers; nothing in Keystep's code knows of it): both read the same offset (ms) from the file
// named by E2E_CLOCK_FILE, so the journey moves their wall clock forward together, 72 hours in a
// moment, and the tokens between them stay valid. Timers and performance.now() are left alone.
import fs from "node:fs";

const file = process.env.E2E_CLOCK_FILE;
if (!file) throw new Error("clock.mjs needs E2E_CLOCK_FILE");

const RealDate = Date;
let offset = 0;
let readAt = 0;
/** The offset, re-read when the last read is older than 20 ms (a journey writes it between requests). */
const shift = () => {
  const real = RealDate.now();
  if (real - readAt > 20) {
    readAt = real;
    try {
      offset = Number(fs.readFileSync(file, "utf8").trim()) || 0;
    } catch {
      offset = 0;
    }
  }
  return offset;
};

/** `Date` with the offset: `new Date()` and `Date.now()` are shifted, dates built from values are not. */
function ShiftedDate(...args) {
  if (!new.target) return new RealDate(RealDate.now() + shift()).toString();
  return args.length === 0 ? new RealDate(RealDate.now() + shift()) : new RealDate(...args);
}
ShiftedDate.prototype = RealDate.prototype;
ShiftedDate.now = () => RealDate.now() + shift();
ShiftedDate.parse = RealDate.parse;
ShiftedDate.UTC = RealDate.UTC;
globalThis.Date = ShiftedDate;
