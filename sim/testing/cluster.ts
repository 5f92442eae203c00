// A fast-check arbitrary of clusters, in the scenario file's own words: the `cluster:` block plus the
// `bootloader:` (and, when asked, an explicit `profile:` override). Shrinks towards the smallest
// cluster and the first bootloader listed.
import fc from 'fast-check';
import { BOOTLOADER_PROFILES, TALOS_PROFILES } from '../../models/types.js';

export interface ClusterDraw {
  cluster: { controlPlanes: number; workers: number; version: string };
  bootloader: string;
  /** Present only when `profiles` was given: an explicit override of the version-derived rules. */
  profile?: string;
  /** Node names as the simulator builds them: cp1..cpN, then w1..wM. */
  controlPlaneNames: string[];
  workerNames: string[];
}

export interface ClusterOptions {
  controlPlanes?: { min: number; max: number };
  workers?: { min: number; max: number };
  /** Versions the cluster may start on (first = simplest). */
  versions?: readonly string[];
  bootloaders?: readonly string[];
  /** Explicit profile overrides to draw; omit to let each node's version decide (the default). */
  profiles?: readonly string[];
}

export function clusterNames(controlPlanes: number, workers: number): { cp: string[]; w: string[] } {
  return {
    cp: Array.from({ length: controlPlanes }, (_, i) => `cp${i + 1}`),
    w: Array.from({ length: workers }, (_, i) => `w${i + 1}`),
  };
}

export function clusterArb(options: ClusterOptions = {}): fc.Arbitrary<ClusterDraw> {
  const cps = options.controlPlanes ?? { min: 1, max: 5 };
  const ws = options.workers ?? { min: 0, max: 3 };
  const versions = options.versions ?? ['v1.7.6'];
  const bootloaders = options.bootloaders ?? BOOTLOADER_PROFILES;
  if (cps.min < 1 || cps.max < cps.min)
    throw new RangeError('clusterArb: need 1 <= controlPlanes.min <= max');
  if (ws.min < 0 || ws.max < ws.min) throw new RangeError('clusterArb: need 0 <= workers.min <= max');
  if (versions.length === 0 || bootloaders.length === 0)
    throw new RangeError('clusterArb: versions and bootloaders must not be empty');
  const unknown = (options.profiles ?? []).filter((p) => !(TALOS_PROFILES as readonly string[]).includes(p));
  if (unknown.length > 0) throw new RangeError(`clusterArb: unknown profile ${unknown.join(', ')}`);
  return fc
    .record({
      controlPlanes: fc.integer(cps),
      workers: fc.integer(ws),
      version: fc.constantFrom(...versions),
      bootloader: fc.constantFrom(...bootloaders),
      profile: options.profiles ? fc.constantFrom(...options.profiles) : fc.constant(undefined),
    })
    .map((r) => {
      const names = clusterNames(r.controlPlanes, r.workers);
      const draw: ClusterDraw = {
        cluster: { controlPlanes: r.controlPlanes, workers: r.workers, version: r.version },
        bootloader: r.bootloader,
        controlPlaneNames: names.cp,
        workerNames: names.w,
      };
      if (r.profile !== undefined) draw.profile = r.profile;
      return draw;
    });
}
