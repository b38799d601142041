// Pure progress maths for the home page: how long the running import still needs.

export interface ImportRunProgress {
  status: string;
  objectsTotal: number;
  objectsImported: number;
  startedAt: Date;
}

/**
 * Seconds until the import is done at the rate it has kept so far, or null when there is nothing
 * to estimate from (not running, nothing imported yet, or the total not known yet). objectsTotal
 * only counts the bulk operations started so far, so early on this is a lower bound.
 */
export function estimateRemaining(run: ImportRunProgress, now: Date): number | null {
  if (run.status !== "running" || run.objectsImported <= 0 || run.objectsTotal <= 0) return null;
  const elapsedSeconds = (now.getTime() - run.startedAt.getTime()) / 1000;
  if (elapsedSeconds <= 0) return null;
  const remaining = Math.max(0, run.objectsTotal - run.objectsImported);
  return Math.ceil(remaining / (run.objectsImported / elapsedSeconds));
}
