import { defineConfig } from "vitest/config";
import react from "@vitejs/plugin-react";
import { fileURLToPath } from "node:url";

// The build is package data of runtime/: served under /studio/ by the studio API.
export default defineConfig({
  base: "/studio/",
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL("../runtime/studio_static", import.meta.url)),
    emptyOutDir: true,
    chunkSizeWarningLimit: 1200,
  },
  test: {
    environment: "node",
    include: ["test/**/*.test.ts"],
  },
});
