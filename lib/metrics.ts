import { Counter, Histogram, register, type Registry } from "prom-client";

/**
 * Prometheus metrics (prom-client), served at /api/metrics behind KEYSTEP_METRICS_TOKEN
 * (docs/operations.md#metrics; dashboard in docs/grafana/keystep.json). Every label takes values
 * from a closed set (event names, factor ids, channels, policy rule names from the config file),
 * never from user input, so a series count cannot be driven up from outside.
 *
 * Next bundles this module into more than one server bundle in the same process; prom-client,
 * loaded once from node_modules, keeps one registry, so each metric is looked up before it is made.
 */
function once<T>(name: string, make: () => T): T {
  return (register.getSingleMetric(name) as T | undefined) ?? make();
}

/** Every audited security event (lib/audit.ts): flows opened, completed, locked, reported; checks passed and failed per factor; lockouts; support actions. */
export const events = once(
  "keystep_events_total",
  () => new Counter({ name: "keystep_events_total", help: "Audited security events by event, outcome and factor.", labelNames: ["event", "outcome", "factor"] }),
);

/** Policy decisions at entry, by outcome and matched rule. */
export const policyDecisions = once(
  "keystep_policy_decisions_total",
  () => new Counter({ name: "keystep_policy_decisions_total", help: "Policy decisions at entry by outcome (ALLOW, CHALLENGE, DENY) and rule.", labelNames: ["outcome", "rule"] }),
);

/** Codes and links sent, and why one was not: `sent`, `cooldown`, `budget_exhausted`, `budget_unavailable`, `delivery_failed`. */
export const sends = once("keystep_sends_total", () => new Counter({ name: "keystep_sends_total", help: "Sends by channel and result.", labelNames: ["channel", "result"] }));

/** Results handed back to Auth0 at /continue, by outcome and denial reason. */
export const results = once("keystep_results_total", () => new Counter({ name: "keystep_results_total", help: "Results returned to Auth0 by outcome and reason.", labelNames: ["outcome", "reason"] }));

/** How long a completed flow took, from the entry to the result. */
export const flowSeconds = once(
  "keystep_flow_duration_seconds",
  () => new Histogram({ name: "keystep_flow_duration_seconds", help: "Seconds from entry to a successful result.", buckets: [5, 10, 20, 30, 60, 120, 300, 600, 900] }),
);

/** Server time per screen request (HTML-only screens, GET and POST). */
export const stepSeconds = once(
  "keystep_step_duration_seconds",
  () =>
    new Histogram({ name: "keystep_step_duration_seconds", help: "Server time per screen request.", labelNames: ["screen", "method"], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] }),
);

export const registry: Registry = register;
