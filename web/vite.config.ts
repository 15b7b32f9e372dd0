// Vite builds web/ into dist/: index.html plus hashed files under assets/, which
// scripts/embed_web.cmake compiles into the server binary (see docs/ui.md).
import { defineConfig } from 'vite';

// `npm run dev` proxies the API to a server started with `make run` (127.0.0.1:8080).
const server = process.env.COHORT_SERVER ?? 'http://127.0.0.1:8080';

export default defineConfig({
  base: '/',
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    // One small bundle; no inlining of assets into JS so every file has a real Content-Type.
    assetsInlineLimit: 0,
  },
  server: {
    proxy: {
      '/api': server,
      '/collect': server,
      '/metrics': server,
    },
  },
});
