// Test certificates made at test time with the machine's openssl (no private key is ever committed): a CA,
// a server certificate for localhost/127.0.0.1, and client certificates whose organisation is the role.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TlsFiles } from '../../sim/remote/server.js';

export interface TestPki {
  dir: string;
  ca: Buffer;
  server: TlsFiles;
  /** A client certificate per organisation (e.g. os:reader), signed by the CA. */
  client(org: string): TlsFiles;
  /** A client certificate signed by another CA the server does not trust. */
  stranger(): TlsFiles;
  cleanup(): void;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

function makeCa(dir: string, name: string): void {
  openssl(dir, ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', `${name}.key`]);
  openssl(dir, [
    'req',
    '-x509',
    '-new',
    '-key',
    `${name}.key`,
    '-days',
    '2',
    '-subj',
    `/CN=${name}`,
    '-out',
    `${name}.crt`,
  ]);
}

function issue(dir: string, ca: string, name: string, subject: string, ext: string): void {
  openssl(dir, ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', `${name}.key`]);
  openssl(dir, ['req', '-new', '-key', `${name}.key`, '-subj', subject, '-out', `${name}.csr`]);
  writeFileSync(join(dir, `${name}.ext`), ext);
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${ca}.crt`,
    '-CAkey',
    `${ca}.key`,
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    `${name}.ext`,
    '-out',
    `${name}.crt`,
  ]);
}

export function makeTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'upgradelab-pki-'));
  const read = (f: string) => readFileSync(join(dir, f));
  makeCa(dir, 'ca');
  issue(
    dir,
    'ca',
    'server',
    '/CN=localhost',
    'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n',
  );
  const ca = read('ca.crt');
  let n = 0;
  return {
    dir,
    ca,
    server: { ca, cert: read('server.crt'), key: read('server.key') },
    client(org: string) {
      const name = `client${n++}`;
      issue(dir, 'ca', name, `/O=${org}/CN=${name}`, 'extendedKeyUsage=clientAuth\n');
      return { ca, cert: read(`${name}.crt`), key: read(`${name}.key`) };
    },
    stranger() {
      makeCa(dir, 'other');
      issue(dir, 'other', 'stranger', '/O=os:admin/CN=stranger', 'extendedKeyUsage=clientAuth\n');
      return { ca, cert: read('stranger.crt'), key: read('stranger.key') };
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
