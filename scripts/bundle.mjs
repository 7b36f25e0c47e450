// One esbuild bundle per action: dist/<action>/index.js (ESM, + chunks for lazy imports) and
// licenses.txt, committed. Usage: node scripts/bundle.mjs [outDir]   (outDir defaults to dist;
// check-dist bundles to a temp dir).
// esbuild, not ncc: ncc (webpack) kept every generated class of @kubernetes/client-node, a 16 MB
// chunk and 65-110 s of build; esbuild tree-shakes it to 3.5 MB in seconds, and its output is
// byte-identical on rebuild (chunk names are content hashes). The actions build concurrently in
// one esbuild service, which spreads the work over every core.
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));

export const bundledActions = () =>
  readdirSync(join(root, 'actions'))
    .filter((action) => existsSync(join(root, 'actions', action, 'src/index.ts')))
    .sort();

/** The package a bundled file belongs to: the directory right under its last node_modules. */
function packageRoot(file) {
  const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(file);
  return match?.[1];
}

/** Name, version, license and license text of every npm package in the bundle, sorted. */
function licenses(metafile) {
  const packages = new Set();
  for (const file of Object.keys(metafile.inputs)) {
    const dir = packageRoot(file);
    if (dir !== undefined) packages.add(resolve(root, dir));
  }
  const entries = [...packages].map((dir) => {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const licenseFile = readdirSync(dir)
      .sort()
      .find((file) => /^(licen[cs]e|copying)(\.|$)/i.test(file));
    const text = licenseFile ? readFileSync(join(dir, licenseFile), 'utf8').trim() : '';
    return `${pkg.name}@${pkg.version}\n${pkg.license ?? 'UNKNOWN'}\n${text}`;
  });
  return `${[...new Set(entries)].sort().join('\n\n')}\n`;
}

async function bundleOne(action, outRoot) {
  const out = join(outRoot, action);
  rmSync(out, { recursive: true, force: true });
  const started = Date.now();
  try {
    const { metafile } = await build({
      absWorkingDir: root,
      entryPoints: { index: `actions/${action}/src/index.ts` },
      outdir: out,
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node24',
      // The ESM build of each dependency: it tree-shakes, and a lazy import() of the CommonJS
      // build of the AWS SDK loses its named exports ("CloudWatchClient is not a constructor").
      mainFields: ['module', 'main'],
      minify: true,
      metafile: true,
      chunkNames: '[name]-[hash]',
      legalComments: 'none', // licenses.txt holds every package's license instead
      // CommonJS dependencies call require() for Node built-ins; ESM has no require of its own.
      banner: {
        js: "import{createRequire as __cutoverRequire}from'node:module';const require=__cutoverRequire(import.meta.url);",
      },
      logLevel: 'silent',
    });
    writeFileSync(join(out, 'package.json'), '{\n  "type": "module"\n}\n');
    writeFileSync(join(out, 'licenses.txt'), licenses(metafile));
    return { action, out, ok: true, log: '', seconds: (Date.now() - started) / 1000 };
  } catch (error) {
    const log = (error.errors ?? [])
      .map((e) => `${e.location ? `${e.location.file}:${e.location.line}: ` : ''}${e.text}`)
      .join('\n');
    return { action, out, ok: false, log: log || String(error), seconds: 0 };
  }
}

/** Bundles every action into outRoot/<action>; resolves to one result per action. */
export async function bundleAll(outRoot) {
  return Promise.all(bundledActions().map((action) => bundleOne(action, outRoot)));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const outRoot = resolve(root, process.argv[2] ?? 'dist');
  const results = await bundleAll(outRoot);
  for (const result of results) {
    if (result.ok) console.log(`bundled ${result.action} -> ${result.out} in ${result.seconds}s`);
    else console.error(`failed to bundle ${result.action}:\n${result.log}`);
  }
  process.exit(results.every((result) => result.ok) ? 0 : 1);
}
