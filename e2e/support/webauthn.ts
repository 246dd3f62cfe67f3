import type { CDPSession, Page } from "@playwright/test";

/** Chromium's virtual authenticator over CDP (WebAuthn.addVirtualAuthenticator). */
export class VirtualAuthenticator {
  private constructor(
    private readonly cdp: CDPSession,
    readonly id: string,
  ) {}

  static async attach(page: Page, kind: "passkey" | "security-key", o: { userVerified?: boolean } = {}): Promise<VirtualAuthenticator> {
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("WebAuthn.enable");
    const passkey = kind === "passkey";
    const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
      options: {
        protocol: "ctap2",
        transport: passkey ? "internal" : "usb",
        hasResidentKey: passkey,
        hasUserVerification: passkey,
        isUserVerified: o.userVerified ?? passkey,
        automaticPresenceSimulation: true,
      },
    });
    return new VirtualAuthenticator(cdp, authenticatorId);
  }

  /** Whether the next ceremony's user verification (biometric/PIN) succeeds. */
  async setUserVerified(isUserVerified: boolean) {
    await this.cdp.send("WebAuthn.setUserVerified", { authenticatorId: this.id, isUserVerified });
  }

  async credentials() {
    return (await this.cdp.send("WebAuthn.getCredentials", { authenticatorId: this.id })).credentials;
  }
}
