import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import react from '@vitejs/plugin-react';
import postcss from 'postcss';
import { defineConfig, type Plugin, type Rollup } from 'vite';

type OutputBundle = Rollup.OutputBundle;

/**
 * Writes `.br` and `.gz` next to every text asset, so the server (`@fastify/static` with
 * `preCompressed`) sends them compressed without compressing on each request.
 */
function precompress(): Plugin {
  let outDir = '';
  return {
    name: 'ttb-precompress',
    apply: 'build',
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir);
    },
    writeBundle(_options, bundle) {
      const files = [...Object.keys(bundle), 'sw.js', 'favicon.svg'];
      for (const file of files) {
        if (!/\.(js|css|html|svg|json)$/.test(file)) continue;
        const full = path.join(outDir, file);
        const content = readFileSync(full);
        if (content.length < 1024) continue;
        writeFileSync(`${full}.gz`, gzipSync(content, { level: 9 }));
        writeFileSync(
          `${full}.br`,
          brotliCompressSync(content, { params: { [constants.BROTLI_PARAM_QUALITY]: 9 } }),
        );
      }
    },
  };
}

/** telegram-ui's CSS-module class names, as they appear in its stylesheet and its components. */
const tguiClass = /tgui-[\da-f]{16}/g;

/** The stylesheet without the rules that need a telegram-ui class outside `used`. */
function withoutUnusedRules(css: string, used: Set<string>): string {
  const root = postcss.parse(css);
  root.walkRules((rule) => {
    if (rule.parent?.type === 'atrule' && /keyframes$/i.test(rule.parent.name)) return;
    const kept = rule.selectors.filter((selector) =>
      (selector.match(tguiClass) ?? []).every((name) => used.has(name)),
    );
    if (kept.length === 0) rule.remove();
    else if (kept.length < rule.selectors.length) rule.selectors = kept;
  });
  root.walkAtRules((atRule) => {
    if (atRule.nodes?.length === 0) atRule.remove();
  });
  return root.toString();
}

/** Points every chunk and text asset of the bundle at a renamed file. */
function renameReferences(bundle: OutputBundle, before: string, after: string): void {
  for (const other of Object.values(bundle)) {
    if (other.type === 'chunk') {
      other.code = other.code.replaceAll(before, after);
      const css = other.viteMetadata?.importedCss;
      if (css?.delete(before)) css.add(after);
    } else if (typeof other.source === 'string') {
      other.source = other.source.replaceAll(before, after);
    }
  }
}

/**
 * Drops the rules of telegram-ui's stylesheet (one file for all its components) that name a
 * class no bundled component uses: its class names are CSS-module hashes that appear as string
 * literals in the components' code, so a class absent from every chunk is never on the page.
 * Cuts the render-blocking CSS and the style work of the first paint.
 */
function dropUnusedTelegramUiCss(): Plugin {
  return {
    name: 'ttb-drop-unused-tgui-css',
    apply: 'build',
    enforce: 'post',
    generateBundle(_options, bundle) {
      const used = new Set<string>();
      for (const output of Object.values(bundle)) {
        if (output.type === 'chunk') {
          for (const name of output.code.match(tguiClass) ?? []) used.add(name);
        }
      }
      for (const output of Object.values(bundle)) {
        if (output.type !== 'asset' || !output.fileName.endsWith('.css')) continue;
        const source = withoutUnusedRules(String(output.source), used);
        if (source === output.source) continue;
        // New content, new name (Vite's hash is the 8 characters before `.css`): hashed assets
        // are cached for a year.
        const hash = createHash('sha256').update(source).digest('base64url').slice(0, 8);
        const before = output.fileName;
        const after = `${before.slice(0, -12)}${hash}.css`;
        delete bundle[before];
        this.emitFile({ type: 'asset', fileName: after, source });
        renameReferences(bundle, before, after);
      }
    },
  };
}

/**
 * Adds `<link rel="modulepreload">` for the dashboard's chunk and the chunks it imports, so the
 * browser fetches them alongside the entry instead of after the entry has run and signed in.
 */
function preloadDashboard(): Plugin {
  return {
    name: 'ttb-preload-dashboard',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(_html, context) {
        const bundle = context.bundle ?? {};
        const chunks = Object.values(bundle).flatMap((output) =>
          output.type === 'chunk' ? [output] : [],
        );
        const entry = chunks.find((chunk) => chunk.isEntry);
        const dashboard = chunks.find((chunk) =>
          chunk.facadeModuleId?.endsWith('/pages/Dashboard.tsx'),
        );
        if (!entry || !dashboard) return [];
        const files = new Set<string>();
        const visit = (fileName: string) => {
          if (files.has(fileName) || fileName === entry.fileName) return;
          files.add(fileName);
          const chunk = bundle[fileName];
          if (chunk?.type === 'chunk') chunk.imports.forEach(visit);
        };
        visit(dashboard.fileName);
        return [...files].map((file) => ({
          tag: 'link',
          attrs: { rel: 'modulepreload', crossorigin: true, href: `/${file}` },
          injectTo: 'head' as const,
        }));
      },
    },
  };
}

/** The Mini App's build: `web/dist`, served by the API at `/`. `npm run build:web`. */
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react(), dropUnusedTelegramUiCss(), precompress(), preloadDashboard()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    manifest: true,
    target: 'es2022',
    cssCodeSplit: true,
    modulePreload: { polyfill: false },
  },
  server: {
    proxy: { '/api': { target: 'http://127.0.0.1:3000', ws: true } },
  },
});
