#!/usr/bin/env node
// The cutover command (`npx cutover`, `npm run cutover --`). It runs the TypeScript sources
// through tsx's loader, so there is no build step; module.register needs Node 20.6 or newer.
import { register } from 'node:module';

const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 6) || typeof register !== 'function') {
  console.error(`cutover: needs Node 20.6 or newer, this is ${process.versions.node}`);
  process.exit(1);
}

const { register: registerTsx } = await import('tsx/esm/api');
registerTsx();
const { run } = await import('../src/cutover.ts');
const { neutraliseCommands, redactUrls } = await import('@cutover/kit');

// Output quotes provider errors and label values; in a workflow `run:` step the runner would
// parse them, so every line goes through the same guard as the actions' logs.
const safe = (text) => `${neutraliseCommands(redactUrls(text))}\n`;
const code = await run(process.argv.slice(2), (text) => process.stdout.write(safe(text)), {
  err: (text) => process.stderr.write(safe(text)),
});
// Exit once stdout has drained (a pipe is written asynchronously), whatever sockets are still open.
process.stdout.write('', () => process.exit(code));
