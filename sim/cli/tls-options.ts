// The --tls-ca/--tls-cert/--tls-key flags shared by `serve` and `agent`: all three or none.
import { readFileSync } from 'node:fs';
import type { TlsFiles } from '../remote/server.js';
import { RemoteConfigError } from '../remote/server.js';

export interface TlsFlags {
  tlsCa?: string;
  tlsCert?: string;
  tlsKey?: string;
}

export function readTlsFlags(o: TlsFlags): TlsFiles | undefined {
  const given = [o.tlsCa, o.tlsCert, o.tlsKey].filter((x) => x !== undefined).length;
  if (given === 0) return undefined;
  if (given !== 3)
    throw new RemoteConfigError('mutual TLS needs all three of --tls-ca, --tls-cert and --tls-key');
  return { ca: readFileSync(o.tlsCa!), cert: readFileSync(o.tlsCert!), key: readFileSync(o.tlsKey!) };
}
