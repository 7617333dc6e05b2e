export * from './span.js';
export * from './diagnostic.js';
export * from './render.js';
export * from './suggest.js';
export * from './codes.js';
