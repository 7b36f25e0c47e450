export * from './stack-engine.js';
