export interface EmailMessage {
  to: string;
  subject: string;
  html: string;
  text: string;
}

export interface SmsMessage {
  /** E.164 */
  to: string;
  body: string;
  locale: string;
  flowId: string;
}

export type DeliveryError = "timeout" | "rejected" | "unavailable" | "misconfigured";
export type DeliveryResult = { ok: true; id?: string } | { ok: false; error: DeliveryError; detail: string };

export interface EmailSender {
  send(m: EmailMessage): Promise<DeliveryResult>;
}

export interface SmsSender {
  send(m: SmsMessage): Promise<DeliveryResult>;
}
