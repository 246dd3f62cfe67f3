import type { Channel } from "./channel";
import { descriptor, type ChannelId, type FactorId } from "./registry";
import type { Factor } from "./types";

/** The server half of a factor (its setup, challenge and verify), loaded from its folder. */
export async function factor(id: FactorId): Promise<Factor<unknown>> {
  return (await descriptor(id).load()).factor;
}

/** The sender of a channel factor. */
export async function channel(id: ChannelId): Promise<Channel> {
  const c = (await descriptor(id).load()).channel;
  if (!c) throw new Error(`${id} is not a channel`);
  return c;
}
