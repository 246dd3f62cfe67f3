"use client";

import { platformAuthenticatorIsAvailable } from "@simplewebauthn/browser";
import { useEffect, useRef, useState } from "react";

/**
 * Shows `children` only on devices that can make a platform passkey. Elsewhere it submits the
 * form in `otherwise` at once (the server moves the flow on), and without JavaScript it shows it.
 */
export function PlatformOnly({ otherwise, children }: { otherwise: React.ReactNode; children: React.ReactNode }) {
  const [ok, setOk] = useState<boolean | null>(null);
  const fallback = useRef<HTMLDivElement>(null);
  useEffect(() => {
    platformAuthenticatorIsAvailable().then(setOk, () => setOk(false));
  }, []);
  useEffect(() => {
    if (ok === false) fallback.current?.querySelector("form")?.requestSubmit();
  }, [ok]);
  return (
    <>
      <noscript>{otherwise}</noscript>
      {ok === true ? children : null}
      {ok === false ? <div ref={fallback}>{otherwise}</div> : null}
    </>
  );
}
