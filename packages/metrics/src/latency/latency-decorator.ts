import { invalidOption } from '../base/errors.js';

export type Method = (this: unknown, ...args: never[]) => unknown;

/**
 * What `measureLatency` returns: call it on a function to get the measured function, or put it on a
 * method as a decorator, with TypeScript 5's standard decorators or with `experimentalDecorators`
 * (NestJS and friends), as `timed` in core does.
 */
export interface LatencyDecorator {
  <F extends Method>(fn: F, context?: ClassMethodDecoratorContext): F;
  (target: object, key: string | symbol, descriptor: PropertyDescriptor): PropertyDescriptor;
}

/** `wrap(fn, key)` gets the method's name as `key` when used as a decorator, undefined as a wrapper. */
export function latencyDecorator(
  wrap: <F extends Method>(fn: F, key: string | undefined) => F,
): LatencyDecorator {
  function decorate<F extends Method>(fn: F, context?: ClassMethodDecoratorContext): F;
  function decorate(target: object, key: string | symbol, descriptor: PropertyDescriptor): PropertyDescriptor;
  function decorate(
    fnOrTarget: Method | object,
    contextOrKey?: ClassMethodDecoratorContext | string | symbol,
    descriptor?: PropertyDescriptor,
  ): Method | PropertyDescriptor {
    if (descriptor !== undefined) {
      if (typeof descriptor.value !== 'function') {
        throw invalidOption(`measureLatency on ${String(contextOrKey)}`, descriptor.value, 'a method');
      }
      return { ...descriptor, value: wrap(descriptor.value as Method, String(contextOrKey)) };
    }
    if (typeof fnOrTarget !== 'function')
      throw invalidOption('measureLatency(...)(fn)', fnOrTarget, 'a function');
    if (typeof contextOrKey === 'object' && contextOrKey !== null) {
      if (contextOrKey.kind !== 'method') {
        throw invalidOption(`measureLatency on ${String(contextOrKey.name)}`, contextOrKey.kind, 'a method');
      }
      return wrap(fnOrTarget as Method, String(contextOrKey.name));
    }
    return wrap(fnOrTarget as Method, undefined);
  }
  return decorate;
}

/** The decorator of a disabled tracker: hands every function back untouched, so it costs nothing per call. */
export const passThrough: LatencyDecorator = latencyDecorator((fn) => fn);
