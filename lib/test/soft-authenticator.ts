import crypto from "node:crypto";
import { isoCBOR } from "@simplewebauthn/server/helpers";

const b64u = (b: Uint8Array | Buffer) => Buffer.from(b).toString("base64url");
const sha256 = (b: Uint8Array | Buffer | string) => crypto.createHash("sha256").update(b).digest();

export interface Ceremony {
  origin?: string;
  rpId?: string;
  uv?: boolean;
  counter?: number;
  /** The user handle an assertion carries (base64url); discoverable credentials return one. */
  userHandle?: string;
  /** Backup eligibility (BE) and backup state (BS) flags; both off unless given. */
  backupEligible?: boolean;
  backedUp?: boolean;
}

/** COSE algorithms this authenticator can hold: ES256 (default), ES384 and EdDSA (Ed25519). */
export type SoftAlgorithm = -7 | -35 | -8;

export interface SoftOptions {
  origin: string;
  rpId: string;
  uv?: boolean;
  alg?: SoftAlgorithm;
  /** Credential ID length in bytes (16 by default). */
  idBytes?: number;
  /** A synced passkey: always reports a signature counter of 0, BE=1 and BS=1. */
  synced?: boolean;
}

/**
 * A software WebAuthn authenticator (ES256, "none" attestation) for unit tests: it builds the
 * same bytes a real authenticator does, so tests can forge exactly one thing at a time.
 */
export class SoftAuthenticator {
  readonly credentialId: Buffer;
  readonly alg: SoftAlgorithm;
  private readonly keys: crypto.KeyPairKeyObjectResult;
  counter = 0;

  constructor(private readonly defaults: SoftOptions) {
    this.credentialId = crypto.randomBytes(defaults.idBytes ?? 16);
    this.alg = defaults.alg ?? -7;
    this.keys = this.alg === -8 ? crypto.generateKeyPairSync("ed25519") : crypto.generateKeyPairSync("ec", { namedCurve: this.alg === -35 ? "P-384" : "P-256" });
  }

  get id(): string {
    return b64u(this.credentialId);
  }

  private flags(o: { uv: boolean; attested?: boolean; be?: boolean; bs?: boolean }) {
    const synced = this.defaults.synced ?? false;
    return 0x01 | (o.uv ? 0x04 : 0) | ((o.be ?? synced) ? 0x08 : 0) | ((o.bs ?? synced) ? 0x10 : 0) | (o.attested ? 0x40 : 0);
  }

  private coseKey(): Uint8Array {
    const jwk = this.keys.publicKey.export({ format: "jwk" });
    const key =
      this.alg === -8
        ? new Map<number, number | Uint8Array>([
            [1, 1],
            [3, -8],
            [-1, 6],
            [-2, Buffer.from(jwk.x!, "base64url")],
          ])
        : new Map<number, number | Uint8Array>([
            [1, 2],
            [3, this.alg],
            [-1, this.alg === -35 ? 2 : 1],
            [-2, Buffer.from(jwk.x!, "base64url")],
            [-3, Buffer.from(jwk.y!, "base64url")],
          ]);
    return isoCBOR.encode(key);
  }

  private sign(data: Buffer): Buffer {
    return crypto.sign(this.alg === -8 ? null : this.alg === -35 ? "sha384" : "sha256", data, this.keys.privateKey);
  }

  register(options: { challenge: string }, c: Ceremony = {}) {
    const origin = c.origin ?? this.defaults.origin;
    const rpId = c.rpId ?? this.defaults.rpId;
    const uv = c.uv ?? this.defaults.uv ?? true;
    const clientDataJSON = Buffer.from(JSON.stringify({ type: "webauthn.create", challenge: options.challenge, origin, crossOrigin: false }));
    const idLen = Buffer.alloc(2);
    idLen.writeUInt16BE(this.credentialId.length);
    const count = Buffer.alloc(4);
    count.writeUInt32BE(this.counter);
    const authData = Buffer.concat([
      sha256(rpId),
      Buffer.from([this.flags({ uv, attested: true, be: c.backupEligible, bs: c.backedUp })]),
      count,
      Buffer.alloc(16),
      idLen,
      this.credentialId,
      Buffer.from(this.coseKey()),
    ]);
    const attestationObject = isoCBOR.encode(
      new Map<string, unknown>([
        ["fmt", "none"],
        ["attStmt", new Map()],
        ["authData", new Uint8Array(authData)],
      ]) as never,
    );
    return {
      id: this.id,
      rawId: this.id,
      type: "public-key",
      response: { clientDataJSON: b64u(clientDataJSON), attestationObject: b64u(attestationObject), transports: ["internal"] },
      clientExtensionResults: {},
      authenticatorAttachment: "platform",
    };
  }

  authenticate(options: { challenge: string }, c: Ceremony = {}) {
    const origin = c.origin ?? this.defaults.origin;
    const rpId = c.rpId ?? this.defaults.rpId;
    const uv = c.uv ?? this.defaults.uv ?? true;
    this.counter = c.counter ?? (this.defaults.synced ? 0 : this.counter + 1);
    const clientDataJSON = Buffer.from(JSON.stringify({ type: "webauthn.get", challenge: options.challenge, origin, crossOrigin: false }));
    const count = Buffer.alloc(4);
    count.writeUInt32BE(this.counter);
    const authData = Buffer.concat([sha256(rpId), Buffer.from([this.flags({ uv, be: c.backupEligible, bs: c.backedUp })]), count]);
    const signature = this.sign(Buffer.concat([authData, sha256(clientDataJSON)]));
    return {
      id: this.id,
      rawId: this.id,
      type: "public-key",
      response: { clientDataJSON: b64u(clientDataJSON), authenticatorData: b64u(authData), signature: b64u(signature), ...(c.userHandle === undefined ? {} : { userHandle: c.userHandle }) },
      clientExtensionResults: {},
      authenticatorAttachment: "platform",
    };
  }
}
