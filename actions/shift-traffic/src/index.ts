import { runAction } from '@cutover/action-kit';
import { main } from './main.js';

await runAction((kit) => main(kit));
