// Vitest runs outside Next; the real "server-only" throws when bundled for the client only.
export {};
