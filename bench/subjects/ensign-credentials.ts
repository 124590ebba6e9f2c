/** The emulator's API key reaches the children through the environment, never argv. */
export function ensignKeyFromEnv(): { clientId: string; clientSecret: string } {
  const clientId = process.env.BENCH_ENSIGN_CLIENT_ID;
  const clientSecret = process.env.BENCH_ENSIGN_CLIENT_SECRET;
  if (!clientId || !clientSecret) throw new Error("BENCH_ENSIGN_CLIENT_ID / BENCH_ENSIGN_CLIENT_SECRET are not set");
  return { clientId, clientSecret };
}
