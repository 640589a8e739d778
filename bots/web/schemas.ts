import { z } from 'zod';

export const conversationIdSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9._:-]+$/, 'conversationId may contain letters, digits and . _ : - only');

export function postMessageSchema(maxChars: number) {
  return z.strictObject({
    customerId: z.string().trim().min(1, 'customerId must not be empty').max(128),
    text: z
      .string()
      .refine((t) => t.trim().length > 0, 'text must not be empty')
      .refine((t) => [...t].length <= maxChars, `text must be at most ${maxChars} characters`),
    messageId: z.string().min(1).max(128).regex(/^[A-Za-z0-9._:-]+$/, 'messageId may contain letters, digits and . _ : - only').optional(),
    language: z.enum(['zh', 'en']).optional(),
  });
}
