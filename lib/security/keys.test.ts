import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import { keyedHash } from "./crypto";
import { KeyRing, keyId, secretId, storedKeyId } from "./keys";

const a = crypto.randomBytes(32);
const b = crypto.randomBytes(32);
const legacy = new TextEncoder().encode("the-old-keystep-secret-of-32-bytes-or-more");

describe("key ring", () => {
  it("names a key by 8 hex characters that are not part of it, the same every time", () => {
    expect(keyId(a)).toMatch(/^[0-9a-f]{8}$/);
    expect(keyId(a)).toBe(keyId(Buffer.from(a)));
    expect(keyId(a)).not.toBe(keyId(b));
    expect(a.toString("hex")).not.toContain(keyId(a));
    expect(secretId(legacy)).toMatch(/^[0-9a-f]{8}$/);
  });

  it("seals under the current key with its id, and derives a key per purpose (a TOTP ciphertext is not a flow one)", () => {
    const ring = new KeyRing(a);
    const sealed = ring.seal("totp", Buffer.from("JBSWY3DPEHPK3PXP"), "authenticator:1");
    expect(storedKeyId(sealed)).toBe(keyId(a));
    expect(ring.open("totp", sealed, "authenticator:1").toString()).toBe("JBSWY3DPEHPK3PXP");
    expect(() => ring.open("flow", sealed, "authenticator:1")).toThrow();
    expect(() => ring.open("totp", sealed, "authenticator:2")).toThrow();
  });

  it("threat: a ciphertext relabelled with another configured key id, or tampered with, does not open", () => {
    const ring = new KeyRing(b, [a]);
    const sealed = ring.seal("totp", Buffer.from("secret"), "x");
    expect(() => ring.open("totp", `${keyId(a)}${sealed.slice(8)}`, "x")).toThrow();
    const tampered = `${sealed.slice(0, -4)}AAAA`;
    expect(() => ring.open("totp", tampered, "x")).toThrow();
    expect(() => ring.open("totp", `deadbeef$${sealed.slice(9)}`, "x")).toThrow(/key deadbeef, which is not configured/);
  });

  it("hashes under the current key only, with its id; matches under any configured key or a legacy one", () => {
    const ring = new KeyRing(b, [a], [legacy]);
    const old = new KeyRing(a);
    const h = ring.hash("magic-link", "token");
    expect(storedKeyId(h)).toBe(keyId(b));
    expect(ring.hashMatches(h, "magic-link", "token")).toBe(true);
    expect(ring.hashMatches(old.hash("magic-link", "token"), "magic-link", "token")).toBe(true);
    expect(ring.hashMatches(keyedHash(legacy, "magic-link", "token"), "magic-link", "token")).toBe(true);
    // Another purpose, value or unconfigured key never matches.
    expect(ring.hashMatches(h, "device-cookie", "token")).toBe(false);
    expect(ring.hashMatches(h, "magic-link", "tokem")).toBe(false);
    expect(ring.hashMatches(new KeyRing(crypto.randomBytes(32)).hash("magic-link", "token"), "magic-link", "token")).toBe(false);
    expect(ring.hashCandidates("magic-link", "token")).toEqual([h, old.hash("magic-link", "token"), keyedHash(legacy, "magic-link", "token")]);
  });

  it("refuses a previous key that repeats the current one", () => {
    expect(() => new KeyRing(a, [a])).toThrow(/repeats/);
  });
});
