import { fileURLToPath } from 'node:url'
import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'vite'

// The browser app: `npm run build -w web` writes web/dist, which the gateway serves.
export default defineConfig({
  root: fileURLToPath(new URL('./app', import.meta.url)),
  plugins: [vue()],
  build: { outDir: fileURLToPath(new URL('./dist', import.meta.url)), emptyOutDir: true },
})
