import { reactScreen } from "@/lib/flow/guard";
import { getTranslations } from "next-intl/server";
import { redirect } from "next/navigation";
import { Shell } from "@/app/_ui/Shell";
import { Chart } from "@/components/Chart";
import { Button } from "@/components/Button";
import { INLINE_LINK, Select } from "@/components/Text";
import { currentConsoleSession } from "@/lib/console/request";
import { factorLabels } from "@/lib/factors/labels";
import type { Translate } from "@/lib/i18n/translate";
import { challengeRates, factorMix, lockouts, passkeyAdoption, policyOutcomes, smsByCountry } from "@/lib/console/stats";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { resolveTenant } from "@/lib/support/ops";

/** How far back the charts over time look. */
/** The periods an operator can look at (`?days=`), and the one shown first. */
const PERIODS = [7, 30, 90] as const;
const DEFAULT_DAYS = 30;

/** A figure's data as a table: what screen readers read, and what anyone can copy. */
function DataTable({ caption, head, rows }: { caption: string; head: string[]; rows: Array<Array<string | number>> }) {
  return (
    <div className="mt-2 overflow-x-auto">
      <table className="w-full text-start text-sm">
        <caption className="sr-only">{caption}</caption>
        <thead>
          <tr>
            {head.map((h) => (
              <th key={h} scope="col" className="pe-3 text-start font-semibold">
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.join("|")}>
              {r.map((c, i) => (
                <td key={i} className="pe-3">
                  {c}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

async function ConsoleStats({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const [t, root, params] = await Promise.all([getTranslations("console"), getTranslations(), searchParams]);
  const factorName = factorLabels(root as unknown as Translate).nameOf;
  const settings = env().console;
  if (!settings) return <Shell title={t("off.title")} intro={t("off.body")} />;
  if (!(await currentConsoleSession())) redirect("/console?error=signed_out");
  const tenant = resolveTenant(env().tenants, (typeof params.tenant === "string" ? params.tenant : "") || settings.tenant, "the tenant field");
  if (!tenant.ok) redirect("/console?error=tenant_required");
  const asked = Number(typeof params.days === "string" ? params.days : DEFAULT_DAYS);
  const days = (PERIODS as readonly number[]).includes(asked) ? asked : DEFAULT_DAYS;
  const since = Date.now() - days * 86_400_000;
  const prices = env().smsPrices;
  const [adoption, mix, rates, locks, sms, policy] = await Promise.all([
    passkeyAdoption(db(), tenant.value),
    factorMix(db(), tenant.value),
    challengeRates(db(), tenant.value, since),
    lockouts(db(), tenant.value, since),
    smsByCountry(db(), tenant.value, since, prices.perCountry),
    policyOutcomes(db(), tenant.value, since),
  ]);
  const s = (key: string, values?: Record<string, string | number>) => t(`stats.${key}`, values);
  const money = (n: number | null) => (n === null ? "—" : n.toFixed(2));
  const rules = [...new Set(policy.map((p) => p.rule))];
  const outcomes = [...new Set(policy.map((p) => p.outcome))];
  const figures: Array<{ id: string; title: string; chart: React.ReactNode; table: React.ReactNode; note?: string; empty: boolean }> = [
    {
      id: "adoption",
      title: s("adoption"),
      empty: adoption.length === 0,
      chart: <Chart kind="line" label={s("adoption")} labels={adoption.map((a) => a.week)} series={[{ label: s("users"), data: adoption.map((a) => a.users) }]} />,
      table: <DataTable caption={s("adoption")} head={[s("week"), s("users")]} rows={adoption.map((a) => [a.week, a.users])} />,
    },
    {
      id: "mix",
      title: s("mix"),
      empty: mix.length === 0,
      chart: <Chart kind="bar" label={s("mix")} labels={mix.map((m) => factorName(m.key))} series={[{ label: s("count"), data: mix.map((m) => m.n) }]} />,
      table: <DataTable caption={s("mix")} head={[s("factor"), s("count")]} rows={mix.map((m) => [factorName(m.key), m.n])} />,
    },
    {
      id: "rates",
      title: s("rates"),
      empty: rates.length === 0,
      chart: (
        <Chart
          kind="bar"
          stacked
          label={s("rates")}
          labels={rates.map((r) => factorName(r.factor))}
          series={[
            { label: s("success"), data: rates.map((r) => r.success) },
            { label: s("failure"), data: rates.map((r) => r.failure) },
          ]}
        />
      ),
      table: <DataTable caption={s("rates")} head={[s("factor"), s("success"), s("failure")]} rows={rates.map((r) => [factorName(r.factor), r.success, r.failure])} />,
    },
    {
      id: "lockouts",
      title: s("lockouts"),
      empty: locks.length === 0,
      chart: <Chart kind="bar" label={s("lockouts")} labels={locks.map((l) => l.key)} series={[{ label: s("count"), data: locks.map((l) => l.n) }]} />,
      table: <DataTable caption={s("lockouts")} head={[s("day"), s("count")]} rows={locks.map((l) => [l.key, l.n])} />,
    },
    {
      id: "sms",
      title: s("sms"),
      empty: sms.length === 0,
      note: s("smsNote"),
      chart: <Chart kind="bar" label={s("sms")} labels={sms.map((r) => r.country)} series={[{ label: s("messages"), data: sms.map((r) => r.messages) }]} />,
      table: <DataTable caption={s("sms")} head={[s("country"), s("messages"), s("smsCost", { currency: prices.currency })]} rows={sms.map((r) => [r.country, r.messages, money(r.cost)])} />,
    },
    {
      id: "policy",
      title: s("policy"),
      empty: policy.length === 0,
      chart: (
        <Chart
          kind="bar"
          stacked
          label={s("policy")}
          labels={rules.map((r) => r || s("defaultRule"))}
          series={outcomes.map((o) => ({ label: o, data: rules.map((r) => policy.find((p) => p.rule === r && p.outcome === o)?.n ?? 0) }))}
        />
      ),
      table: <DataTable caption={s("policy")} head={[s("rule"), s("outcome"), s("count")]} rows={policy.map((p) => [p.rule || s("defaultRule"), p.outcome, p.n])} />,
    },
  ];
  return (
    <Shell wide title={s("title")} intro={s("window", { days })}>
      <a className={INLINE_LINK} href="/console">
        {s("back")}
      </a>
      <form method="get" action="/console/stats" className="mt-4 flex flex-wrap items-end gap-2">
        <input type="hidden" name="tenant" value={tenant.value} />
        <div className="flex flex-col gap-1">
          <label htmlFor="days" className="font-medium">
            {s("period")}
          </label>
          <Select id="days" name="days" defaultValue={String(days)}>
            {PERIODS.map((d) => (
              <option key={d} value={d}>
                {s("periodDays", { days: d })}
              </option>
            ))}
          </Select>
        </div>
        <Button type="submit" variant="secondary">
          {s("show")}
        </Button>
      </form>
      <div className="mt-4 flex flex-col gap-8">
        {figures.map((f) => (
          <section key={f.id} aria-labelledby={`fig-${f.id}`} data-testid={`chart-${f.id}`}>
            <h2 id={`fig-${f.id}`} className="text-lg font-semibold">
              {f.title}
            </h2>
            {f.empty ? (
              <p>{s("empty")}</p>
            ) : (
              <>
                {f.chart}
                {f.table}
                {f.note ? <p className="mt-1 text-sm">{f.note}</p> : null}
              </>
            )}
          </section>
        ))}
      </div>
    </Shell>
  );
}

export default reactScreen(ConsoleStats);
