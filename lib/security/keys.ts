import crypto from "node:crypto";
import { decrypt, encrypt, keyedHash, safeEqual } from "./crypto";

/**
 * Keystep's own keys (docs/decisions/0010-key-rotation.md). Every key is derived with HKDF-SHA256
 * (RFC 5869) from a root: KEYSTEP_ENCRYPTION_KEY (the current one) or one of
 * KEYSTEP_PREVIOUS_ENCRYPTION_KEYS. Every value Keystep stores under a key names the root by its
 * key id (`<kid>$<value>`), so a rotation changes which key writes, never which key reads.
 *
 * Values stored before key ids existed carry none ("legacy"): ciphertexts were sealed with the raw
 * encryption key, keyed hashes with the raw KEYSTEP_SECRET. They are still read that way until
 * `npm run keystep -- rotate` re-seals the ciphertexts and the hashes expire or are replaced.
 */

/** Ciphertexts Keystep seals: TOTP secrets (at rest and during enrollment), and what a flow keeps sealed (recovery codes shown once). */
export type SealPurpose = "totp" | "flow";

const SEAL_INFO: Record<SealPurpose, string> = { totp: "keystep totp v1", flow: "keystep flow seal v1" };
const HASH_INFO = "keystep hash v1";
const WEBAUTHN_INFO = "keystep webauthn-user v1";
const KEY_ID_INFO = "keystep key id";

const hkdf = (root: Uint8Array, info: string) => Buffer.from(crypto.hkdfSync("sha256", root, new Uint8Array(0), info, 32));

/** A short public name of a root key (8 hex characters of an HKDF output): it says which key, and reveals nothing of it. */
export function keyId(root: Uint8Array): string {
  return hkdf(root, KEY_ID_INFO).subarray(0, 4).toString("hex");
}

/** A stored value's key id, or null for a value from before key ids (or one that is not Keystep's). */
export function storedKeyId(value: string): string | null {
  return /^[0-9a-f]{8}\$/.test(value) ? value.slice(0, 8) : null;
}

export class KeyRing {
  readonly current: RootKey;
  readonly previous: readonly RootKey[];
  /** Every root, current first. */
  readonly roots: readonly RootKey[];
  /** The keys that keyed hashes before key ids (KEYSTEP_SECRET's values); only read with. */
  readonly legacyHashKeys: readonly Uint8Array[];

  constructor(current: Uint8Array, previous: readonly Uint8Array[] = [], legacyHashKeys: readonly Uint8Array[] = []) {
    this.current = new RootKey(current);
    this.previous = previous.map((k) => new RootKey(k));
    this.roots = [this.current, ...this.previous];
    this.legacyHashKeys = legacyHashKeys;
    const ids = new Set(this.roots.map((r) => r.id));
    if (ids.size !== this.roots.length) throw new Error("a previous encryption key repeats the current one or another previous one");
  }

  root(id: string): RootKey | undefined {
    return this.roots.find((r) => r.id === id);
  }

  /** Seals under the current key: `<kid>$<AES-256-GCM ciphertext>`. */
  seal(purpose: SealPurpose, plaintext: Buffer, aad: string): string {
    return `${this.current.id}$${encrypt(this.current.sealKey(purpose), plaintext, aad)}`;
  }

  /**
   * Opens a value sealed by {@link seal} under any configured key; a legacy value (no key id) with
   * the raw root it was sealed with, which GCM's tag tells apart. Throws when no configured key opens it.
   */
  open(purpose: SealPurpose, sealed: string, aad: string): Buffer {
    const kid = storedKeyId(sealed);
    if (kid !== null) {
      const root = this.root(kid);
      if (!root) throw new Error(`sealed under key ${kid}, which is not configured (KEYSTEP_ENCRYPTION_KEY, KEYSTEP_PREVIOUS_ENCRYPTION_KEYS)`);
      return decrypt(root.sealKey(purpose), sealed.slice(9), aad);
    }
    for (const root of this.roots) {
      try {
        return decrypt(root.raw, sealed, aad);
      } catch {
        // another root, or not openable at all: the error below says so
      }
    }
    throw new Error("sealed without a key id, and no configured key opens it");
  }

  /** Whether a sealed value is under the current key already (rotate leaves those alone). */
  isCurrent(sealed: string): boolean {
    return storedKeyId(sealed) === this.current.id;
  }

  /** The keyed hash Keystep stores for a value now: `<kid>$<HMAC-SHA256>` under the current key's hash key. */
  hash(purpose: string, value: string): string {
    return this.current.hash(purpose, value);
  }

  /**
   * Every form the value may have been stored in: under each configured key, then under each legacy
   * key (no key id). Lookups by hash (`where … in`) use them, so no stored row is lost by a rotation.
   */
  hashCandidates(purpose: string, value: string): string[] {
    return [...this.roots.map((r) => r.hash(purpose, value)), ...this.legacyHashKeys.map((k) => keyedHash(k, purpose, value))];
  }

  /** Whether a stored hash is the value's, under the key it names (or a legacy key). Constant time per comparison. */
  hashMatches(stored: string, purpose: string, value: string): boolean {
    const kid = storedKeyId(stored);
    if (kid !== null) {
      const root = this.root(kid);
      return root !== undefined && safeEqual(root.hash(purpose, value), stored);
    }
    let found = false;
    for (const k of this.legacyHashKeys) found = safeEqual(keyedHash(k, purpose, value), stored) || found;
    return found;
  }

  /** The WebAuthn user handle a new account gets: opaque (no email or sub) and stable for the user under the current key. */
  webauthnUserHandle(account: string): Uint8Array<ArrayBuffer> {
    return new Uint8Array(crypto.createHmac("sha256", this.current.derived(WEBAUTHN_INFO)).update(`webauthn-user\0${account}`).digest());
  }

  /** The handles passkeys got before key ids (HMAC under KEYSTEP_SECRET), base64url: still accepted for credentials that stored none. */
  legacyWebauthnUserHandles(account: string): string[] {
    return this.legacyHashKeys.map((k) => crypto.createHmac("sha256", k).update(`webauthn-user\0${account}`).digest("base64url"));
  }
}

/** One root key and the keys derived from it, each derived once. */
export class RootKey {
  readonly id: string;
  readonly raw: Buffer;
  readonly #derived = new Map<string, Buffer>();

  constructor(raw: Uint8Array) {
    if (raw.length !== 32) throw new Error("an encryption key is 32 bytes");
    this.raw = Buffer.from(raw);
    this.id = keyId(raw);
  }

  derived(info: string): Buffer {
    let k = this.#derived.get(info);
    if (!k) {
      k = hkdf(this.raw, info);
      this.#derived.set(info, k);
    }
    return k;
  }

  sealKey(purpose: SealPurpose): Buffer {
    return this.derived(SEAL_INFO[purpose]);
  }

  /** A keyed hash under this key: the hash key is derived per kind of value (the purpose up to its first `:`), and the purpose is hashed too. */
  hash(purpose: string, value: string): string {
    const kind = purpose.split(":")[0];
    return `${this.id}$${keyedHash(this.derived(`${HASH_INFO} ${kind}`), purpose, value)}`;
  }
}

/** A fingerprint of an Action secret, kept with a flow so its result is signed with the secret that opened it (never the secret itself). */
export function secretId(secret: Uint8Array): string {
  return keyId(secret);
}
