// One Vite build for the three consoles: each role's page is an entry; shared code lands in shared chunks.
import { resolve } from 'node:path';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const root = import.meta.dirname;

export default defineConfig({
  root,
  base: '/',
  plugins: [react()],
  logLevel: 'warn',
  build: {
    outDir: resolve(root, '..', 'dist', 'ui'),
    emptyOutDir: true,
    assetsDir: 'assets',
    sourcemap: true,
    rollupOptions: {
      input: {
        master: resolve(root, 'master', 'index.html'),
        marathon: resolve(root, 'marathon', 'index.html'),
        chronos: resolve(root, 'chronos', 'index.html'),
      },
    },
  },
});
