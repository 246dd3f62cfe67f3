import { unstable_rethrow } from "next/navigation";
import { env } from "@/lib/env";
import { UNAVAILABLE_PATH } from "@/lib/errors";
import { isWebAuthnFactor, webauthnFinish, webauthnOptions } from "@/lib/flow/webauthn-ceremony";
import { log } from "@/lib/log";

export const dynamic = "force-dynamic";

const json = (body: unknown, status = 200) => Response.json(body, { status, headers: { "cache-control": "no-store", "x-content-type-options": "nosniff" } });

/**
 * The only server entry for WebAuthn ceremonies, called by the one browser client
 * (client/webauthn.ts) on every screen that runs one: passkey and security-key setup and
 * challenges, and the passkey offer (/upgrade). `{ step: "options" }` returns the creation or
 * request options (the challenge is stored on the flow), `{ step: "finish", response, remember }`
 * verifies and says where to go next (lib/flow/webauthn-ceremony.ts).
 *
 * Threat: cross-site request forgery. The flow cookie is SameSite=Lax (never sent on a cross-site
 * POST), the body must be JSON (a cross-origin fetch with it needs a CORS preflight we never
 * answer), and the Origin must be Keystep's public URL (KEYSTEP_PUBLIC_URL).
 */
export async function POST(request: Request, { params }: { params: Promise<{ factor: string }> }): Promise<Response> {
  const origin = request.headers.get("origin");
  if (origin !== env().publicUrl.origin) return json({ error: "forbidden" }, 403);
  if (!request.headers.get("content-type")?.startsWith("application/json")) return json({ error: "unsupported" }, 415);
  const { factor } = await params;
  if (!isWebAuthnFactor(factor)) return json({ error: "not_found" }, 404);
  let body: { step?: unknown; response?: unknown; remember?: unknown };
  try {
    body = (await request.json()) as typeof body;
  } catch {
    return json({ error: "bad_request" }, 400);
  }
  if (typeof body !== "object" || body === null) return json({ error: "bad_request" }, 400);
  try {
    if (body.step === "options") return json(await webauthnOptions(factor));
    if (body.step === "finish") return json(await webauthnFinish(factor, body.response, body.remember === true));
  } catch (e) {
    // A dependency failed (the database went away mid-ceremony): 503, and the browser goes to the
    // same "unavailable" page every screen gives (decision 0011), never a bare 500.
    unstable_rethrow(e);
    log.error({ err: e }, "webauthn ceremony failed");
    return json({ next: UNAVAILABLE_PATH }, 503);
  }
  return json({ error: "bad_request" }, 400);
}
