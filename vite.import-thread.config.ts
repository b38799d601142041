import { defineConfig } from "vite";

// `npm run build`, after the Remix build: the import thread's entry (app/modules/sync/import-thread.ts,
// decision 007) as a file of its own beside build/server/index.js, where the server build looks for
// it. A worker thread starts from a file, and the Remix build is one bundle of the whole app.
// Dependencies stay external (node_modules), as in the server build.
export default defineConfig({
  build: {
    ssr: "app/modules/sync/import-thread.ts",
    outDir: process.env.IMPORT_THREAD_OUT_DIR ?? "build/server",
    emptyOutDir: false,
    target: "node20",
    copyPublicDir: false,
    rollupOptions: { output: { format: "es", entryFileNames: "import-thread.js" } },
  },
  logLevel: "warn",
});
