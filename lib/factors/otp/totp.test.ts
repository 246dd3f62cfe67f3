import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { groupBase32, matchTotp, newTotpSecret, toBase32, totpAt, totpUri } from "./totp";

// RFC 6238 Appendix B: the seeds are ASCII "1234567890" repeated to the hash's key size.
const seed = (n: number) => Buffer.from("1234567890".repeat(7).slice(0, n), "ascii");
const SHA1 = seed(20);
const SHA256 = seed(32);
const SHA512 = seed(64);

const VECTORS: Array<[number, string, string, string]> = [
  [59, "94287082", "46119246", "90693936"],
  [1111111109, "07081804", "68084774", "25091201"],
  [1111111111, "14050471", "67062674", "99943326"],
  [1234567890, "89005924", "91819424", "93441116"],
  [2000000000, "69279037", "90698825", "38618901"],
  [20000000000, "65353130", "77737706", "47863826"],
];

describe("TOTP: RFC 6238 Appendix B vectors", () => {
  it.each(VECTORS)("T=%i", (t, sha1, sha256, sha512) => {
    expect(totpAt(SHA1, t * 1000, { digits: 8, algorithm: "SHA1" })).toBe(sha1);
    expect(totpAt(SHA256, t * 1000, { digits: 8, algorithm: "SHA256" })).toBe(sha256);
    expect(totpAt(SHA512, t * 1000, { digits: 8, algorithm: "SHA512" })).toBe(sha512);
  });
});

describe("TOTP verification window", () => {
  const secret = newTotpSecret();
  const now = 1_800_000_015_000;
  const step = Math.floor(now / 30_000);

  it("generates 160-bit secrets", () => {
    expect(secret).toHaveLength(20);
    expect(toBase32(secret)).toMatch(/^[A-Z2-7]{32}$/);
  });

  it("accepts T-1, T and T+1 and reports the matched step", () => {
    expect(matchTotp(secret, totpAt(secret, now - 30_000), now)).toBe(step - 1);
    expect(matchTotp(secret, totpAt(secret, now), now)).toBe(step);
    expect(matchTotp(secret, totpAt(secret, now + 30_000), now)).toBe(step + 1);
  });

  it("rejects T-2 and T+2", () => {
    expect(matchTotp(secret, totpAt(secret, now - 60_000), now)).toBeNull();
    expect(matchTotp(secret, totpAt(secret, now + 60_000), now)).toBeNull();
  });

  it("rejects malformed codes", () => {
    expect(matchTotp(secret, "12345", now)).toBeNull();
    expect(matchTotp(secret, "abcdef", now)).toBeNull();
  });

  it("builds a Key Uri Format URI with issuer and label", () => {
    const uri = new URL(totpUri(secret, "Acme", "ada@example.com"));
    expect(uri.protocol).toBe("otpauth:");
    expect(uri.host).toBe("totp");
    expect(uri.searchParams.get("secret")).toBe(toBase32(secret));
    expect(uri.searchParams.get("issuer")).toBe("Acme");
    expect(uri.searchParams.get("digits")).toBe("6");
    expect(uri.searchParams.get("period")).toBe("30");
    expect(decodeURIComponent(uri.pathname)).toBe("/Acme:ada@example.com");
  });

  it("groups the key in fours", () => {
    expect(groupBase32("ABCDEFGHIJ")).toBe("ABCD EFGH IJ");
  });

  // .ci/run installs Debian's oathtool: an independent implementation to cross-check against.
  it("agrees with oathtool", () => {
    const b32 = toBase32(secret);
    const t = new Date(now).toISOString().replace(/\.\d+Z$/, "Z");
    const out = execFileSync("oathtool", ["--totp", "-b", b32, "--now", t]).toString().trim();
    expect(totpAt(secret, now)).toBe(out);
  });
});
