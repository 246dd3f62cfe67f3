/**
 * Failure drills (#16 item 5): nothing is lost when a process dies, the database restarts or a
 * mail server is down. Each drill runs the production build (`npm start`'s command line) as a
 * process of its own, on PostgreSQL, and drives it as a browser without JavaScript does (plain
 * requests: e2e/support/drill.ts), so it can kill or restart things between two requests or
 * while one is in flight. The shared PostgreSQL (127.0.0.1:5432) only ever gets a schema of the
 * drill's own; the drill that restarts PostgreSQL starts a throwaway cluster for that.
 * docs/operations.md ("Failure drills") says what each proves and how to run it.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import { once } from "node:events";
import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";
import { expect, test } from "@playwright/test";
import {
  currentStep,
  drillPort,
  enter,
  finish,
  freshSchema,
  get,
  type Keystep,
  postCode,
  postForm,
  SHARED_PG,
  shownSecret,
  startCluster,
  seedTotpUsers,
  startKeystep,
  totpCode,
} from "./support/drill";

// One after the other in one worker (each starts its own Keystep), a failure skipping none of the others.
test.describe.configure({ mode: "default" });

/** Keystep's own log lines, kept beside the test's results (test-results/artifacts/…). */
const keepLog = (name: string, ks: Keystep | undefined) => ks && fs.writeFileSync(test.info().outputPath(name), ks.output());
const rand = () => crypto.randomBytes(4).toString("hex");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test("drill: kill -9 during an enrollment and right after a verification — the user finishes, no half factor remains, no code is accepted twice", async () => {
  test.setTimeout(240_000);
  const schema = await freshSchema(SHARED_PG, `drill_kill_${rand()}`);
  const port = drillPort(test.info().parallelIndex);
  let ks: Keystep = await startKeystep(port, schema.url);
  const sub = `auth0|drill-kill-${rand()}`;
  const factorRows = () => schema.query<{ id: string; last_used_step: string | null; disabled_at: string | null }>("select id, last_used_step, disabled_at from authenticators where sub = $1", [sub]);
  /** Whether the flow still holds an unconfirmed authenticator-app key (pending.otp). */
  const pendingKey = async (flowState: string) => {
    const pending = (await schema.query<{ pending: string | null }>("select pending from flows where state = $1", [flowState]))[0]?.pending;
    return pending ? "otp" in (JSON.parse(pending) as object) : false;
  };
  try {
    // How the kill is timed: at request boundaries, where the database state is asserted, and once
    // while the verifying request is in flight (SIGKILL to the whole process group, no hook in
    // Keystep). The in-flight kill lands wherever it lands, so the drill asserts what must hold
    // in every case: the enrollment either committed whole (an authenticator, no pending key) or
    // not at all (no authenticator, the same pending key), never half (lib/factors/otp/factor.ts
    // commits both in one transaction).
    const login = await enter(ks.base, sub);
    expect(login.location).toBe("/choose");
    const cookie = login.cookie!;
    const state = (await schema.query<{ state: string }>("select state from flows where sub = $1", [sub]))[0]!.state;
    const picked = await fetch(`${ks.base}/choose`, { method: "POST", body: new URLSearchParams({ factor: "otp", mode: "enroll" }), redirect: "manual", headers: { cookie, origin: ks.base } });
    expect(picked.headers.get("location")).toBe("/otp/setup");
    const setup = await get(ks.base, "/otp/setup", cookie);
    const key = shownSecret(setup.body);

    await test.step("kill -9 during the enrollment, the key shown and not yet confirmed: after the restart the same key is shown and no factor exists", async () => {
      await ks.kill9();
      expect(await factorRows()).toEqual([]);
      expect(await pendingKey(state)).toBe(true);
      ks = await startKeystep(port, schema.url);
      const again = await get(ks.base, "/otp/setup", cookie);
      expect(again.status).toBe(200);
      expect(shownSecret(again.body)).toBe(key);
    });

    const code = totpCode(key);
    await test.step("kill -9 while the confirming code is in flight: the setup committed whole or not at all, and the user finishes either way", async () => {
      const page = await get(ks.base, "/otp/setup", cookie);
      const inFlight = postCode(ks.base, "/otp/setup", page.body, cookie, code, true).catch((e: Error) => e);
      // Somewhere inside the request's work (it takes tens to hundreds of ms here): a different
      // point each run, so runs land on both sides of the commit; the invariant holds for either.
      const delay = Math.floor(Math.random() * 150);
      await sleep(delay);
      await ks.kill9();
      const answered = await inFlight;
      const rows = await factorRows();
      const pending = await pendingKey(state);
      // Whole or nothing: never a key cleared without its factor, nor a factor beside a pending key.
      expect({ factors: rows.length, pending }).toEqual(rows.length ? { factors: 1, pending: false } : { factors: 0, pending: true });
      const landed = `${rows.length ? "after" : "before"} the commit (${delay} ms; the request: ${answered instanceof Error ? answered.message : answered.status})`;
      test.info().annotations.push({ type: "in-flight kill", description: landed });
      console.log(`kill -9 drill: the in-flight kill landed ${landed}`);
      ks = await startKeystep(port, schema.url);
      if (rows.length === 0) {
        // Not committed: the same key, and the same code (never accepted) confirms it now.
        const again = await get(ks.base, "/otp/setup", cookie);
        expect(shownSecret(again.body)).toBe(key);
        const done = await postCode(ks.base, "/otp/setup", again.body, cookie, code, true);
        expect(done.status).toBe(303);
      } else {
        // Committed. The setup screen now sends the flow on: to the challenge when the kill came
        // before the flow recorded the proof, onwards when it came after.
        const where = await get(ks.base, "/otp/setup", cookie);
        expect(where.status).toBe(307);
        if (where.location === "/otp") {
          // The code the setup used is refused, the next one passes.
          const challenge = await get(ks.base, "/otp", cookie);
          const replay = await postCode(ks.base, "/otp", challenge.body, cookie, code);
          expect(replay.status).toBe(200);
          expect(replay.body).toContain("That code is not right");
          const next = await postCode(ks.base, "/otp", challenge.body, cookie, totpCode(key, currentStep() + 1));
          expect(next.status).toBe(303);
        }
      }
      const result = await finish(ks.base, cookie, "/continue");
      expect(result.body).toContain('name="session_token"');
      const after = await factorRows();
      expect(after).toHaveLength(1);
      expect(after[0]!.last_used_step).not.toBeNull();
    });

    await test.step("kill -9 right after a verification: the flow finishes after the restart, and the code is refused when replayed", async () => {
      const again = await enter(ks.base, sub);
      expect(again.location).toBe("/otp");
      const challenge = await get(ks.base, "/otp", again.cookie);
      // The code that confirmed the setup before the kill is refused in a new login.
      const setupReplay = await postCode(ks.base, "/otp", challenge.body, again.cookie!, code);
      expect(setupReplay.status).toBe(200);
      expect(setupReplay.body).toContain("That code is not right");
      // A step this user has not used yet (the setup and the step above used up to now + 1).
      const used = Number((await factorRows())[0]!.last_used_step);
      // Keystep accepts T−1..T+1, each once: wait (under 30 s) until a step after the last used one is accepted.
      while (used + 1 > currentStep() + 1) await sleep(1000);
      const step = Math.max(used + 1, currentStep() - 1);
      const fresh = totpCode(key, step);
      const verified = await postCode(ks.base, "/otp", challenge.body, again.cookie!, fresh);
      expect(verified.status).toBe(303);
      await ks.kill9();
      expect(Number((await factorRows())[0]!.last_used_step)).toBe(step);
      ks = await startKeystep(port, schema.url);
      // The verification survived: this flow goes on to Auth0 without asking again.
      const result = await finish(ks.base, again.cookie!, verified.location!);
      expect(result.body).toContain('name="session_token"');
      // The same code in a new login is refused, as it would have been without the kill.
      const replayLogin = await enter(ks.base, sub);
      const page = await get(ks.base, "/otp", replayLogin.cookie);
      const replay = await postCode(ks.base, "/otp", page.body, replayLogin.cookie!, fresh);
      expect(replay.status).toBe(200);
      expect(replay.body).toContain("That code is not right");
      expect(Number((await factorRows())[0]!.last_used_step)).toBe(step);
      const reused = await schema.query("select 1 from audit_events where sub = $1 and event = 'challenge.failure' and outcome = 'code_reused'", [sub]);
      expect(reused.length).toBeGreaterThanOrEqual(1);
    });

    // Through it all: one factor, enabled, never a second or a half one.
    const rows = await factorRows();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.disabled_at).toBeNull();
  } finally {
    await ks.stop();
    keepLog("keystep.log", ks);
    await schema.drop();
  }
});

test("drill: PostgreSQL restarts under load — every answer is a page or a clear 503, never a 500, and Keystep recovers without a restart", async () => {
  test.setTimeout(240_000);
  const port = drillPort(test.info().parallelIndex);
  const cluster = startCluster(port + 5);
  let ks: Keystep | undefined;
  try {
    const schema = await freshSchema(cluster.url, "keystep");
    ks = await startKeystep(port + 1, schema.url);
    const base = ks.base;
    const pid = ks.child.pid;

    // Users with an authenticator app (seeded as the bench seeds them), each free to log in three
    // times a 30 s window: enough for the round trips to keep going through the drill.
    const subs = Array.from({ length: 150 }, (_, i) => `auth0|drill-pg-${i}`);
    const keys = await seedTotpUsers(schema.query, subs);
    const users = subs.map((sub, i) => ({ sub, key: keys[i]!, last: -Infinity }));
    let nextUser = 0;

    /** Every answer of the load, by request, status and, for a redirect to the error page, its reason. */
    const answers = new Map<string, number>();
    const unexpected: string[] = [];
    const saw = (what: string, status: number, location: string | null) => {
      const reason = location?.startsWith("/error?reason=") ? ` ${location.slice("/error?reason=".length)}` : "";
      const key = `${what} ${status}${reason}`;
      answers.set(key, (answers.get(key) ?? 0) + 1);
      // A 5xx is a failure, except where it is the answer: the error page's own 503 and the readiness probe's.
      if (status >= 500 && !(status === 503 && (what === "error page" || what === "ready"))) unexpected.push(`${what} answered ${status}`);
      if (reason && reason !== " unavailable") unexpected.push(`${what} sent to ${location}`);
    };
    let trips = 0;
    let tripsAfter = 0;
    let back = false;
    let stop = false;

    // One round trip, as the bench makes it: entry, the challenge, the code, /continue.
    const trip = async () => {
      const u = users[nextUser++ % users.length]!;
      // Keystep accepts T−1..T+1, each step once per user: take the oldest this user has not used.
      const step = Math.max(u.last + 1, currentStep() - 1);
      if (step > currentStep() + 1) {
        await sleep(200); // every user has used its steps: wait, never spin
        return false;
      }
      const login = await enter(base, u.sub);
      saw("entry", login.status, login.location);
      if (login.location !== "/otp") return false;
      const page = await get(base, "/otp", login.cookie);
      saw("challenge", page.status, page.location);
      if (page.status !== 200) return false;
      const verify = await postCode(base, "/otp", page.body, login.cookie!, totpCode(u.key, step));
      saw("verify", verify.status, verify.location);
      if (verify.status !== 303 || verify.location?.startsWith("/error")) return false;
      u.last = step;
      const cont = await get(base, "/continue", login.cookie);
      saw("continue", cont.status, cont.location);
      return cont.body.includes('name="session_token"');
    };
    const guarded = async (work: () => Promise<unknown>) => {
      try {
        return await work();
      } catch (e) {
        unexpected.push(`request failed: ${(e as Error).message}`);
        return false;
      }
    };
    const tripWorkers = Array.from({ length: 8 }, async () => {
      while (!stop) {
        if (await guarded(trip)) {
          trips++;
          if (back) tripsAfter++;
        }
      }
    });
    // Beside the round trips, reads of both kinds of screen and the probe, on flows left open there.
    const onOtp = await enter(base, subs[0]!);
    const onSetup = await enter(base, "auth0|drill-pg-reader");
    await fetch(`${base}/choose`, { method: "POST", body: new URLSearchParams({ factor: "otp", mode: "enroll" }), redirect: "manual", headers: { cookie: onSetup.cookie!, origin: base } });
    const readWorkers = Array.from({ length: 2 }, async () => {
      while (!stop) {
        await guarded(async () => {
          const html = await get(base, "/otp", onOtp.cookie);
          saw("html-only screen", html.status, html.location);
          const react = await get(base, "/otp/setup", onSetup.cookie);
          saw("react screen", react.status, react.location);
          const ready = await get(base, "/api/health/ready");
          saw("ready", ready.status, null);
        });
        await sleep(100);
      }
    });
    const workers = [...tripWorkers, ...readWorkers];

    // A login started before the restart, finished after it.
    const early = { sub: "auth0|drill-pg-early", key: "", last: 0 };
    const earlyLogin = await enter(base, early.sub);
    await fetch(`${base}/choose`, { method: "POST", body: new URLSearchParams({ factor: "otp", mode: "enroll" }), redirect: "manual", headers: { cookie: earlyLogin.cookie!, origin: base } });
    const earlySetup = await get(base, "/otp/setup", earlyLogin.cookie);
    early.key = shownSecret(earlySetup.body);

    await sleep(3000);
    expect(trips).toBeGreaterThan(0);

    await test.step("PostgreSQL stops: screens of both kinds answer the clear, localised 'unavailable' page (503)", async () => {
      cluster.stop();
      // HTML-only screen (pages/otp.tsx) and React screen (app/(flow)/otp/setup/page.tsx).
      const html = await get(base, "/otp", earlyLogin.cookie);
      expect(html).toMatchObject({ status: 307, location: "/error?reason=unavailable" });
      const react = await get(base, "/otp/setup", earlyLogin.cookie);
      expect(react).toMatchObject({ status: 307, location: "/error?reason=unavailable" });
      // A React screen's server action posted without JavaScript (the setup's code form).
      const action = await postCode(base, "/otp/setup", earlySetup.body, earlyLogin.cookie!, "000000", true);
      expect(action).toMatchObject({ status: 303, location: "/error?reason=unavailable" });
      const errorPage = await get(base, "/error?reason=unavailable", earlyLogin.cookie, { "accept-language": "de" });
      expect(errorPage.status).toBe(503);
      expect(errorPage.body).toContain('data-reason="unavailable"');
      expect(errorPage.body).toContain('lang="de"');
      const ready = await get(base, "/api/health/ready");
      expect(ready.status).toBe(503);
      expect(JSON.parse(ready.body)).toMatchObject({ status: "unavailable", checks: { database: "unavailable" } });
      expect((await get(base, "/api/health/live")).status).toBe(200);
      // A few seconds down under load.
      await sleep(3000);
    });

    await test.step("PostgreSQL is back: Keystep answers ready again, same process, and round trips complete", async () => {
      cluster.start();
      let ready = 0;
      for (let i = 0; i < 60 && ready !== 200; i++) {
        ready = (await get(base, "/api/health/ready")).status;
        if (ready !== 200) await sleep(500);
      }
      expect(ready).toBe(200);
      back = true;
      expect(ks!.child.pid).toBe(pid);
      expect(ks!.child.exitCode).toBeNull();
      for (let i = 0; i < 60 && tripsAfter < 5; i++) await sleep(500);
      expect(tripsAfter).toBeGreaterThanOrEqual(5);
    });

    await test.step("the login started before the restart finishes after it", async () => {
      const page = await get(base, "/otp/setup", earlyLogin.cookie);
      expect(page.status).toBe(200);
      expect(shownSecret(page.body)).toBe(early.key);
      const done = await postCode(base, "/otp/setup", page.body, earlyLogin.cookie!, totpCode(early.key), true);
      expect(done.status).toBe(303);
      const result = await finish(base, earlyLogin.cookie!, done.location!);
      expect(result.body).toContain('name="session_token"');
    });

    stop = true;
    await Promise.all(workers);
    test.info().annotations.push({ type: "answers", description: JSON.stringify(Object.fromEntries(answers)) });
    test.info().annotations.push({ type: "round trips", description: `${trips} (${tripsAfter} after PostgreSQL was back)` });
    console.log(`PostgreSQL restart drill: ${trips} round trips (${tripsAfter} after the restart); answers ${JSON.stringify(Object.fromEntries([...answers].sort()))}`);
    expect(unexpected).toEqual([]);
    // The load met the outage, as redirects to the clear page (not hidden by luck), on both kinds of screen.
    expect(answers.get("html-only screen 307 unavailable") ?? 0).toBeGreaterThan(0);
    expect(answers.get("react screen 307 unavailable") ?? 0).toBeGreaterThan(0);
    expect(answers.get("ready 503") ?? 0).toBeGreaterThan(0);
    // A session PostgreSQL ended under a checked-out connection once surfaced as an uncaught exception (lib/db/connect.ts).
    expect(
      ks
        .output()
        .split("\n")
        .filter((l) => /uncaught|unhandled/i.test(l)),
    ).toEqual([]);
  } finally {
    await ks?.stop();
    keepLog("keystep.log", ks);
    cluster.destroy();
  }
});

test("drill: the mail server is down — the user is told, with another method to try, and the flow goes on once it is back", async () => {
  test.setTimeout(120_000);
  const schema = await freshSchema(SHARED_PG, `drill_smtp_${rand()}`);
  const port = drillPort(test.info().parallelIndex);
  const smtpPort = port + 6;
  const ks = await startKeystep(port + 2, schema.url, { SMTP_URL: `smtp://127.0.0.1:${smtpPort}`, EMAIL_FROM: "Keystep drill <mfa@keystep.test>" });
  const inbox: string[] = [];
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    onData(stream, _session, cb) {
      simpleParser(stream).then((m) => {
        inbox.push(m.text ?? "");
        cb();
      }, cb);
    },
  });
  try {
    const email = `drill-${rand()}@example.com`;
    // A verified address needs no setup: the email code is the first challenge, sent at the entry.
    const login = await enter(ks.base, `auth0|drill-smtp-${rand()}`, { email, email_verified: true });
    expect(login.location).toBe("/choose");
    const cookie = login.cookie!;
    // The picker offers the verified address; picking it sends the code (lib/flow/arrive.ts), which fails.
    const picker = await get(ks.base, "/choose", cookie);
    expect(picker.body).toContain('name="factor" value="email"');
    const picked = await fetch(`${ks.base}/choose`, { method: "POST", body: new URLSearchParams({ factor: "email", mode: "challenge" }), redirect: "manual", headers: { cookie, origin: ks.base } });
    expect(picked.headers.get("location")).toBe("/email");

    await test.step("SMTP is down: the screen shows, 'Send a new code' says it could not send and offers another method", async () => {
      const page = await get(ks.base, "/email", cookie);
      expect(page.status).toBe(200);
      const resend = await postForm(ks.base, "/email", page.body, cookie, 'value="resend"', []);
      expect(resend.status).toBe(200);
      expect(resend.body).toMatch(/We couldn(&#x27;|')t send the code\. Try again, or use another method\./);
      expect(resend.body).toMatch(/Try another method/);
      expect(inbox).toEqual([]);
    });

    await test.step("SMTP is back: the next send arrives and the same sign-in finishes", async () => {
      smtp.listen(smtpPort, "127.0.0.1");
      await once(smtp.server, "listening");
      const page = await get(ks.base, "/email", cookie);
      const resend = await postForm(ks.base, "/email", page.body, cookie, 'value="resend"', []);
      expect(resend.status).toBeLessThan(400);
      expect(inbox).toHaveLength(1);
      const code = /\b(\d{6})\b/.exec(inbox[0]!)?.[1];
      expect(code).toBeTruthy();
      const again = await get(ks.base, "/email", cookie);
      const verified = await postCode(ks.base, "/email", again.body, cookie, code!);
      expect(verified.status).toBe(303);
      const result = await finish(ks.base, cookie, verified.location!);
      expect(result.body).toContain('name="session_token"');
    });
  } finally {
    smtp.close();
    await ks.stop();
    keepLog("keystep.log", ks);
    await schema.drop();
  }
});
