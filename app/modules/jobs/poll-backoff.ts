// What both drivers do when polling for jobs fails (database down or misconfigured): log the first
// failure in full, then one line per failure, and wait longer each time, up to 30 s.

export function logPollFailure(what: string, failures: number, error: unknown) {
  if (failures === 1) console.error(`[jobs] ${what} failed:`, error);
  else console.error(`[jobs] ${what} failed ${failures} times in a row: ${error instanceof Error ? error.message.trim().split("\n").pop() : String(error)}`);
}

/** The pause before the next poll. */
export const pollDelayMs = (pollIntervalMs: number, failures: number) => (failures ? Math.min(30_000, pollIntervalMs * 2 ** failures) : pollIntervalMs);
