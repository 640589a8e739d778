import * as OpenCC from 'opencc-js';

/**
 * Traditional ↔ simplified Chinese. The knowledge base is indexed in simplified form, so a customer writing 帳單 or
 * 退貨 (traditional) finds passages written as 账单 and 退货; answers go back in the script the customer used.
 */
const twToCn = OpenCC.Converter({ from: 'tw', to: 'cn' });
const hkToCn = OpenCC.Converter({ from: 'hk', to: 'cn' });
const cnToTw = OpenCC.Converter({ from: 'cn', to: 'tw' });

const HAN = /\p{Script=Han}/u;

export function toSimplified(text: string): string {
  return HAN.test(text) ? twToCn(hkToCn(text)) : text;
}

export function toTraditional(text: string): string {
  return HAN.test(text) ? cnToTw(text) : text;
}

/** True when converting to simplified changes a noticeable share of the Han characters (a traditional writer). */
export function isTraditional(text: string): boolean {
  const han = [...text].filter((ch) => HAN.test(ch));
  if (han.length === 0) return false;
  const simplified = [...toSimplified(han.join(''))];
  let changed = 0;
  han.forEach((ch, i) => {
    if (simplified[i] !== ch) changed += 1;
  });
  // Most characters are identical in both scripts; two changed characters (or 10%) is a clear signal.
  return changed >= Math.min(2, han.length) || changed / han.length >= 0.1;
}
