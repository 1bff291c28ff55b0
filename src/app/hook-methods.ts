/**
 * Turns groups of Hooks into the app's `onX(handler, ...tags)` methods, so a hook
 * added to a group is a method of the app with its event type, and nothing else.
 */
import { Hook, type HookEvent, type HookHandle, type HookHandler } from '../tools/hook.js';

/** The `onX` methods of a group of hooks. */
export type HookMethods<G> = {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Hook<E> is invariant in E; any matches every event type.
  [K in keyof G as G[K] extends Hook<any> ? K : never]: G[K] extends Hook<infer E> ? (handler: HookHandler<E>, ...tags: string[]) => HookHandle : never;
};

/** Adds a bound `onX` method to `target` for every Hook field of each group; `onBind` hears of each handler bound. */
export function addHookMethods(target: object, groups: readonly object[], onBind: () => void = () => undefined): void {
  for (const group of groups) {
    for (const [name, hook] of Object.entries(group)) {
      if (!(hook instanceof Hook)) continue;
      if (name in target) throw new Error(`hook ${name} is defined twice`);
      // Trace spans of the hook carry the name app code knows it by.
      hook.name = name;
      Object.defineProperty(target, name, {
        value: (handler: HookHandler<HookEvent>, ...tags: string[]) => {
          const handle = (hook as Hook<HookEvent>).bind(handler, ...tags);
          onBind();
          return handle;
        },
        enumerable: false,
      });
    }
  }
}
