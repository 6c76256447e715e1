import type { Histogram, MeasureOptions } from './histogram.js';
import type { LabelObject } from './label-index.js';

type Method = (this: unknown, ...args: never[]) => unknown;

/**
 * A method decorator that measures every call with `histogram.measure`, sync or async. It works with
 * TypeScript 5's standard decorators and with `experimentalDecorators` (NestJS and friends):
 *
 *     class Provider { @timed(latency, { provider: 'openai' }) async complete() { ... } }
 */
export function timed(histogram: Histogram, labels?: LabelObject, options?: MeasureOptions) {
  const wrap = <F extends Method>(method: F): F =>
    function (this: unknown, ...args: Parameters<F>) {
      return histogram.measure(labels, () => method.apply(this, args), options);
    } as F;

  function decorator<F extends Method>(method: F, context: ClassMethodDecoratorContext): F;
  function decorator(
    target: object,
    key: string | symbol,
    descriptor: PropertyDescriptor,
  ): PropertyDescriptor;
  function decorator(
    methodOrTarget: Method | object,
    _contextOrKey: unknown,
    descriptor?: PropertyDescriptor,
  ): Method | PropertyDescriptor {
    if (descriptor) return { ...descriptor, value: wrap(descriptor.value as Method) };
    return wrap(methodOrTarget as Method);
  }
  return decorator;
}
