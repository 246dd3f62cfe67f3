import net from "node:net";
import { z } from "zod";
import { FACTOR_IDS } from "@/lib/factors/registry";
import { COMMAND_NAMES } from "@/lib/flow/types";

export const OUTCOMES = ["ALLOW", "CHALLENGE", "DENY"] as const;
export const EXPLAIN_REASONS = ["new_device", "country", "role", "step_up", "risk", "network", "application", "reported", "remembered_device", "policy"] as const;
export const DEVICE_STATES = ["new", "known", "remembered"] as const;
/** Auth0's `riskAssessment.confidence` values: how sure Auth0 is that the login is genuine, so "low" is the risky one. */
export const RISK_LEVELS = ["low", "medium", "high", "neutral"] as const;

// ISO 3166-1 alpha-2 officially assigned codes (249), plus XK (Kosovo), which geo-IP databases use.
const COUNTRIES = (
  "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ " +
  "CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR " +
  "GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP " +
  "KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT " +
  "MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW " +
  "SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ " +
  "UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS XK YE YT ZA ZM ZW"
).split(" ");

// An enum, so editors autocomplete codes from the JSON Schema; the message says what to write instead.
const country = z.enum(COUNTRIES, {
  error: ({ input }) => {
    const v = String(input);
    const hint = COUNTRIES.includes(v.toUpperCase()) ? ` (country codes are uppercase: "${v.toUpperCase()}")` : v.toUpperCase() === "UK" ? ` (the United Kingdom is "GB")` : "";
    return `"${v}" is not an ISO 3166-1 alpha-2 country code${hint}`;
  },
});

/** Splits "10.0.0.0/8", "2001:db8::/32" or a bare address into the parts `net.BlockList.addSubnet` takes. */
export function parseCidr(v: string): { address: string; prefix: number; family: "ipv4" | "ipv6" } | string {
  const [address = "", prefixText, ...rest] = v.split("/");
  const version = net.isIP(address);
  // Zone ids (fe80::1%eth0) name an interface on this host; they mean nothing in a policy.
  if (version === 0 || address.includes("%") || rest.length > 0) return `"${v}" is not an IP address or CIDR range like 10.0.0.0/8 or 2001:db8::/32`;
  const max = version === 4 ? 32 : 128;
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) return `"${v}" has an invalid prefix length; expected /0 to /${max}`;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (prefix > max) return `"${v}" has prefix /${prefix}; an IPv${version} prefix is /0 to /${max}`;
  return { address, prefix, family: version === 4 ? "ipv4" : "ipv6" };
}

const cidr = z.string().superRefine((v, ctx) => {
  const parsed = parseCidr(v);
  if (typeof parsed === "string") ctx.addIssue({ code: "custom", message: parsed });
});

const factorId = z.enum(FACTOR_IDS);
const factorList = z.array(factorId).min(1).max(FACTOR_IDS.length);

/** Which factors may satisfy, must satisfy, or may be set up for a CHALLENGE. */
export const factorRulesSchema = z
  .strictObject({
    allow: factorList.optional().meta({ description: "Factors that may satisfy the challenge (default: every enabled factor)." }),
    require: factorList.optional().meta({ description: "The user must use one of these; a user with none must set one up." }),
    setup: factorList.optional().meta({ description: "Factors that setup may offer." }),
    forceSetup: z.boolean().optional().meta({ description: "A user with none of the `setup` factors must set one up now." }),
  })
  .superRefine((f, ctx) => {
    if (!f.allow || !f.require) return;
    const allow = f.allow;
    f.require.forEach((id, i) => {
      if (!allow.includes(id)) ctx.addIssue({ code: "custom", path: ["require", i], message: `"${id}" is required but not in allow (${allow.join(", ")}); require must be a subset of allow` });
    });
  });

/** The most commands one login runs, as in Auth0 (each challengeWith/enrollWith call is a step, up to four). */
export const MAX_COMMANDS = 4;

/**
 * One per-login command, with Auth0's names and arguments (`api.authentication.challengeWith(factor,
 * { additionalFactors })` becomes `{ "challengeWith": "otp", "additionalFactors": ["phone"] }`).
 * One object, not a union, so a mistake gets its own message instead of "no union member matched".
 */
export const commandSchema = z
  .strictObject({
    challengeWith: factorId.optional().meta({ description: 'Challenge with this factor; additionalFactors are behind "Try another method". A user with none of them cannot sign in.' }),
    challengeWithAny: factorList.optional().meta({ description: "Challenge with one of these: a picker when the user has two or more. A user with none of them cannot sign in." }),
    enrollWith: factorId.optional().meta({ description: 'Set up this factor (additionalFactors behind "Try another method"); skipped when the user has them all.' }),
    enrollWithAny: factorList.optional().meta({ description: "Set up one of these the user lacks; skipped when the user has them all." }),
    additionalFactors: factorList.optional().meta({ description: "With challengeWith or enrollWith: the other factors that will do." }),
  })
  .superRefine((c, ctx) => {
    const given = COMMAND_NAMES.filter((k) => c[k] !== undefined);
    if (given.length === 0) ctx.addIssue({ code: "custom", message: `give one of ${COMMAND_NAMES.join(", ")}` });
    if (given.length > 1) ctx.addIssue({ code: "custom", message: `one command per entry, not ${given.join(" and ")}: list each as its own entry, and they run in order` });
    if (c.additionalFactors && c.challengeWith === undefined && c.enrollWith === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["additionalFactors"],
        message: "additionalFactors goes with challengeWith or enrollWith; challengeWithAny and enrollWithAny list every factor themselves",
      });
    }
  })
  .meta({ id: "PolicyCommand", description: "One Auth0-style command: exactly one of challengeWith, challengeWithAny, enrollWith, enrollWithAny." });

export type PolicyCommand = z.infer<typeof commandSchema>;

const nonEmptyStrings = z.array(z.string().min(1).max(200)).min(1);

export interface PolicyConditions {
  roles?: string[];
  clients?: string[];
  countries?: string[];
  networks?: string[];
  device?: (typeof DEVICE_STATES)[number];
  mfaWithinHours?: number;
  risk?: Array<(typeof RISK_LEVELS)[number]>;
  loginsCount?: { min?: number; max?: number };
  wasntMeReports?: { min: number };
  stepUp?: boolean;
  not?: PolicyConditions;
}

/** A rule's `when`: every condition present must match (AND); none present always matches. */
export const conditionsSchema: z.ZodType<PolicyConditions> = z
  .lazy(() =>
    z.strictObject({
      roles: nonEmptyStrings.optional().meta({ description: "The user has ANY of these roles." }),
      clients: nonEmptyStrings.optional().meta({ description: "The Auth0 application (client_id) is one of these." }),
      countries: z.array(country).min(1).optional().meta({ description: "ISO 3166-1 alpha-2 codes, uppercase. A login with no country never matches." }),
      networks: z.array(cidr).min(1).optional().meta({ description: "IPv4/IPv6 CIDR ranges; a bare address is one host. A login with no IP never matches." }),
      device: z
        .enum(DEVICE_STATES)
        .optional()
        .meta({ description: 'new: never passed MFA here; known: passed MFA here before; remembered: the user ticked "don\'t ask again". Under step-up the device is new.' }),
      mfaWithinHours: z.number().min(1).max(8760).optional().meta({ description: "MFA passed on this device within this many hours. Never matches under step-up." }),
      risk: z
        .array(z.enum(RISK_LEVELS))
        .min(1)
        .optional()
        .meta({ description: 'Auth0 Adaptive MFA\'s confidence that the login is genuine (riskAssessment.confidence): "low" means it looks risky. Missing never matches.' }),
      loginsCount: z
        .strictObject({ min: z.int().min(0).optional(), max: z.int().min(0).optional() })
        .refine((r) => r.min !== undefined || r.max !== undefined, "give min, max or both")
        .refine((r) => r.min === undefined || r.max === undefined || r.min <= r.max, "min must not be greater than max")
        .optional()
        .meta({ description: "Auth0 logins_count within this inclusive range. Missing never matches." }),
      wasntMeReports: z
        .strictObject({ min: z.int().min(1) })
        .optional()
        .meta({ description: 'The user reported at least this many sign-ins as "wasn\'t me".' }),
      stepUp: z.boolean().optional().meta({ description: "The application asked for step-up (a fresh MFA)." }),
      not: conditionsSchema.optional().meta({ description: "Matches when these conditions do NOT match." }),
    }),
  )
  .meta({ id: "PolicyConditions", description: "Every condition present must match (AND); none present always matches." });

/** Default waiting period of a self-service recovery request (#17). */
export const DEFAULT_RECOVERY_WAIT_HOURS = 72;

/** Self-service recovery for the users a rule matches ("I can't use any of my methods", docs/recovery.md). */
export const recoverySchema = z
  .strictObject({
    selfService: z.boolean().optional().meta({ description: 'false: no "I can\'t use any of my methods" for these users; support recovers them. Default true.' }),
    waitHours: z
      .int()
      .min(1)
      .max(24 * 30)
      .optional()
      .meta({ description: `Hours between a verified recovery request and when it may be completed (1 to 720). Default ${DEFAULT_RECOVERY_WAIT_HOURS}.` }),
  })
  .meta({ id: "PolicyRecovery", description: "Self-service recovery with a waiting period for the users this rule matches." });

export const ruleSchema = z
  .strictObject({
    name: z.string().min(1).max(80).meta({ description: "Unique; reported as the matched rule in the audit trail." }),
    when: conditionsSchema.optional(),
    outcome: z.enum(OUTCOMES),
    factors: factorRulesSchema.optional(),
    commands: z
      .array(commandSchema)
      .min(1, "give 1 to 4 commands, or leave commands out")
      .max(MAX_COMMANDS, `at most ${MAX_COMMANDS} commands per login, as in Auth0`)
      .optional()
      .meta({ description: "Auth0's per-login commands (challengeWith, challengeWithAny, enrollWith, enrollWithAny), run in order, each its own step; outcome CHALLENGE only, instead of factors." }),
    explain: z
      .union([z.enum(EXPLAIN_REASONS), z.literal(false)], { error: `expected one of ${EXPLAIN_REASONS.map((r) => `"${r}"`).join("|")}, or false` })
      .optional()
      .meta({ description: 'The "why am I asked?" reason, or false for none. Default: derived from the conditions.' }),
    rememberDevice: z.boolean().optional().meta({ description: 'false: a remembered device does not skip this rule, and "don\'t ask again" is hidden.' }),
    recovery: recoverySchema.optional(),
  })
  .superRefine((r, ctx) => {
    if (!r.commands) return;
    if (r.outcome !== "CHALLENGE") ctx.addIssue({ code: "custom", path: ["commands"], message: `commands run only when the outcome is CHALLENGE, not ${r.outcome}` });
    if (r.factors) ctx.addIssue({ code: "custom", path: ["factors"], message: "give commands or factors, not both: each command names the factors of its own step" });
  });

/** The `policy` key of keystep.config.json: ordered rules, first match wins. */
export const policySchema = z.strictObject({
  rules: z
    .array(ruleSchema)
    .max(200)
    .superRefine((rules, ctx) => {
      const seen = new Map<string, number>();
      rules.forEach((r, i) => {
        const first = seen.get(r.name);
        if (first === undefined) seen.set(r.name, i);
        else ctx.addIssue({ code: "custom", path: [i, "name"], message: `duplicate rule name "${r.name}" (also rules.${first}); names must be unique` });
      });
    })
    .optional()
    .meta({ description: "Ordered; the first rule whose `when` matches decides. No match: CHALLENGE with every enabled factor." }),
  rememberDevice: z
    .union([z.literal(false), z.strictObject({ days: z.int().min(1).max(365) })], { error: 'expected false or { "days": 1 to 365 }' })
    .optional()
    .meta({ description: '"Don\'t ask again on this device": { days } or false to turn it off. Default { days: 30 }.' }),
  explain: z.boolean().optional().meta({ description: 'Show the "why am I asked?" line on challenge screens. Default true.' }),
  firstEnrollment: z.enum(["verify-email", "none"]).optional().meta({ description: "How a user with no factor yet starts their first setup. Default verify-email." }),
  recovery: recoverySchema.optional().meta({ description: "Self-service recovery for every login; a matched rule's own `recovery` overrides it field by field." }),
});

export type Policy = z.infer<typeof policySchema>;
export type PolicyRule = z.infer<typeof ruleSchema>;
