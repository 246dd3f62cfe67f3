import { webauthnFinish, webauthnOptions } from "@/app/(flow)/_ui/webauthn-actions";
import { currentFlow } from "@/lib/flow/context";
import { env } from "@/lib/env";

export const dynamic = "force-dynamic";

const json = (body: unknown, status = 200) => Response.json(body, { status, headers: { "cache-control": "no-store", "x-content-type-options": "nosniff" } });

/**
 * The passkey ceremony for HTML-only passkey challenge screens (scripts/html-only/webauthn.js),
 * which run without React and so cannot call the server actions the React screens use. Same two
 * steps, same code: `{ step: "options" }` returns the request options (the challenge is stored on
 * the flow), `{ step: "finish", response, remember }` verifies and says where to go next.
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
  if (factor !== "webauthn-platform" && factor !== "webauthn-roaming") return json({ error: "not_found" }, 404);
  let body: { step?: unknown; response?: unknown; remember?: unknown };
  try {
    body = (await request.json()) as typeof body;
  } catch {
    return json({ error: "bad_request" }, 400);
  }
  const lookup = await currentFlow();
  if (!lookup.ok) return json({ next: `/error?reason=${lookup.reason}` });
  if (body.step === "options") return json(await webauthnOptions(factor));
  if (body.step === "finish") return json(await webauthnFinish(factor, body.response, body.remember === true));
  return json({ error: "bad_request" }, 400);
}
