/**
 * Decides, for one pattern hit, whether it counts: an informational mention ("退款进度", "refund
 * policy", "lawyer friend") or a negated one ("我不会投诉", "I'm not going to sue") does not.
 * Negation is looked for only inside the hit's clause so "I'm not happy, I'll sue" still fires.
 */
import type { CompiledNegation, CompiledPattern } from './rules.js';

export interface Span {
  start: number;
  end: number;
  text: string;
}

export type HitVerdict = { kind: 'fired'; intent?: string } | { kind: 'negated' | 'informational' | 'no_intent'; by: string };

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

  /** Text between the segment start and the hit, and between the hit and the segment end. */
  around(hit: Span): { before: string; after: string } {
    let clauseStart = 0;
    let clauseEnd = this.text.length;
    for (const b of this.breaks) {
      if (b.end <= hit.start) clauseStart = b.end;
      else if (b.start >= hit.end) {
        clauseEnd = b.start;
        break;
      }
    }
    return { before: this.text.slice(clauseStart, hit.start), after: this.text.slice(hit.end, clauseEnd) };
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

/**
 * Order matters: informational beats everything, then negation within the clause (the most
 * useful explanation), then the intent gate (a bare entity with no threat wording is a mention).
 */
export function judgeHit(
  hit: Span,
  informationalSpans: Span[],
  segments: MessageSegments,
  negation: CompiledNegation,
  intent: { patterns: RegExp[]; scope: 'sentence' | 'clause' } | undefined,
): HitVerdict {
  const informational = informationalSpans.find((s) => s.start < hit.end && hit.start < s.end);
  if (informational) return { kind: 'informational', by: informational.text };

  const { before, after } = segments.clauses.around(hit);
  // "你们不退款我就投诉" / "if you don't refund me": the cue states a condition, not a denial.
  const conditional = firstMatch(negation.conditional, `${before}${hit.text}${after}`) !== undefined;
  if (!conditional) {
    const cue = firstMatch(negation.before, before) ?? firstMatch(negation.after, after);
    if (cue !== undefined) return { kind: 'negated', by: cue };
  }

  if (intent === undefined) return { kind: 'fired' };
  const scope = intent.scope === 'sentence' ? segments.sentences : segments.clauses;
  const { before: sBefore, after: sAfter } = scope.around(hit);
  const segment = `${sBefore}${hit.text}${sAfter}`;
  const intentPhrase = firstMatch(intent.patterns, segment);
  return intentPhrase === undefined ? { kind: 'no_intent', by: segment.trim() } : { kind: 'fired', intent: intentPhrase };
}

/** Informational spans of one category in one message, across both languages. */
export function informationalSpansOf(patterns: CompiledPattern[], text: string): Span[] {
  return patterns.flatMap((p) => findSpans(p.regex, text));
}
