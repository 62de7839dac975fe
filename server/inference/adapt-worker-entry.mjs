// Entry of a live-adaptation worker thread: worker threads do not inherit the TypeScript loader the
// main thread runs with, so register tsx here, then load the worker itself.
import { register } from 'tsx/esm/api';

register();
await import('./adapt-worker.ts');
