// Correlation ids (#16 §3): every log line written while a request is handled names the request,
// and a proxy's X-Request-Id or W3C traceparent becomes that name, so logs can be joined.
import { Writable } from "node:stream";
import { context, defaultTextMapGetter, propagation, trace } from "@opentelemetry/api";
import { describe, expect, it } from "vitest";
import pino from "pino";
import { correlationId, LOG_OPTIONS } from "@/lib/log";
import { registerTracing, traceIdFromRequestId } from "@/lib/tracing";

registerTracing();

/** Runs `fn` in a span whose parent comes from request headers, as Next.js does for each request. */
function inRequest<T>(headers: Record<string, string>, fn: () => T): T {
  const parent = propagation.extract(context.active(), headers, defaultTextMapGetter);
  return context.with(parent, () =>
    trace.getTracer("test").startActiveSpan("GET", (span) => {
      try {
        return fn();
      } finally {
        span.end();
      }
    }),
  );
}

function captured() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const l of String(chunk).split("\n").filter(Boolean)) lines.push(JSON.parse(l));
      done();
    },
  });
  // Keystep's own options, at info (tests run with logging silenced).
  return { lines, logger: pino({ ...LOG_OPTIONS, level: "info" }, stream) };
}

describe("correlation ids", () => {
  it("a proxy's X-Request-Id (nginx's 32 hex characters, or a UUID) is the request's id", () => {
    expect(traceIdFromRequestId("0af7651916cd43dd8448eb211c80319c")).toBe("0af7651916cd43dd8448eb211c80319c");
    expect(traceIdFromRequestId("6F9619FF-8B86-D011-B42D-00C04FC964FF")).toBe("6f9619ff8b86d011b42d00c04fc964ff");
    for (const bad of [undefined, "", "abc", "0".repeat(32), "g".repeat(32), "0af7651916cd43dd8448eb211c80319c0", "<script>"]) expect(traceIdFromRequestId(bad), String(bad)).toBeNull();
  });

  it("every log line written inside a request carries its id; a line outside a request carries none", () => {
    const { lines, logger } = captured();
    const id = inRequest({ "x-request-id": "0af7651916cd43dd8448eb211c80319c" }, () => {
      logger.info({ kind: "audit" }, "inside");
      return correlationId();
    });
    logger.info("outside");
    expect(id).toBe("0af7651916cd43dd8448eb211c80319c");
    expect(lines[0]).toMatchObject({ msg: "inside", req_id: "0af7651916cd43dd8448eb211c80319c" });
    expect(lines[1]?.msg).toBe("outside");
    expect(lines[1]).not.toHaveProperty("req_id");
  });

  it("a W3C traceparent wins over X-Request-Id, and a request with neither still gets a fresh id of its own", () => {
    const traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    expect(inRequest({ traceparent, "x-request-id": "0af7651916cd43dd8448eb211c80319c" }, correlationId)).toBe("4bf92f3577b34da6a3ce929d0e0e4736");
    const a = inRequest({}, correlationId);
    const b = inRequest({}, correlationId);
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(b).toMatch(/^[0-9a-f]{32}$/);
    expect(a).not.toBe(b);
  });
});
