import { UNAVAILABLE_PATH } from "@/lib/errors";
import { log } from "@/lib/log";
import { stepSeconds } from "@/lib/metrics";
import type { IncomingMessage } from "node:http";
import type { GetServerSideProps, GetServerSidePropsContext, GetServerSidePropsResult } from "next";
import { brandCss } from "@/lib/brand";
import { brandingFor } from "@/lib/config";
import type { FactorCtx } from "@/lib/factors/types";
import { FLOW_COOKIE, flowFromCookie } from "@/lib/flow/cookie";
import { cancelFlow, extendSignIn, type Fields, type FormOutcome, reportNotMe } from "@/lib/flow/forms";
import { flowCtx, userFactors } from "@/lib/flow/user-factors";
import { nextStep, stepPath, type UserFactors } from "@/lib/flow/next-step";
import type { Flow, Step } from "@/lib/flow/types";
import { type FrameData, frameData } from "@/lib/frame";
import { LOCALE_COOKIE, LOCALE_COOKIE_MAX_AGE, parseLocaleChoice } from "@/lib/i18n/locale-cookie";
import { direction } from "@/lib/i18n/locales";
import { resolveMessages } from "@/lib/i18n/resolve";
import { translatorOf } from "@/lib/i18n/translator";
import type { Translate } from "@/lib/i18n/translate";

/**
 * HTML-only screens (pages/, decision 0007): Pages Router pages that ship no framework
 * JavaScript. This is their one request handler. For GET and POST alike it finds the flow (no flow:
 * the error page), asks `nextStep` whether this screen is the step (otherwise it redirects there),
 * and gives the page its language and frame. Every form on such a screen posts to the screen's own
 * URL; `intent` names the form. The frame's forms (cancel, "This wasn't me", the time limit, the
 * language) are answered here; the page answers its own, usually with a redirect (303, so a reload
 * never posts again) or an error to show inline.
 */

/** What a page's handlers get: the flow and its step, the user's factors, and translators. */
export interface Screen {
  ctx: FactorCtx;
  step: Step;
  factors: UserFactors;
  locale: string;
  t: (namespace: string) => Translate;
}

/** The document around every HTML-only screen (pages/_document.tsx reads it from the page's props). */
export interface DocumentData {
  /** This screen's path: where its forms post. */
  path: string;
  locale: string;
  dir: "ltr" | "rtl";
  title: string;
  nonce: string | null;
  brandCss: string;
  customCss: string | null;
  /** Scripts beside html-only.js (public/assets/), e.g. the passkey button's. */
  scripts: string[];
}

export type ScreenProps<V> = { doc: DocumentData; frame: FrameData; session: { leftMs: number; warning: string; extend: string } | null; view: V };

export interface ScreenSpec<V> {
  /** Whether this screen may show for the flow's step (and the flow and the user's factors). */
  here: (step: Step, at: { flow: Flow; factors: UserFactors }) => boolean;
  /** Answers a form this screen owns (its `intent`); may return an error shown inline. */
  post?: (s: Screen, fields: Fields) => Promise<FormOutcome>;
  /** What the page shows; `error` is the message of a form that just failed, `intent` that form's. */
  view: (s: Screen, error: string | null, intent: string | null) => Promise<V | { redirect: string }>;
  /** The document title, from the view. */
  title: (view: V) => string;
  /** Scripts this screen needs beside html-only.js, by file name under public/assets/. */
  scripts?: string[];
}

/** A posted form larger than this is refused: every Keystep form is a few fields. */
const MAX_FORM_BYTES = 8 * 1024;

async function readForm(req: IncomingMessage): Promise<Fields | null> {
  const type = String(req.headers["content-type"] ?? "");
  if (!type.startsWith("application/x-www-form-urlencoded")) return null;
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_FORM_BYTES) return null;
    chunks.push(chunk as Buffer);
  }
  const out: Fields = {};
  for (const [k, v] of new URLSearchParams(Buffer.concat(chunks).toString("utf8"))) if (!(k in out)) out[k] = v;
  return out;
}

const go = (destination: string, post: boolean) => ({ redirect: { destination, statusCode: post ? 303 : 307 } }) as const;

/** getServerSideProps for one HTML-only screen. */
export function htmlOnlyScreen<V>(spec: ScreenSpec<V>): GetServerSideProps<ScreenProps<V>> {
  const handle = screenHandler(spec);
  // Server time per request, labelled with the step's path once the screen is the step (a closed
  // set), "redirect" otherwise: the label never comes from the request line.
  return async (gssp) => {
    const timing = { screen: "redirect" };
    const end = stepSeconds.startTimer();
    try {
      return await handle(gssp, timing);
    } catch (e) {
      // The database (or another dependency) failed mid-request: a clear, localised page that
      // says so (503), never Next's bare 500. The flow is not lost: Back retries the screen.
      log.error({ err: e, screen: timing.screen }, "html-only screen failed");
      return go(UNAVAILABLE_PATH, gssp.req.method === "POST");
    } finally {
      end({ screen: timing.screen, method: gssp.req.method === "POST" ? "POST" : "GET" });
    }
  };
}

function screenHandler<V>(spec: ScreenSpec<V>) {
  return async (gssp: GetServerSidePropsContext, timing: { screen: string }): Promise<GetServerSidePropsResult<ScreenProps<V>>> => {
    const { req, res } = gssp;
    const post = req.method === "POST";
    if (req.method !== "GET" && req.method !== "HEAD" && !post) return go("/error?reason=request_refused", true);
    const lookup = await flowFromCookie(req.cookies[FLOW_COOKIE]);
    if (!lookup.ok) return go(`/error?reason=${lookup.reason}`, post);
    const chosen = req.cookies[LOCALE_COOKIE] ?? null;
    const lang = await resolveMessages({ chosen, claim: lookup.flow.context.claims.locale, acceptLanguage: req.headers["accept-language"] ?? null });
    const t = (namespace: string): Translate => translatorOf(lang.locale, lang.messages, namespace);
    const ctx = flowCtx(lookup.flow, lang.locale);
    const factors = await userFactors(ctx.flow);
    const step = nextStep(ctx.flow, factors, ctx.now);
    if (!spec.here(step, { flow: ctx.flow, factors })) return go(stepPath(step), post);
    timing.screen = stepPath(step);

    const fields = post ? await readForm(req) : null;
    if (post && !fields) return go("/error?reason=request_refused", true);
    const screen: Screen = { ctx, step, factors, locale: lang.locale, t };
    // Back to this screen after a frame form: its path only, never anything the request line adds.
    const self = new URL(gssp.resolvedUrl, "http://keystep.invalid").pathname;

    let error: string | null = null;
    if (fields) {
      switch (fields.intent) {
        case "cancel":
          return go((await cancelFlow(ctx)).redirect, true);
        case "not-me":
          return go((await reportNotMe(ctx)).redirect, true);
        case "extend":
          await extendSignIn(ctx);
          return go(self, true);
        case "locale": {
          const locale = parseLocaleChoice(fields.locale);
          if (locale) res.setHeader("set-cookie", `${LOCALE_COOKIE}=${locale}; Path=/; Max-Age=${LOCALE_COOKIE_MAX_AGE}; HttpOnly; Secure; SameSite=Lax`);
          // The same screen again, now in the chosen language (its own GET: nothing is posted twice).
          return go(self, true);
        }
        default: {
          if (!spec.post) return go(self, true);
          const outcome = await spec.post(screen, fields);
          if ("redirect" in outcome) return go(outcome.redirect, true);
          error = outcome.error;
          // The answer to a failed form is the screen with the message: not cached, not indexed.
          res.statusCode = 200;
        }
      }
    }

    const view = await spec.view(screen, error, error ? (fields?.intent ?? null) : null);
    if (typeof view === "object" && view !== null && "redirect" in view) return go((view as { redirect: string }).redirect, post);
    const common = t("common");
    const brand = brandingFor(ctx.flow.context.claims.client_id);
    const flow = ctx.flow;
    return {
      props: {
        doc: {
          path: self,
          locale: lang.locale,
          dir: direction(lang.locale),
          title: `${spec.title(view as V)} · ${brand.name ?? common("brand")}`,
          nonce: (req.headers["x-nonce"] as string | undefined) ?? null,
          brandCss: brandCss(brand),
          customCss: brand.customCss ?? null,
          scripts: spec.scripts ?? [],
        },
        frame: frameData(brand, chosen, lang.locale, common),
        session: flow.status === "active" ? { leftMs: Math.max(0, flow.expiresAt - Date.now()), warning: common("timeoutWarning", { time: "{time}" }), extend: common("extend") } : null,
        view: view as V,
      },
    };
  };
}
