"use client";

import { platformAuthenticatorIsAvailable } from "@simplewebauthn/browser";
import { useEffect, useState } from "react";

/**
 * Shows the passkey offer only on devices that can make a platform passkey; elsewhere (and
 * without JavaScript, via the noscript link) the user goes straight on to `fallback`.
 */
export function PlatformOnly({ fallback, label, children }: { fallback: string; label: string; children: React.ReactNode }) {
  const [ok, setOk] = useState<boolean | null>(null);
  useEffect(() => {
    platformAuthenticatorIsAvailable().then(setOk, () => setOk(false));
  }, []);
  useEffect(() => {
    if (ok === false) window.location.replace(fallback);
  }, [ok, fallback]);
  return (
    <>
      <noscript>
        {/* Passkeys need JavaScript: move on at once, with a link in case refresh is blocked. */}
        <meta httpEquiv="refresh" content={`0;url=${fallback}`} />
        <a href={fallback}>{label}</a>
      </noscript>
      {ok ? children : null}
    </>
  );
}
