import { describe, expect, it } from "vitest";
import crypto from "node:crypto";
import { decrypt, encrypt, keyedHash, randomToken, safeEqual } from "./crypto";

const key = crypto.randomBytes(32);

describe("encryption at rest (AES-256-GCM)", () => {
  it("round-trips a secret", () => {
    const secret = crypto.randomBytes(20);
    const sealed = encrypt(key, secret, "auth:1");
    expect(sealed).not.toContain(secret.toString("base64url"));
    expect(decrypt(key, sealed, "auth:1").equals(secret)).toBe(true);
  });

  it("uses a fresh nonce each time", () => {
    const secret = Buffer.from("same secret");
    expect(encrypt(key, secret, "a")).not.toBe(encrypt(key, secret, "a"));
  });

  it("rejects a ciphertext moved to another row (AAD mismatch)", () => {
    const sealed = encrypt(key, Buffer.from("x"), "auth:1");
    expect(() => decrypt(key, sealed, "auth:2")).toThrow();
  });

  it("rejects a tampered ciphertext", () => {
    const sealed = encrypt(key, Buffer.from("hello world"), "a");
    const parts = sealed.split(".");
    const body = Buffer.from(parts[2]!, "base64url");
    body[0] = body[0]! ^ 1;
    parts[2] = body.toString("base64url");
    expect(() => decrypt(key, parts.join("."), "a")).toThrow();
  });

  it("rejects the wrong key", () => {
    const sealed = encrypt(key, Buffer.from("x"), "a");
    expect(() => decrypt(crypto.randomBytes(32), sealed, "a")).toThrow();
  });
});

describe("tokens and hashes", () => {
  it("random tokens carry 256 bits by default and do not repeat", () => {
    const a = randomToken();
    expect(Buffer.from(a, "base64url")).toHaveLength(32);
    expect(randomToken()).not.toBe(a);
  });

  it("keyed hashes separate purposes and keys", () => {
    const k2 = crypto.randomBytes(32);
    expect(keyedHash(key, "flow", "v")).toBe(keyedHash(key, "flow", "v"));
    expect(keyedHash(key, "flow", "v")).not.toBe(keyedHash(key, "code", "v"));
    expect(keyedHash(key, "flow", "v")).not.toBe(keyedHash(k2, "flow", "v"));
  });

  it("safeEqual compares contents", () => {
    expect(safeEqual("abc", "abc")).toBe(true);
    expect(safeEqual("abc", "abd")).toBe(false);
    expect(safeEqual("abc", "abcd")).toBe(false);
  });
});
