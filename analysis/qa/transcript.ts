import { z } from 'zod';
import type { Language } from '../../core/domain.js';
import { detectLanguage } from '../text/language.js';
import { describeIssues } from './issues.js';
import { normalizeText } from './text-match.js';

/** A finished conversation as exported for QA. Unknown fields (ids, metadata) are accepted and ignored. */
export const transcriptSchema = z.object({
  channel: z.string().min(1),
  language: z.enum(['zh', 'en']).optional(),
  messages: z
    .array(
      z.object({
        role: z.enum(['customer', 'bot', 'agent']),
        text: z.string(),
        at: z.iso.datetime({ offset: true, local: true, message: 'must be an ISO 8601 date-time' }).optional(),
        agent: z.string().optional(),
      }),
    )
    .min(1, 'a transcript needs at least one message'),
});

export type Transcript = z.output<typeof transcriptSchema>;
export type TranscriptRole = Transcript['messages'][number]['role'];
export type StaffRole = Exclude<TranscriptRole, 'customer'>;

export interface PreparedMessage {
  index: number;
  role: TranscriptRole;
  text: string;
  /** Text after normalizeText(): what rules match against. */
  normalized: string;
  /** Milliseconds since epoch, when the message had a time. */
  atMs: number | undefined;
  agent: string | undefined;
}

export interface PreparedTranscript {
  channel: string;
  language: Language;
  /** True when the language came from the text rather than from the transcript. */
  languageDetected: boolean;
  messages: PreparedMessage[];
}

export function prepareTranscript(transcript: Transcript): PreparedTranscript {
  const language = transcript.language ?? detectLanguage(transcript.messages.map((m) => m.text).join('\n'));
  return {
    channel: transcript.channel,
    language,
    languageDetected: transcript.language === undefined,
    messages: transcript.messages.map((m, index) => {
      const atMs = m.at === undefined ? undefined : Date.parse(m.at);
      return {
        index,
        role: m.role,
        text: m.text,
        normalized: normalizeText(m.text),
        atMs: atMs === undefined || Number.isNaN(atMs) ? undefined : atMs,
        agent: m.agent,
      };
    }),
  };
}

export function describeTranscriptIssues(error: z.ZodError, source: string): string {
  return `${source} is not a valid transcript:\n${describeIssues(error)}`;
}
