import { Writable } from "node:stream";
import type { Logger } from "pino";
import type * as LogModule from "@/lib/log";

/**
 * Mocks `@/lib/log` with a logger built from the real module's options (redaction included)
 * that keeps its JSON lines in `lines`, so a test reads exactly what production would print:
 *
 *   vi.mock("@/lib/log", (real) => captureLog(real, lines));
 */
export async function captureLog(importOriginal: () => Promise<unknown>, lines: string[]): Promise<typeof LogModule> {
  const real = (await importOriginal()) as typeof LogModule;
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split("\n").filter(Boolean));
      done();
    },
  });
  const log: Logger = real.createLogger(sink);
  log.level = "info";
  return { ...real, log };
}
