/** Wrong answers allowed in one flow (codes, link numbers) before it ends (issue #2). */
export const MAX_FLOW_FAILURES = 5;
