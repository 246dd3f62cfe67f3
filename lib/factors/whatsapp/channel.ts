import { createLogSender, createTwilioSender, createWebhookSender } from "@/lib/delivery/sms";
import { once } from "@/lib/delivery/wiring";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { channelFactor, type Channel } from "../channel";
import { sendTextCode } from "../text-code";

/** The sender WHATSAPP_PROVIDER names: Twilio from the WhatsApp sender number, or the signed webhook with `channel: "whatsapp"`. */
const sender = () =>
  once("whatsapp", () => {
    const c = env().whatsapp;
    switch (c.provider) {
      case "twilio":
        return createTwilioSender({ ...c, channel: "whatsapp" });
      case "webhook":
        return createWebhookSender({ ...c, channel: "whatsapp" });
      case "log":
        return createLogSender(log, env().nodeEnv);
      case "none":
        return null;
    }
  });

/** WhatsApp codes: the text of an SMS code, with the same origin-bound last line. */
export const channel: Channel = {
  id: "whatsapp",
  send: (ctx, destination, code) => sendTextCode(ctx, "whatsapp", sender(), "WHATSAPP_PROVIDER", destination, code),
};

export const factor = channelFactor("whatsapp");
