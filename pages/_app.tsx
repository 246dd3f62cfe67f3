import type { AppProps } from "next/app";
import "../app/globals.css";

/** The HTML-only screens (decision 0007) share the React screens' stylesheet. */
export default function App({ Component, pageProps }: AppProps) {
  return <Component {...pageProps} />;
}
