// `npm run worker`: a process that only runs background work (the job worker and its chores), for
// deployments where web instances set JOB_WORKER=off. SIGINT/SIGTERM finish running jobs, then exit.
import { startBackgroundWork } from "../app/background.server";
import { prisma } from "../app/db.server";
import { getEnv } from "../app/env.server";
import { jobQueue } from "../app/modules/jobs/index.server";

const env = getEnv(); // fails here, naming the variable, rather than on the first job
const background = startBackgroundWork();
console.log(`[worker] running jobs (driver ${env.JOB_DRIVER}, concurrency ${env.JOB_CONCURRENCY}); Ctrl-C stops`);

let stopping = false;
async function shutdown(signal: NodeJS.Signals) {
  if (stopping) {
    // A second signal: the operator does not want to wait. Unfinished jobs run again elsewhere (leases).
    console.log(`[worker] ${signal} again: exiting without waiting`);
    process.exit(1);
  }
  stopping = true;
  console.log(`[worker] ${signal}: waiting for running jobs to finish`);
  try {
    await background.stop();
    await jobQueue().close();
    await prisma.$disconnect();
    process.exit(0);
  } catch (error) {
    console.error("[worker] stopping failed:", error);
    process.exit(1);
  }
}

process.on("SIGINT", (signal) => void shutdown(signal));
process.on("SIGTERM", (signal) => void shutdown(signal));
