import Head from "next/head";
import { SessionWarning } from "@/components/SessionWarning";
import type { ScreenProps } from "@/lib/pages/screen";
import { Frame } from "./Frame";

/**
 * The frame of an HTML-only screen (pages/, decision 0007): the same Frame as React screens, with
 * every form posting to the screen's own URL (lib/pages/screen.ts answers the frame's intents).
 */
export function HtmlOnlyScreen({
  screen,
  title,
  intro,
  footer,
  children,
}: {
  screen: ScreenProps<unknown>;
  title: string;
  intro?: React.ReactNode;
  footer?: React.ReactNode;
  children?: React.ReactNode;
}) {
  const { doc, frame, session } = screen;
  return (
    <>
      <Head>
        <title>{doc.title}</title>
        <meta name="viewport" content="width=device-width, initial-scale=1" key="viewport" />
      </Head>
      <Frame
        data={frame}
        title={title}
        intro={intro}
        footer={footer}
        localeAction={doc.path}
        timer={session ? <SessionWarning leftMs={session.leftMs} warning={session.warning} extend={session.extend} action={doc.path} /> : null}
      >
        {children}
      </Frame>
    </>
  );
}
