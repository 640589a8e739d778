import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../core/logger.js';
import { redactText } from '../core/redact.js';

describe('log redaction', () => {
  it.each([
    ['call me on 13812345678', 'call me on [phone]'],
    ['or +86 138 1234 5678 please', 'or [phone] please'],
    ['mail alice@example.com now', 'mail [email] now'],
    ['card 6222 0212 3456 7890 123', 'card [bank-card]'],
    ['身份证 11010519491231002X 谢谢', '身份证 [id-card] 谢谢'],
    ['order 12345 is late', 'order 12345 is late'],
  ])('when a log line contains "%s", then it becomes "%s"', (input, expected) => {
    expect(redactText(input)).toBe(expected);
  });

  it('when the logger writes objects and messages, then personal data and secrets are masked', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = createLogger({ LOG_LEVEL: 'info', LOG_FORMAT: 'json' }, 'kefu', sink);
    logger.info({ text: 'my phone is 13912345678', OPENAI_API_KEY: 'sk-live-123' }, 'customer wrote bob@example.org');
    const entry = JSON.parse(lines.join('')) as Record<string, unknown>;
    expect(entry).toMatchObject({ text: 'my phone is [phone]', OPENAI_API_KEY: '[secret]', msg: 'customer wrote [email]' });
  });
});
