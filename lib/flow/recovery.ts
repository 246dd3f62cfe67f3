import "server-only";
import { issueRecoveryCodes } from "@/lib/factors/recovery";
import type { FactorCtx } from "@/lib/factors/types";
import { decrypt, encrypt } from "@/lib/security/crypto";
import { swapPending } from "./repo";

const aad = (flowId: string) => `flow:${flowId}:recovery`;

/** Issues a new set (invalidating the old one) and keeps it sealed on the flow until saved. */
export async function sealNewCodes(ctx: FactorCtx): Promise<string[]> {
  const codes = await issueRecoveryCodes(ctx.db, ctx.env.secret, { host: ctx.flow.host, sub: ctx.flow.sub }, ctx.now);
  const sealed = encrypt(ctx.env.encryptionKey, Buffer.from(JSON.stringify(codes)), aad(ctx.flow.id));
  const pending = { ...ctx.flow.pending, recoveryCodes: sealed };
  if (!(await swapPending(ctx.db, ctx.flow, pending))) throw new Error("flow changed while issuing recovery codes");
  ctx.flow = { ...ctx.flow, pending };
  return codes;
}


/** The codes issued in this flow and not yet confirmed as saved, if any. */
export function sealedCodes(ctx: FactorCtx): string[] | null {
  const sealed = ctx.flow.pending.recoveryCodes;
  return sealed ? (JSON.parse(decrypt(ctx.env.encryptionKey, sealed, aad(ctx.flow.id)).toString()) as string[]) : null;
}
