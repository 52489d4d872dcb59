// Bundles each entry point into cartable/static/cartable/dist/, and copies the vendored
// files the tests need (axe-core) next to them. No CDN: every byte is served by Cartable.
import { build } from "esbuild";
import { copyFileSync, mkdirSync } from "node:fs";

const outdir = "cartable/static/cartable/dist";
mkdirSync(outdir, { recursive: true });

await build({
  entryPoints: {
    app: "frontend/app.js",
    pad: "frontend/pad/index.js",
    drive: "frontend/drive/index.js",
    tube: "frontend/tube/index.js",
  },
  bundle: true,
  format: "esm",
  minify: true,
  sourcemap: true,
  target: ["es2020"],
  outdir,
  logLevel: "warning",
});

// The editor's stylesheet, on its own: pages link it, no script injects styles.
await build({
  entryPoints: { pad: "frontend/pad/pad.css", drive: "frontend/drive/drive.css" },
  bundle: true,
  minify: true,
  sourcemap: true,
  outdir,
  logLevel: "warning",
});

mkdirSync("cartable/testing/vendor", { recursive: true });
copyFileSync("node_modules/axe-core/axe.min.js", "cartable/testing/vendor/axe.min.js");
