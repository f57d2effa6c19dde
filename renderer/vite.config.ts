// Builds the web UI into dist/renderer: the peer's page (index.html) and the
// demo dashboard (demo.html). Assets get relative URLs, so the pages work under
// any path prefix (a peer serves them at `/`, the demo server elsewhere).
//
// Development against a running peer, with hot reload:
//   RAFTNOTES_API=http://127.0.0.1:PORT RAFTNOTES_TOKEN=… npx vite --config renderer/vite.config.ts
// (the `api` and `token` of the peer's ready line): the dev server writes the
// token into the page and forwards /api to the peer as if the page came from it.
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const devApi = process.env['RAFTNOTES_API'];

/** devToken writes RAFTNOTES_TOKEN into the pages the dev server serves (the peer does it for built pages). */
const devToken: Plugin = {
  name: 'raftnotes-dev-token',
  apply: 'serve',
  transformIndexHtml: (html) => html.replaceAll('__RAFTNOTES_TOKEN__', process.env['RAFTNOTES_TOKEN'] ?? ''),
};

export default defineConfig({
  root: here('.'),
  base: './',
  plugins: [svelte(), devToken],
  server: devApi === undefined ? {} : {
    proxy: {
      '/api': {
        target: devApi,
        changeOrigin: true,
        // The peer refuses foreign origins; through the proxy the request is the dev server's own.
        configure: (proxy) => proxy.on('proxyReq', (req) => req.removeHeader('origin')),
      },
    },
  },
  build: {
    outDir: here('../dist/renderer'),
    emptyOutDir: true,
    // Inline nothing: the Content-Security-Policy allows no inline scripts and no data: scripts.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    rollupOptions: {
      input: { index: here('index.html'), demo: here('demo.html') },
    },
  },
});
