export { FileRouter } from './file-router.js';
