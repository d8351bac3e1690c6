/** node:util/types: the same predicates as util.types. */
import { types } from './util.ts';

export const {
  isPromise, isDate, isRegExp, isMap, isSet, isWeakMap, isWeakSet, isNativeError, isTypedArray, isUint8Array, isArrayBuffer,
  isAnyArrayBuffer, isArrayBufferView, isDataView, isAsyncFunction, isGeneratorFunction, isGeneratorObject, isBoxedPrimitive, isProxy,
} = types;
export default types;
