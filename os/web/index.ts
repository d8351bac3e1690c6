/**
 * os/web: the fetch API types a program sees (Headers, Request, Response, AbortController/
 * AbortSignal, a small ReadableStream with minimal WritableStream/TransformStream), written
 * for QuickJS which has none of them. Pure: no I/O, no clock except AbortSignal.timeout's
 * setTimeout. `fetch()` itself lives in os/http/fetch.ts (it needs the network).
 */
import { Headers } from './headers.ts';
import { Request } from './request.ts';
import { Response } from './response.ts';
import { AbortController, AbortSignal, DOMExceptionImpl } from './abort.ts';
import { ReadableStream, ReadableStreamDefaultReader, WritableStream, TransformStream } from './streams.ts';

import { Event, CustomEvent, EventTarget } from './event.ts';
import { Blob, File } from './blob.ts';
import { MessageChannel, MessagePort, MessageEvent, BroadcastChannel } from './messaging.ts';
import { FormData } from './form-data.ts';
import { CompressionStream, DecompressionStream, TextEncoderStream, TextDecoderStream } from './compression.ts';
export { Headers, Request, Response, AbortController, AbortSignal, ReadableStream, ReadableStreamDefaultReader, WritableStream, TransformStream };
export { DOMExceptionImpl as DOMException };
export type { HeadersInit } from './headers.ts';
export type { RequestInit } from './request.ts';
export type { ResponseInit } from './response.ts';
export type { BodyInit } from './body.ts';

export { Event, CustomEvent, EventTarget, Blob, File, MessageChannel, MessagePort, MessageEvent, BroadcastChannel };
export { CompressionStream, DecompressionStream, TextEncoderStream, TextDecoderStream, FormData };

export const WEB_GLOBALS = {
  Event, CustomEvent, EventTarget, Blob, File, Headers, Request, Response, AbortController, AbortSignal, ReadableStream, ReadableStreamDefaultReader,
  WritableStream, TransformStream, DOMException: DOMExceptionImpl, MessageChannel, MessagePort, MessageEvent, BroadcastChannel,
  CompressionStream, DecompressionStream, TextEncoderStream, TextDecoderStream, FormData,
} as const;

/**
 * Defines the web classes on `target` (globalThis by default). Existing globals are kept
 * unless `overwrite`; returns a function that restores what was there before.
 */
export function installWebGlobals(target: object = globalThis, options: { overwrite?: boolean; extra?: Record<string, unknown> } = {}): () => void {
  const t = target as Record<string, unknown>;
  const saved: [string, PropertyDescriptor | undefined][] = [];
  const all: Record<string, unknown> = { ...WEB_GLOBALS, ...options.extra };
  for (const [name, value] of Object.entries(all)) {
    if (name in t && !options.overwrite) continue;
    saved.push([name, Object.getOwnPropertyDescriptor(t, name)]);
    Object.defineProperty(t, name, { value, writable: true, configurable: true, enumerable: false });
  }
  return () => {
    for (const [name, d] of saved.reverse()) {
      if (d) Object.defineProperty(t, name, d);
      else delete t[name];
    }
  };
}
