// Loads the .proto files of proto/ at run time (@grpc/proto-loader), from the source tree or from dist/.
// One loader for server and client, so both sides always agree on the same definitions.
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The proto/ folder: two levels up from sim/remote/ in the sources, three from dist/sim/remote/. */
export function protoDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, 'proto');
    if (existsSync(join(candidate, 'machine', 'machine.proto'))) return candidate;
    dir = dirname(dir);
  }
  throw new Error(`protoDir: proto/machine/machine.proto not found above ${fileURLToPath(import.meta.url)}`);
}

export interface Services {
  machine: grpc.ServiceClientConstructor;
  lab: grpc.ServiceClientConstructor;
}

let cached: Services | null = null;

/** The MachineService and Lab service definitions (uint64 as decimal strings, enums as names). */
export function loadServices(): Services {
  if (cached) return cached;
  const dir = protoDir();
  const def = protoLoader.loadSync(['machine/machine.proto', 'lab/v1/lab.proto'], {
    includeDirs: [dir],
    keepCase: true,
    longs: String,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  const pkg = grpc.loadPackageDefinition(def) as unknown as {
    machine: { MachineService: grpc.ServiceClientConstructor };
    upgradelab: { lab: { v1: { Lab: grpc.ServiceClientConstructor } } };
  };
  cached = { machine: pkg.machine.MachineService, lab: pkg.upgradelab.lab.v1.Lab };
  return cached;
}

/** gRPC metadata key naming the node a MachineService call is for (one server may serve many nodes). */
export const NODE_METADATA_KEY = 'node';
/** Trailing metadata key carrying the Maelstrom `definite` flag of an error (see proto/PROTOCOL.md). */
export const DEFINITE_METADATA_KEY = 'x-upgradelab-definite';
