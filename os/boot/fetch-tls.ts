/** https:// for the global fetch: node:tls connections (see fetch-global.ts). */
import { installFetchTls } from './fetch-global.ts';
import { tlsConnect } from '../node/https.ts';

installFetchTls(tlsConnect);
