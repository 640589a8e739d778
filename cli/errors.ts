/** An error the user can fix from its message alone: printed without a stack trace. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
