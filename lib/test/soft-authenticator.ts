import crypto from "node:crypto";
import { isoCBOR } from "@simplewebauthn/server/helpers";

const b64u = (b: Uint8Array | Buffer) => Buffer.from(b).toString("base64url");
const sha256 = (b: Uint8Array | Buffer | string) => crypto.createHash("sha256").update(b).digest();

export interface Ceremony {
  origin?: string;
  rpId?: string;
  uv?: boolean;
  counter?: number;
}

/**
 * A software WebAuthn authenticator (ES256, "none" attestation) for unit tests: it builds the
 * same bytes a real authenticator does, so tests can forge exactly one thing at a time.
 */
export class SoftAuthenticator {
  readonly credentialId = crypto.randomBytes(16);
  private readonly keys = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" });
  counter = 0;

  constructor(private readonly defaults: { origin: string; rpId: string; uv?: boolean }) {}

  get id(): string {
    return b64u(this.credentialId);
  }

  private flags(o: { uv: boolean; attested?: boolean }) {
    return 0x01 | (o.uv ? 0x04 : 0) | (o.attested ? 0x40 : 0);
  }

  private coseKey(): Uint8Array {
    const jwk = this.keys.publicKey.export({ format: "jwk" });
    const key = new Map<number, number | Uint8Array>([
      [1, 2],
      [3, -7],
      [-1, 1],
      [-2, Buffer.from(jwk.x!, "base64url")],
      [-3, Buffer.from(jwk.y!, "base64url")],
    ]);
    return isoCBOR.encode(key);
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
    const authData = Buffer.concat([sha256(rpId), Buffer.from([this.flags({ uv, attested: true })]), count, Buffer.alloc(16), idLen, this.credentialId, Buffer.from(this.coseKey())]);
    const attestationObject = isoCBOR.encode(new Map<string, unknown>([["fmt", "none"], ["attStmt", new Map()], ["authData", new Uint8Array(authData)]]) as never);
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
    this.counter = c.counter ?? this.counter + 1;
    const clientDataJSON = Buffer.from(JSON.stringify({ type: "webauthn.get", challenge: options.challenge, origin, crossOrigin: false }));
    const count = Buffer.alloc(4);
    count.writeUInt32BE(this.counter);
    const authData = Buffer.concat([sha256(rpId), Buffer.from([this.flags({ uv })]), count]);
    const signature = crypto.sign("sha256", Buffer.concat([authData, sha256(clientDataJSON)]), this.keys.privateKey);
    return {
      id: this.id,
      rawId: this.id,
      type: "public-key",
      response: { clientDataJSON: b64u(clientDataJSON), authenticatorData: b64u(authData), signature: b64u(signature) },
      clientExtensionResults: {},
      authenticatorAttachment: "platform",
    };
  }
}
