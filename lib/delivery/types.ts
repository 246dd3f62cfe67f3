/** One email, already rendered; `html` and `text` carry the same content (multipart/alternative). */
export interface EmailMessage {
  to: string;
  subject: string;
  html: string;
  text: string;
}

/** One text message; `flowId` and `locale` let a webhook receiver pick a sender ID or template. */
export interface SmsMessage {
  /** E.164, e.g. +447700900123 */
  to: string;
  body: string;
  locale: string;
  flowId: string;
}

/**
 * Why a send failed, by what an operator does about it: `timeout` and `unavailable` are worth a
 * retry, `rejected` is about this message or recipient, `misconfigured` needs a config change.
 */
export type DeliveryError = "timeout" | "rejected" | "unavailable" | "misconfigured";

/** `detail` is for logs: it never contains the message body (which carries the code). */
export type DeliveryResult = { ok: true; id?: string } | { ok: false; error: DeliveryError; detail: string };

export interface EmailSender {
  send(m: EmailMessage): Promise<DeliveryResult>;
  /** Closes pooled connections (tests, graceful shutdown). */
  close?(): Promise<void>;
}

export interface SmsSender {
  send(m: SmsMessage): Promise<DeliveryResult>;
}
