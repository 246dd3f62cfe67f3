import { type Context, type TextMapGetter, type TextMapPropagator, TraceFlags, trace } from "@opentelemetry/api";
import { CompositePropagator, W3CTraceContextPropagator } from "@opentelemetry/core";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";

/**
 * Correlation ids (#16 §3): every log line written while a request is handled carries the
 * request's id, so one login can be followed through Keystep's logs and joined with the proxy's.
 *
 * The mechanism is OpenTelemetry's trace context, the one Next.js itself supports: once a tracer
 * provider is registered, Next wraps each request (and the proxy pass before it) in a span and runs
 * the route handler, server action or render inside it, continuing an incoming W3C `traceparent`.
 * The request's id is that span's trace id (32 hex characters). No exporter is configured, so no
 * span leaves the process; a deployment that wants traces registers its own exporter in a fork.
 *
 * A reverse proxy that does not speak W3C trace context usually sends `X-Request-Id` (nginx's
 * `$request_id` is 32 hex characters). The propagator below takes it as the trace id when it is
 * 32 hex characters or a UUID, so nginx's access log and Keystep's lines share one id. The id is
 * for logs only and grants nothing, so a client choosing its own id gains nothing; a proxy should
 * still overwrite the header (docs/proxy.md).
 */
export const REQUEST_ID_HEADER = "x-request-id";

const HEX32 = /^[0-9a-f]{32}$/;

/** The trace id a `X-Request-Id` value stands for: 32 hex characters or a UUID, else none. */
export function traceIdFromRequestId(value: string | undefined): string | null {
  if (!value) return null;
  const id = value.trim().toLowerCase().replace(/-/g, "");
  return HEX32.test(id) && !/^0+$/.test(id) ? id : null;
}

/** Reads `X-Request-Id` as a remote parent (extract only: Keystep calls no service that would read it). */
export class RequestIdPropagator implements TextMapPropagator {
  inject(): void {}
  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    const raw = getter.get(carrier, REQUEST_ID_HEADER);
    const traceId = traceIdFromRequestId(Array.isArray(raw) ? raw[0] : raw);
    if (!traceId) return context;
    // A span id is needed for a valid remote context; the proxy gives none, so take the trace id's tail.
    return trace.setSpanContext(context, { traceId, spanId: traceId.slice(16), traceFlags: TraceFlags.SAMPLED, isRemote: true });
  }
  fields(): string[] {
    return [REQUEST_ID_HEADER];
  }
}

let registered = false;

/**
 * Registers the process's tracer provider (once): trace context from `traceparent` first, then
 * `X-Request-Id`. Called at boot (instrumentation.ts → lib/boot.ts), before the first request.
 */
export function registerTracing(): void {
  if (registered) return;
  registered = true;
  new NodeTracerProvider().register({
    propagator: new CompositePropagator({ propagators: [new RequestIdPropagator(), new W3CTraceContextPropagator()] }),
  });
}
