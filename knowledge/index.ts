import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '../core/config.js';
import type { Answerer } from './answerer.js';
import { createFaqAnswerer, loadFaqFolder } from './faq-answerer.js';

export const DEMO_KNOWLEDGE_DIR = fileURLToPath(new URL('./demo', import.meta.url));

/** The answerer the platform runs with, chosen from configuration. */
export async function createDefaultAnswerer(_config: Config): Promise<Answerer> {
  return createFaqAnswerer(loadFaqFolder(path.join(DEMO_KNOWLEDGE_DIR, 'faq')));
}
