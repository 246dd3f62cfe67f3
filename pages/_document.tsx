import { Head, Html, Main, NextScript, type DocumentProps } from "next/document";
import type { DocumentData } from "@/lib/pages/screen";
import { WEBAUTHN_PROBE } from "@/lib/webauthn-probe";

/**
 * The document of every HTML-only screen (pages/, decision 0007). With the pages'
 * `unstable_runtimeJS: false`, Next emits no script of its own here; the only scripts are Keystep's
 * (public/assets/, built from client/), under the request's CSP nonce.
 */
export default function Document(props: DocumentProps) {
  const doc = (props.__NEXT_DATA__.props as { pageProps?: { doc?: DocumentData } }).pageProps?.doc;
  const nonce = doc?.nonce ?? undefined;
  return (
    <Html lang={doc?.locale ?? "en"} dir={doc?.dir ?? "ltr"}>
      <Head nonce={nonce}>
        <meta name="robots" content="noindex, nofollow" />
        <meta name="color-scheme" content="light dark" />
        <link rel="icon" href="/icon.svg" type="image/svg+xml" />
        {/* Before the first paint: passkey options show only where WebAuthn exists (app/layout.tsx says why). */}
        <script nonce={nonce} dangerouslySetInnerHTML={{ __html: WEBAUTHN_PROBE }} />
        {doc ? <style dangerouslySetInnerHTML={{ __html: doc.brandCss }} /> : null}
        {doc?.customCss ? <link rel="stylesheet" href={doc.customCss} /> : null}
      </Head>
      <body className="min-h-dvh font-sans antialiased">
        <Main />
        <NextScript nonce={nonce} />
        <script nonce={nonce} src="/assets/html-only.js" defer />
        {doc?.scripts.map((file) => (
          <script key={file} nonce={nonce} src={`/assets/${file}`} defer />
        ))}
      </body>
    </Html>
  );
}
