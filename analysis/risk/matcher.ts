/**
 * Decides, for one pattern hit, whether it counts: an informational mention ("退款进度", "refund
 * policy", "lawyer friend") or a negated one ("我不会投诉", "I'm not going to sue") does not.
 * Negation is looked for only inside the hit's clause so "I'm not happy, I'll sue" still fires.
 */
import type { CompiledInformational, CompiledNegation } from './rules.js';

export interface Span {
  start: number;
  end: number;
  text: string;
}

export type HitVerdict = { kind: 'fired'; intent?: string } | { kind: 'negated' | 'informational' | 'no_intent'; by: string };

/**
 * Negation cues sit next to what they negate ("不会去12315", "not going to sue"); looking further
 * back or ahead finds nothing new, and bounding the windows keeps a 5,000-character message without
 * punctuation (one huge clause) as cheap as a short one.
 */
const NEGATION_WINDOW = 80;

/** A no_intent explanation quotes the segment; a pasted essay is cut so the evidence stays readable. */
const EXPLANATION_LIMIT = 200;

/** All non-empty matches of a global regex in the text. */
export function findSpans(regex: RegExp, text: string): Span[] {
  const spans: Span[] = [];
  for (const match of text.matchAll(regex)) {
    if (match[0].length === 0) continue;
    spans.push({ start: match.index, end: match.index + match[0].length, text: match[0] });
  }
  return spans;
}

/** Positions of the separators of one kind (clause or sentence), computed once per message. */
export class SegmentIndex {
  private readonly breaks: Span[];

  constructor(
    private readonly text: string,
    separator: RegExp,
  ) {
    this.breaks = findSpans(separator, text);
  }

  /** Start and end of the segment holding the hit. */
  bounds(hit: { start: number; end: number }): { start: number; end: number } {
    let start = 0;
    let end = this.text.length;
    for (const b of this.breaks) {
      if (b.end <= hit.start) start = b.end;
      else if (b.start >= hit.end) {
        end = b.start;
        break;
      }
    }
    return { start, end };
  }

  /** Text between the segment start and the hit, and between the hit and the segment end. */
  around(hit: Span): { before: string; after: string } {
    const { start, end } = this.bounds(hit);
    return { before: this.text.slice(start, hit.start), after: this.text.slice(hit.end, end) };
  }

  /** The whole segment holding the hit. */
  segmentOf(hit: Span): { start: number; end: number; text: string } {
    const { start, end } = this.bounds(hit);
    return { start, end, text: this.text.slice(start, end) };
  }
}

function firstMatch(regexes: RegExp[], text: string): string | undefined {
  for (const regex of regexes) {
    const match = regex.exec(text);
    if (match) return match[0].trim() || match[0];
  }
  return undefined;
}

export interface MessageSegments {
  clauses: SegmentIndex;
  sentences: SegmentIndex;
}

/** An informational match of one category in one message, with how far it reaches. */
export interface InformationalSpan extends Span {
  scope: CompiledInformational['scope'];
}

/** The category's intent patterns and where to look for them; `cache` is per message and category. */
export interface IntentGate {
  patterns: RegExp[];
  scope: 'sentence' | 'clause';
  cache: Map<number, string | null>;
}

function informationalFor(hit: Span, spans: InformationalSpan[], segments: MessageSegments): InformationalSpan | undefined {
  for (const s of spans) {
    if (s.scope === 'span') {
      if (s.start < hit.end && hit.start < s.end) return s;
      continue;
    }
    if (s.scope === 'message') return s;
    const { start, end } = (s.scope === 'clause' ? segments.clauses : segments.sentences).bounds(hit);
    if (s.start >= start && s.end <= end) return s;
  }
  return undefined;
}

/**
 * Order matters: informational beats everything, then negation within the clause (the most
 * useful explanation), then the intent gate (a bare entity with no threat wording is a mention).
 */
export function judgeHit(
  hit: Span,
  informationalSpans: InformationalSpan[],
  segments: MessageSegments,
  negation: CompiledNegation,
  intent: IntentGate | undefined,
): HitVerdict {
  const informational = informationalFor(hit, informationalSpans, segments);
  if (informational) return { kind: 'informational', by: informational.text };

  const around = segments.clauses.around(hit);
  const before = around.before.slice(-NEGATION_WINDOW);
  const after = around.after.slice(0, NEGATION_WINDOW);
  // "你们不退款我就投诉" / "你们不赔钱，我们就起诉" / "if you don't refund me": the cue states a
  // condition, not a denial. The consequence often follows in the next clause, so the condition is
  // read from the clause start to the end of the sentence.
  const sentenceAfter = segments.sentences.around(hit).after.slice(0, NEGATION_WINDOW);
  const conditional = firstMatch(negation.conditional, `${before}${hit.text}${sentenceAfter}`) !== undefined;
  if (!conditional) {
    const cue = firstMatch(negation.before, before) ?? firstMatch(negation.after, after);
    if (cue !== undefined) return { kind: 'negated', by: cue };
  }

  if (intent === undefined) return { kind: 'fired' };
  const segment = (intent.scope === 'sentence' ? segments.sentences : segments.clauses).segmentOf(hit);
  // Every hit in one segment sees the same intent: a rant repeating one threat is judged once.
  let intentPhrase = intent.cache.get(segment.start);
  if (intentPhrase === undefined) {
    intentPhrase = firstMatch(intent.patterns, segment.text) ?? null;
    intent.cache.set(segment.start, intentPhrase);
  }
  return intentPhrase === null ? { kind: 'no_intent', by: segment.text.trim().slice(0, EXPLANATION_LIMIT) } : { kind: 'fired', intent: intentPhrase };
}

/** Informational matches of one category in one message, across both languages. */
export function informationalSpansOf(patterns: CompiledInformational[], text: string): InformationalSpan[] {
  return patterns.flatMap((p) => findSpans(p.regex, text).map((s) => ({ ...s, scope: p.scope })));
}
