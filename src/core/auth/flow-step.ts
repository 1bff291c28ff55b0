/**
 * The seam of the auth flows' request hooks: a flow hands what it found
 * (`details`) and the rest of its work (`action`) to a FlowStep, which runs the
 * action — with details a hook may have changed — or, to stop the flow, does not.
 * core/ knows no requests; the HTTP routes build the hook's event.
 */

/** Runs `action` with `details` (possibly changed), or not at all; the action resolves with `R`. */
export type FlowStep<D, R = void> = (details: D, action: (details: D) => Promise<R>) => Promise<void>;

/** Runs `action` through `step` when there is one, else directly. */
export async function runStep<D, R>(step: FlowStep<D, R> | undefined, details: D, action: (details: D) => Promise<R>): Promise<void> {
  if (step) await step(details, action);
  else await action(details);
}
