/** The longest delay `setTimeout` holds: 2^31 − 1 ms (about 24.8 days); Node fires after 1 ms for anything longer. */
export const MAXIMUM_TIMER_DELAY_MS = 2 ** 31 - 1;

/**
 * `setTimeout` for any delay: a delay beyond {@link MAXIMUM_TIMER_DELAY_MS} is waited in steps instead of firing
 * after 1 ms, which is what Node (and browsers) do with it (a `TimeoutOverflowWarning`).
 *
 * @returns A function that cancels the timer.
 */
export function setLongTimeout(callback: () => void, delayMs: number): () => void {
  const deadline = Date.now() + delayMs;
  let timer: ReturnType<typeof setTimeout>;
  const arm = (remainingMs: number): void => {
    timer =
      remainingMs > MAXIMUM_TIMER_DELAY_MS
        ? setTimeout(() => arm(deadline - Date.now()), MAXIMUM_TIMER_DELAY_MS)
        : setTimeout(callback, Math.max(0, remainingMs));
  };
  arm(delayMs);
  return () => clearTimeout(timer);
}
