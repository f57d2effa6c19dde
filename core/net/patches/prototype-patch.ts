// Replacing one method of a dependency's class for the whole process: once per
// prototype (so installing twice, or from two copies of a module, patches once),
// keeping the method it replaced, so that tests can still run the dependency as
// published and see whether the behaviour a patch works around is still there.

/** Method is any function, whatever its `this` and arguments. */
export type Method = (this: never, ...args: never[]) => unknown;

/** UPSTREAM is the property under which a patched method keeps the method it replaced. */
const UPSTREAM = Symbol.for('raftnotes.patches.upstream');

/** MethodTarget names a method of a dependency's class, and the patch file to review when it is gone. */
export interface MethodTarget {
  /** The class's prototype. */
  proto: object;
  method: string;
  /** How the method is named in an error: `<package> <Class>.<method>`. */
  owner: string;
  /** The patch file, e.g. core/net/patches/yamux-window-updates.ts. */
  file: string;
}

/**
 * patchMethod replaces `target.method` on its prototype with `replace(upstream)`,
 * unless it is already patched. It throws, naming the patch file, when the
 * dependency no longer has the method.
 */
export function patchMethod<F extends Method>(target: MethodTarget, replace: (upstream: F) => F): void {
  const proto = target.proto as Record<string, unknown>;
  const current = proto[target.method];
  if (typeof current !== 'function') {
    throw new Error(`upstream changed: ${target.owner} is gone; review ${target.file}`);
  }
  if (Object.hasOwn(current, UPSTREAM)) return;
  const patched = replace(current as F);
  Object.defineProperty(patched, UPSTREAM, { value: current });
  proto[target.method] = patched;
}

/** upstreamMethod returns `proto[method]` as the dependency defines it, whether or not a patch replaced it. */
export function upstreamMethod<F extends Method>(proto: object, method: string): F {
  const current = (proto as Record<string, unknown>)[method] as (F & { [UPSTREAM]?: F }) | undefined;
  if (typeof current !== 'function') throw new Error(`${method} is not a method of this prototype`);
  return current[UPSTREAM] ?? current;
}

/** isPatched tells whether patchMethod replaced `proto[method]`. */
export function isPatched(proto: object, method: string): boolean {
  const current = (proto as Record<string, unknown>)[method];
  return typeof current === 'function' && Object.hasOwn(current, UPSTREAM);
}
