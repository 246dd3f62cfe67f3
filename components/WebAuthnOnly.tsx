"use client";

import { browserSupportsWebAuthn } from "@simplewebauthn/browser";
import { useEffect, useState } from "react";

/**
 * Renders its children only where WebAuthn works. Hidden until JavaScript confirms support:
 * without JavaScript (or WebAuthn) a passkey option could never succeed.
 */
export function WebAuthnOnly({ when = true, children }: { when?: boolean; children: React.ReactNode }) {
  const [supported, setSupported] = useState(false);
  useEffect(() => setSupported(browserSupportsWebAuthn()), []);
  if (!when) return <>{children}</>;
  return supported ? <>{children}</> : null;
}
