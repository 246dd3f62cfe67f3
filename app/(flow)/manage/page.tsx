import { getFormatter, getTranslations } from "next-intl/server";
import { Alert } from "@/components/Alert";
import { Button, ButtonLink } from "@/components/Button";
import { CancelForm } from "@/app/(flow)/_ui/CancelForm";
import { Shell } from "@/app/_ui/Shell";
import { listDevices } from "@/lib/devices/repo";
import { listActive } from "@/lib/factors/authenticators";
import { factorLabels } from "@/lib/factors/labels";
import { remainingRecoveryCodes } from "@/lib/factors/recovery-code/factor";
import { isFactorId } from "@/lib/factors/registry";
import { reactScreen, requireStep } from "@/lib/flow/guard";
import { options } from "@/lib/flow/next-step";
import { regenerateRecoveryCodes } from "@/app/(flow)/_ui/recovery-actions";
import { finishManaging, forgetAllDevices, removeFactor, renameFactor } from "./actions";
import { appTranslator } from "@/lib/i18n/app";
import { INLINE_LINK, Surface, Text, TextInput } from "@/components/Text";

const RESULTS = ["renamed", "removed", "forgotten", "name_invalid", "last_factor", "not_found"] as const;
const OK = new Set(["renamed", "removed", "forgotten"]);

/** Self-service management (token `intent: "manage"`), after a fresh challenge. */
async function ManagePage({ searchParams }: { searchParams: Promise<{ result?: string }> }) {
  const { ctx, factors } = await requireStep("manage");
  const user = { tenant: ctx.flow.tenant, sub: ctx.flow.sub };
  const [t, names, wa, format, query, rows, codes, devices] = await Promise.all([
    getTranslations("manage"),
    appTranslator().then(factorLabels),
    getTranslations("webauthn"),
    getFormatter(),
    searchParams,
    listActive(ctx.db, user),
    remainingRecoveryCodes(ctx.db, user),
    listDevices(ctx.db, user),
  ]);
  const result = RESULTS.find((r) => r === query.result);
  const date = (ms: number | null) => (ms === null ? t("never") : format.dateTime(new Date(Number(ms)), { dateStyle: "medium" }));
  const canAdd = options(ctx.flow, factors).enroll.length > 0;
  const remembered = devices.filter((d) => d.remembered_until !== null && Number(d.remembered_until) > ctx.now).length;
  // A name the user gave (a passkey's) is kept as typed; otherwise the factor's name in the user's language.
  const label = (r: (typeof rows)[number]) => r.label || (isFactorId(r.factor) ? names.name(r.factor) : r.factor);
  const link = INLINE_LINK;

  return (
    <Shell title={t("title")} intro={t("intro")} footer={<CancelForm />}>
      <div className="flex flex-col gap-6">
        {result ? (
          OK.has(result) ? (
            <Surface as="p" role="status" className="px-4 py-3 text-sm font-medium">
              {t(`result.${result}`)}
            </Surface>
          ) : (
            <Alert>{t(`result.${result}`)}</Alert>
          )
        ) : null}
        <section aria-labelledby="methods-heading" className="flex flex-col gap-3">
          <Text as="h2" id="methods-heading" className="text-base font-semibold">
            {t("methods")}
          </Text>
          <ul className="flex list-none flex-col gap-3 p-0">
            {rows.map((r) => (
              <Surface as="li" kind="outline" key={r.id} className="px-4 py-3" data-testid="factor-row">
                <Text className="font-semibold break-words">{label(r)}</Text>
                {/* The kind under a name the user gave; a row without one is already titled by its kind. */}
                {r.label || r.factor.startsWith("webauthn") ? (
                  <Text tone="muted" className="text-sm">
                    {[r.label ? (isFactorId(r.factor) ? names.name(r.factor) : r.factor) : null, r.factor.startsWith("webauthn") ? (r.backed_up ? wa("synced") : wa("deviceOnly")) : null]
                      .filter(Boolean)
                      .join(" · ")}
                  </Text>
                ) : null}
                <Text tone="muted" className="text-sm">
                  {t("added", { date: date(r.created_at) })} · {t("lastUsed", { date: date(r.last_used_at) })}
                </Text>
                <div className="mt-2 flex flex-wrap items-center gap-4">
                  {r.factor.startsWith("webauthn") ? (
                    <details className="w-full">
                      <summary className={`cursor-pointer ${link}`}>{t("rename")}</summary>
                      <form action={renameFactor} className="mt-2 flex flex-col gap-2">
                        <input type="hidden" name="id" value={r.id} />
                        <Text as="label" htmlFor={`name-${r.id}`} className="text-sm font-medium">
                          {t("nameLabel")}
                        </Text>
                        <TextInput id={`name-${r.id}`} name="name" defaultValue={label(r)} maxLength={64} required />
                        <Button type="submit" variant="secondary">
                          {t("save")}
                        </Button>
                      </form>
                    </details>
                  ) : null}
                  {rows.length > 1 ? (
                    <form action={removeFactor}>
                      <input type="hidden" name="id" value={r.id} />
                      <button type="submit" className={link} aria-label={t("removeNamed", { name: label(r) })}>
                        {t("remove")}
                      </button>
                    </form>
                  ) : (
                    <Text as="span" tone="muted" className="text-sm">
                      {t("lastOne")}
                    </Text>
                  )}
                </div>
              </Surface>
            ))}
          </ul>
          {canAdd ? (
            <ButtonLink href="/choose" variant="secondary">
              {t("add")}
            </ButtonLink>
          ) : null}
        </section>
        <ActionSection id="codes" title={t("codes")} status={t("codesLeft", { count: codes })} action={regenerateRecoveryCodes} button={t("regenerate")} />
        <ActionSection id="devices" title={t("devices")} status={t("devicesRemembered", { count: remembered })} action={devices.length > 0 ? forgetAllDevices : undefined} button={t("forget")} />
        <form action={finishManaging}>
          <Button type="submit">{t("done")}</Button>
        </form>
      </div>
    </Shell>
  );
}

/** A management section with one status line and, when there is something to do, one button. */
function ActionSection({ id, title, status, action, button }: { id: string; title: string; status: string; action?: () => Promise<void>; button: string }) {
  return (
    <section aria-labelledby={`${id}-heading`} className="flex flex-col gap-2">
      <Text as="h2" id={`${id}-heading`} className="text-base font-semibold">
        {title}
      </Text>
      <Text tone="muted" className="text-sm">
        {status}
      </Text>
      {action ? (
        <form action={action}>
          <Button type="submit" variant="secondary">
            {button}
          </Button>
        </form>
      ) : null}
    </section>
  );
}

export default reactScreen(ManagePage);
