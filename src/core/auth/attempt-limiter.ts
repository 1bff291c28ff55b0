/**
 * The AttemptLimiter port: counts attempts per key in a fixed time window. The
 * auth flows use it for the OTP attempt cap (docs/api.md §5.6) and the two-minute
 * resend guard of verification and reset mails (docs/api.md §5.8).
 */

/** An AttemptLimiter admits at most `limit` attempts per key in each window. */
export interface AttemptLimiter {
  /**
   * Records one attempt for `key` and tells whether it is within `limit` for the
   * window of `windowSeconds` that the key's first attempt opened.
   */
  take(key: string, limit: number, windowSeconds: number): Promise<boolean>;
}
