/**
 * The web platform's globals (Headers, Request, Response, AbortController, AbortSignal,
 * ReadableStream, ...) for images whose program mentions them (cli/build.ts decides).
 */
import { installWebGlobals } from '../web/index.ts';

installWebGlobals(globalThis);
