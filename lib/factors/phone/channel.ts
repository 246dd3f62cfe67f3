import { smsSender } from "@/lib/delivery/wiring";
import { channelFactor, type Channel } from "../channel";
import { sendTextCode } from "../text-code";

/** SMS codes through SMS_PROVIDER (Twilio, the signed webhook, or the development log). */
export const channel: Channel = {
  id: "phone",
  send: (ctx, destination, code) => sendTextCode(ctx, "phone", smsSender(), "SMS_PROVIDER", destination, code),
};

export const factor = channelFactor("phone");
