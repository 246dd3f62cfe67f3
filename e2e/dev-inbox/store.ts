import crypto from "node:crypto";

export interface InboxMessage {
  id: string;
  kind: "email" | "sms" | "whatsapp";
  /** Email: the SMTP envelope recipients, lower-cased, comma-separated. SMS and WhatsApp: E.164. */
  to: string;
  from?: string;
  subject?: string;
  text: string;
  html?: string;
  receivedAt: number;
  via: "smtp" | "webhook" | "twilio";
  /** SMS or WhatsApp via the webhook: what Keystep sent alongside the body. */
  locale?: string;
  flowId?: string;
}

export type NewMessage = Omit<InboxMessage, "id" | "receivedAt">;

interface Waiter {
  pred: (m: InboxMessage) => boolean;
  resolve: (m: InboxMessage) => void;
}

/** True when `to` is one of a message's recipients (an email can have several). */
export function isAddressedTo(m: InboxMessage, to: string): boolean {
  const want = to.trim().toLowerCase();
  return m.to.split(/,\s*/).some((r) => r === want);
}

/** An in-memory message list, newest first and capped so a long demo cannot grow without bound. */
export function createStore(cap = 200) {
  const messages: InboxMessage[] = [];
  const waiters = new Set<Waiter>();

  return {
    add(m: NewMessage): InboxMessage {
      const msg: InboxMessage = { ...m, id: crypto.randomUUID(), receivedAt: Date.now() };
      messages.unshift(msg);
      if (messages.length > cap) messages.length = cap;
      for (const w of waiters) if (w.pred(msg)) waiters.delete(w), w.resolve(msg);
      return msg;
    },
    all: (): InboxMessage[] => [...messages],
    /** Resolves with the newest matching message, waiting for one to arrive if none has yet. */
    waitFor(pred: (m: InboxMessage) => boolean, timeoutMs = 10_000): Promise<InboxMessage> {
      const found = messages.find(pred);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => (waiters.delete(w), reject(new Error(`no matching message arrived within ${timeoutMs} ms`))), timeoutMs);
        const w: Waiter = { pred, resolve: (m) => (clearTimeout(timer), resolve(m)) };
        waiters.add(w);
      });
    },
  };
}
