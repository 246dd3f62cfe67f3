/** Boot hook: Node-only work lives in lib/boot.ts so the edge compile never sees it. */
export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") await (await import("./lib/boot")).boot();
}
