import { RememberDeviceView } from "@/app/(flow)/_ui/views";
import { WebAuthnBox } from "@/components/WebAuthnBox";
import type { ScreenProps } from "@/lib/pages/screen";
import type { WebAuthnChallengeView } from "@/lib/pages/webauthn";
import { ChallengeFooterHere, TryAnotherHere } from "./ChallengeScreen";
import { HtmlOnlyScreen } from "./HtmlOnlyScreen";
import { Text } from "@/components/Text";

/** A passkey or security-key challenge (pages/webauthn-*.tsx; its data: lib/pages/webauthn.ts). */
export function WebAuthnChallenge(props: ScreenProps<WebAuthnChallengeView>) {
  const { view, doc } = props;
  return (
    <HtmlOnlyScreen screen={props} title={view.title} intro={view.intro} footer={<ChallengeFooterHere path={doc.path} parts={view.parts} />}>
      <div className="flex flex-col gap-4">
        {view.keys.keys.length ? (
          <Text as="ul" tone="muted" className="flex flex-col gap-1 text-sm" aria-label={view.keys.label}>
            {view.keys.keys.map((k) => (
              <li key={k.id}>
                <Text as="span" className="font-medium">
                  {k.name}
                </Text>{" "}
                · {k.kind}
              </li>
            ))}
          </Text>
        ) : null}
        {view.parts.remember ? <RememberDeviceView label={view.parts.remember} /> : null}
        <WebAuthnBox mode="challenge" endpoint={`/api/webauthn/${view.factor}`} labels={view.labels} />
        <TryAnotherHere parts={view.parts} />
      </div>
    </HtmlOnlyScreen>
  );
}
