// Runs synchronous better-sqlite3 work on a worker thread, so the event loop never waits on a
// write, an fsync or another connection's lock. The thread's code is JavaScript text evaluated
// there (no separate file for the Remix build to miss): it defines `createExecutor(Database,
// workerData)`, which opens the connection and returns the methods the main thread may call.
import { createRequire } from "node:module";
import { Worker, type ResourceLimits } from "node:worker_threads";

export interface SqliteThread {
  /** Runs executor[method](...args) on the thread; rejects with the thread's error (message and code). */
  call(method: string, args: unknown[]): Promise<unknown>;
  /** Calls the executor's close (if any), then ends the thread. */
  close(): Promise<void>;
}

export function startSqliteThread(executorSource: string, workerData: Record<string, unknown>, resourceLimits?: ResourceLimits): SqliteThread {
  const worker = new Worker(
    `${executorSource}
const { parentPort, workerData } = require("node:worker_threads");
const executor = createExecutor(require(workerData.driver), workerData);
parentPort.on("message", ({ id, method, args }) => {
  try { parentPort.postMessage({ id, result: executor[method](...args) }); }
  catch (error) { parentPort.postMessage({ id, error: { message: error.message, code: error.code } }); }
});`,
    { eval: true, workerData: { ...workerData, driver: createRequire(import.meta.url).resolve("better-sqlite3") }, resourceLimits },
  );
  const pending = new Map<number, { resolve: (result: unknown) => void; reject: (error: Error) => void }>();
  let nextId = 0;
  let failure: Error | null = null;
  worker.on("message", ({ id, result, error }: { id: number; result?: unknown; error?: { message: string; code?: string } }) => {
    const waiter = pending.get(id);
    pending.delete(id);
    if (!error) waiter?.resolve(result);
    else waiter?.reject(Object.assign(new Error(error.message), { code: error.code }));
  });
  worker.on("error", (error) => {
    failure = error;
    for (const waiter of pending.values()) waiter.reject(error);
    pending.clear();
  });
  const call = (method: string, args: unknown[]) =>
    new Promise<unknown>((resolve, reject) => {
      if (failure) return reject(failure);
      const id = nextId++;
      pending.set(id, { resolve, reject });
      worker.postMessage({ id, method, args });
    });
  return {
    call,
    async close() {
      await call("close", []).catch(() => undefined);
      await worker.terminate();
    },
  };
}
