#!/usr/bin/env node
// Runs the TypeScript sources directly (no build step) through tsx's ESM loader.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
await main();
