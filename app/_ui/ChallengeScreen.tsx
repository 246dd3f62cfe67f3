import { ChallengeFooterView, RecoveryNoticeView, RememberDeviceView, TryAnotherView } from "@/app/(flow)/_ui/views";
import { CodeFields } from "@/components/CodeFields";
import type { ChallengeParts } from "@/lib/pages/challenge";
import type { ScreenProps } from "@/lib/pages/screen";
import { HtmlOnlyScreen } from "./HtmlOnlyScreen";

/** The footer of an HTML-only challenge screen: its forms post to the screen itself. */
export function ChallengeFooterHere({ path, parts }: { path: string; parts: ChallengeParts }) {
  return <ChallengeFooterView why={parts.footer.why} notMe={{ label: parts.footer.notMe, action: path }} cancel={{ label: parts.footer.cancel, action: path }} />;
}

/**
 * "Try another method": a link to the picker, the recovery code posted to it, and "I can't use any
 * of my methods", after the notice of an open recovery request (which a sign-in here cancels).
 */
export function TryAnotherHere({ parts }: { parts: ChallengeParts }) {
  return (
    <>
      {parts.recoveryNotice ? <RecoveryNoticeView text={parts.recoveryNotice} /> : null}
      {parts.tryAnother || parts.lost ? (
        <TryAnotherView label={parts.tryAnother?.label ?? null} recovery={parts.tryAnother?.recovery ? { label: parts.tryAnother.recovery, action: "/choose" } : null} lost={parts.lost} />
      ) : null}
    </>
  );
}

/** An HTML-only "enter your code" challenge: the frame, the code form posting here, and the challenge's extras. */
export function CodeChallengeScreen({
  screen,
  parts,
  title,
  intro,
  error,
  kind = "digits",
  codeLabel,
  before,
  after,
}: {
  screen: ScreenProps<unknown>;
  parts: ChallengeParts;
  title: string;
  intro?: React.ReactNode;
  error: string | null;
  kind?: "digits" | "text";
  codeLabel?: string;
  before?: React.ReactNode;
  after?: React.ReactNode;
}) {
  const path = screen.doc.path;
  return (
    <HtmlOnlyScreen screen={screen} title={title} intro={intro} footer={<ChallengeFooterHere path={path} parts={parts} />}>
      <div className="flex flex-col gap-4">
        {before}
        <form action={path} method="post" className="flex flex-col gap-4" noValidate>
          <CodeFields
            label={codeLabel ?? parts.code.label}
            submit={parts.code.submit}
            pending={parts.code.pending}
            error={error}
            kind={kind}
            extra={parts.remember ? <RememberDeviceView label={parts.remember} /> : null}
          />
        </form>
        {after}
        <TryAnotherHere parts={parts} />
      </div>
    </HtmlOnlyScreen>
  );
}
