/** Hosts where plain http is acceptable (a developer's own machine). */
const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

export const SAFE_URL_RULE = "an https URL (http only for localhost) or a path starting with /; javascript:, data: and other schemes are refused";

/**
 * Whether a configured URL (a brand logo, favicon or footer link) is safe to put in `src` or
 * `href`: https anywhere, http only for localhost, or a root-relative path on Keystep's own
 * origin. Refuses `javascript:`, `data:` and every other scheme, protocol-relative `//host` and
 * its backslash twin `/\host` (browsers read both as another origin), whitespace and control
 * characters (which browsers strip, so ` javascript:` would still run).
 */
export function isSafeConfiguredUrl(value: string): boolean {
  if (/[\s\\\p{C}]/u.test(value)) return false;
  if (value.startsWith("/")) return !value.startsWith("//");
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.username || url.password) return false;
  return url.protocol === "https:" || (url.protocol === "http:" && LOCAL_HOSTS.has(url.hostname));
}
