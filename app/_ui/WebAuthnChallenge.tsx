import { RememberDeviceView } from "@/app/(flow)/_ui/views";
import { WebAuthnBox } from "@/components/WebAuthnBox";
import type { ScreenProps } from "@/lib/pages/screen";
import type { WebAuthnChallengeView } from "@/lib/pages/webauthn";
import { ChallengeFooterHere, TryAnotherHere } from "./ChallengeScreen";
import { HtmlOnlyScreen } from "./HtmlOnlyScreen";

/** A passkey or security-key challenge (pages/webauthn-*.tsx; its data: lib/pages/webauthn.ts). */
export function WebAuthnChallenge(props: ScreenProps<WebAuthnChallengeView>) {
  const { view, doc } = props;
  return (
    <HtmlOnlyScreen screen={props} title={view.title} intro={view.intro} footer={<ChallengeFooterHere path={doc.path} parts={view.parts} />}>
      <div className="flex flex-col gap-4">
        {view.keys.keys.length ? (
          <ul className="flex flex-col gap-1 text-sm text-muted" aria-label={view.keys.label}>
            {view.keys.keys.map((k) => (
              <li key={k.id}>
                <span className="font-medium text-fg">{k.name}</span> · {k.kind}
              </li>
            ))}
          </ul>
        ) : null}
        {view.parts.remember ? <RememberDeviceView label={view.parts.remember} /> : null}
        <WebAuthnBox mode="challenge" endpoint={`/api/webauthn/${view.factor}`} labels={view.labels} />
        <TryAnotherHere parts={view.parts} />
      </div>
    </HtmlOnlyScreen>
  );
}
