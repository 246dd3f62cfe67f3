import { reactScreen } from "@/lib/flow/guard";
import { getTranslations } from "next-intl/server";
import { Shell } from "@/app/_ui/Shell";
import { Alert } from "@/components/Alert";
import { Button, ButtonLink } from "@/components/Button";
import { Checkbox, INLINE_LINK, Select, Surface, TextArea, TextInput } from "@/components/Text";
import { CONSOLE_ACTIONS, consoleAction, LINK_LIFETIMES } from "@/lib/console/actions";
import { offeredFactors } from "@/lib/enrollment-links";
import { factorLabels } from "@/lib/factors/labels";
import type { Translate } from "@/lib/i18n/translate";
import { EnrollLinkForm } from "./EnrollLinkForm";
import { findUsersByEmail, recentFlows } from "@/lib/console/find";
import { consoleActor, currentConsoleSession } from "@/lib/console/request";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { MAX_CONSECUTIVE_FAILURES } from "@/lib/factors/authenticators";
import { parseUserKey, resolveTenant, showUser } from "@/lib/support/ops";
import { runConsoleAction, signOut } from "./actions";

/** Codes a redirect may carry in `?error=`; anything else reads as "invalid". */
const ERRORS = new Set([
  "expired",
  "failed",
  "not_operator",
  "mfa_missing",
  "unavailable",
  "signed_out",
  "invalid",
  "unconfirmed",
  "reason",
  "invalid_user_id",
  "invalid_authenticator_id",
  "tenant_required",
  "tenant_unknown",
  "user_not_found",
  "authenticator_not_found",
  "no_recovery_request",
  "reason_required",
]);

/** A part of the user view: its heading names the section for screen readers. */
function Section({ id, title, children }: { id: string; title: string; children: React.ReactNode }) {
  return (
    <section aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`} className="text-lg font-semibold">
        {title}
      </h2>
      {children}
    </section>
  );
}

type Search = Record<string, string | string[] | undefined>;
const one = (v: string | string[] | undefined) => (typeof v === "string" ? v : "");

async function ConsolePage({ searchParams }: { searchParams: Promise<Search> }) {
  const [t, root, params] = await Promise.all([getTranslations("console"), getTranslations(), searchParams]);
  const names = factorLabels(root as unknown as Translate);
  const factorName = names.nameOf;
  const errorCode = one(params.error);
  const error = errorCode ? <Alert>{t(`errors.${ERRORS.has(errorCode) ? errorCode : "invalid"}`)}</Alert> : null;
  const settings = env().console;
  if (!settings) return <Shell title={t("off.title")} intro={t("off.body")} />;
  const session = await currentConsoleSession();
  if (!session)
    return (
      <Shell title={t("title")} intro={t("signIn.body")}>
        <div className="flex flex-col gap-4">
          {error}
          <ButtonLink href="/console/login">{t("signIn.button")}</ButtonLink>
        </div>
      </Shell>
    );

  const tenants = env().tenants;
  const tenant = resolveTenant(tenants, one(params.tenant) || settings.tenant, "the tenant field");
  const query = one(params.q).trim();
  const userParam = one(params.user) || (query && !query.includes("@") ? query : "");
  const fmt = (iso: string | null) => (iso ? new Date(iso).toISOString().replace("T", " ").slice(0, 16) : t("never"));

  let body: React.ReactNode = null;
  if (tenant.ok && query.includes("@")) {
    const matches = await findUsersByEmail(db(), tenant.value, query);
    body = (
      <section aria-labelledby="matches" className="mt-6">
        <h2 id="matches" className="text-lg font-semibold">
          {t("search.matches")}
        </h2>
        {matches.length === 0 ? (
          <p>{t("search.none")}</p>
        ) : (
          <ul className="mt-2 list-disc ps-5">
            {matches.map((sub) => (
              <li key={sub}>
                <a className={INLINE_LINK} href={`/console?${new URLSearchParams({ tenant: tenant.value, user: sub })}`}>
                  {sub}
                </a>
              </li>
            ))}
          </ul>
        )}
      </section>
    );
  } else if (tenant.ok && userParam) {
    const key = parseUserKey(tenant.value, userParam);
    const view = key.ok ? await showUser(db(), key.value, await consoleActor(session)) : key;
    if (!view.ok) body = <Alert>{t(`errors.${view.error}`)}</Alert>;
    else {
      const u = view.value;
      const flows = await recentFlows(db(), { tenant: u.tenant, sub: u.sub });
      const confirming = consoleAction(one(params.confirm));
      // Issuing an enrollment link answers with a URL shown once: its own form (EnrollLinkForm).
      const linking = one(params.confirm) === "enroll_link";
      const authenticator = one(params.authenticator);
      const done = consoleAction(one(params.done));
      const link = (extra: Record<string, string>) => `/console?${new URLSearchParams({ tenant: u.tenant, user: u.sub, ...extra })}`;
      const confirmForm = confirming ? (
        <Surface as="form" kind="outline" action={runConsoleAction} className="mt-4 flex flex-col gap-3 p-4" aria-labelledby="confirm-heading">
          <h3 id="confirm-heading" className="font-semibold">
            {t(`actions.${confirming.id}.confirm`)}
          </h3>
          <input type="hidden" name="tenant" value={u.tenant} />
          <input type="hidden" name="user" value={u.sub} />
          <input type="hidden" name="action" value={confirming.id} />
          {confirming.perAuthenticator ? <input type="hidden" name="authenticator" value={authenticator} /> : null}
          <label htmlFor="reason" className="font-medium">
            {t("confirm.reason")}
          </label>
          <TextArea id="reason" name="reason" required minLength={3} maxLength={500} rows={2} />
          <label className="flex items-start gap-2">
            <Checkbox name="confirmed" value="yes" required />
            <span>{t("confirm.check")}</span>
          </label>
          <div className="flex flex-wrap gap-2">
            <Button type="submit" variant="primary">
              {t(`actions.${confirming.id}.label`)}
            </Button>
            <a className={`self-center ${INLINE_LINK}`} href={link({})}>
              {t("confirm.cancel")}
            </a>
          </div>
        </Surface>
      ) : null;
      body = (
        <div className="mt-6 flex flex-col gap-6">
          {done ? <p role="status">{t(`actions.${done.id}.done`)}</p> : null}
          <section aria-labelledby="user-heading">
            <h2 id="user-heading" className="text-lg font-semibold break-all">
              {t("user.heading", { sub: u.sub })}
            </h2>
            <p className="text-sm">{t("user.recoveryCodes", { remaining: u.recoveryCodes.remaining, issued: u.recoveryCodes.issued })}</p>
            <p className="mt-2 flex flex-wrap gap-x-4 gap-y-1">
              {CONSOLE_ACTIONS.filter((a) => !a.perAuthenticator && (a.offered?.(u) ?? true)).map((a) => (
                <a key={a.id} className={INLINE_LINK} href={link({ confirm: a.id })}>
                  {t(`actions.${a.id}.label`)}
                </a>
              ))}
              <a className={INLINE_LINK} href={link({ confirm: "enroll_link" })}>
                {t("link.heading")}
              </a>
            </p>
            {confirming && !confirming.perAuthenticator ? confirmForm : null}
            {linking ? (
              <EnrollLinkForm
                tenant={u.tenant}
                user={u.sub}
                factors={offeredFactors(env()).map((id) => ({ id, name: names.name(id) }))}
                labels={{
                  heading: t("link.heading"),
                  intro: t("link.intro"),
                  factor: t("link.factor"),
                  anyFactor: t("link.anyFactor"),
                  lifetime: t("link.lifetime"),
                  lifetimes: Object.fromEntries(LINK_LIFETIMES.map((l) => [l, t(`link.lifetimes.${l}`)])),
                  reason: t("confirm.reason"),
                  check: t("confirm.check"),
                  submit: t("link.submit"),
                  pending: t("link.pending"),
                  url: t("link.url"),
                }}
              />
            ) : null}
          </section>
          <Section id="recovery" title={t("user.recovery.heading")}>
            {u.recovery ? (
              <p className="text-sm" data-testid="console-recovery">
                {t(`user.recovery.${u.recovery.status === "ready" ? "ready" : "pending"}`, {
                  created: fmt(u.recovery.createdAt),
                  ready: fmt(u.recovery.readyAt),
                })}
                {u.recovery.approvedBy ? ` · ${t("user.recovery.approved")}` : ""}
                {` · ${u.recovery.userAgent ?? "?"}${u.recovery.ip ? ` · ${u.recovery.ip}` : ""}`}
              </p>
            ) : (
              <p>{t("user.none")}</p>
            )}
          </Section>
          <Section id="factors" title={t("user.factors")}>
            {u.factors.length === 0 ? <p>{t("user.none")}</p> : null}
            <ul className="mt-2 flex flex-col gap-3" data-testid="console-factors">
              {u.factors.map((f) => {
                const locked = f.failureCount >= MAX_CONSECUTIVE_FAILURES;
                return (
                  <Surface as="li" kind="outline" key={f.id} className="p-3 text-sm">
                    <p className="font-medium">
                      {factorName(f.factor)}
                      {f.label ? ` · ${f.label}` : ""}
                      {f.destination ? ` · ${f.destination}` : ""}
                    </p>
                    <p>
                      {t(`user.status.${locked ? "locked" : f.status}`)} · {t("user.added", { at: fmt(f.createdAt) })} · {t("user.lastUsed", { at: fmt(f.lastUsedAt) })}
                    </p>
                    {CONSOLE_ACTIONS.filter((a) => a.perAuthenticator && (a.when?.(f) ?? true)).map((a) => (
                      <a key={a.id} className={`me-3 ${INLINE_LINK}`} href={link({ confirm: a.id, authenticator: f.id })}>
                        {t(`actions.${a.id}.label`)}
                      </a>
                    ))}
                    {confirming?.perAuthenticator && authenticator === f.id ? confirmForm : null}
                  </Surface>
                );
              })}
            </ul>
          </Section>
          <Section id="devices" title={t("user.devices")}>
            {u.devices.filter((d) => d.rememberedUntil).length === 0 ? <p>{t("user.none")}</p> : null}
            <ul className="mt-2 list-disc ps-5 text-sm">
              {u.devices
                .filter((d) => d.rememberedUntil)
                .map((d) => (
                  <li key={d.id}>
                    {d.userAgent ?? "?"} · {t("user.rememberedUntil", { at: fmt(d.rememberedUntil) })}
                  </li>
                ))}
            </ul>
          </Section>
          <Section id="flows" title={t("user.flows")}>
            {flows.length === 0 ? <p>{t("user.none")}</p> : null}
            <ul className="mt-2 list-disc ps-5 text-sm">
              {flows.map((f) => (
                <li key={f.createdAt}>
                  {fmt(f.createdAt)} · {f.client ?? "?"} · {t(`user.outcome.${f.outcome ?? "pending"}`)}
                  {f.amr.length ? ` · ${f.amr.map(factorName).join(", ")}` : ""}
                  {f.reason ? ` · ${f.reason}` : ""}
                </li>
              ))}
            </ul>
          </Section>
          <Section id="audit" title={t("user.audit")}>
            <ol className="mt-2 flex flex-col gap-1 text-sm" data-testid="console-audit">
              {u.events.map((e, i) => (
                // Events have no id in the view; their order is stable within one answer.
                <li key={i} className="break-words">
                  {fmt(e.at)} · {e.event}
                  {e.factor ? ` · ${factorName(e.factor)}` : ""}
                  {e.outcome ? ` · ${e.outcome}` : ""}
                  {typeof e.detail?.operator === "string" ? ` · ${e.detail.operator}` : ""}
                  {/* An operator's reason; other events' `reason` (a policy's, a denial's) is not a quote. */}
                  {e.event.startsWith("admin.") && typeof e.detail?.reason === "string" ? ` · “${e.detail.reason}”` : ""}
                </li>
              ))}
            </ol>
          </Section>
        </div>
      );
    }
  }

  return (
    <Shell wide title={t("title")} intro={t("signedInAs", { name: session.operator.email ?? session.operator.name ?? session.operator.sub })}>
      <p className="mb-4">
        <a className={INLINE_LINK} href="/console/stats">
          {t("stats.link")}
        </a>
      </p>
      <form action={signOut}>
        <Button type="submit" variant="secondary">
          {t("signOut")}
        </Button>
      </form>
      {error ? <div className="mt-4">{error}</div> : null}
      <form method="get" action="/console" className="mt-6 flex flex-col gap-2" role="search">
        <label htmlFor="q" className="font-medium">
          {t("search.label")}
        </label>
        <TextInput id="q" name="q" type="search" defaultValue={query || userParam} required />
        {tenants.length > 1 ? (
          <>
            <label htmlFor="tenant" className="font-medium">
              {t("search.tenant")}
            </label>
            <Select id="tenant" name="tenant" defaultValue={tenant.ok ? tenant.value : ""}>
              {tenants.map((x) => (
                <option key={x.id} value={x.id}>
                  {x.id}
                </option>
              ))}
            </Select>
          </>
        ) : null}
        <Button type="submit">{t("search.button")}</Button>
      </form>
      {body}
    </Shell>
  );
}

export default reactScreen(ConsolePage);
