/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import tailwindcss from '@tailwindcss/vite';

// `npm run dev` proxies the admin API and the gateway's /v1 to a running
// gateway (AIGW_GATEWAY, default http://127.0.0.1:8080, what `make run` starts).
const gateway = process.env.AIGW_GATEWAY ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react(), tailwindcss()],
  server: {
    proxy: {
      '/api': { target: gateway, changeOrigin: false },
      '/v1': { target: gateway, changeOrigin: false },
    },
  },
  build: {
    // go:embed reads the build from the Caddy module's package.
    outDir: '../caddyplugins/dashboard/dist',
    emptyOutDir: true,
    target: 'es2022',
    // No inline scripts or data: URLs for modules: the CSP forbids them.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
  test: {
    environment: 'jsdom',
    setupFiles: ['./src/test/setup.ts'],
    include: ['src/**/*.test.{ts,tsx}'],
    css: false,
  },
});
