// The fault kinds a drawn schedule (and a scenario's `fuzz:` block) can use, as the scenario file spells
// them (isolate and the cuts are partitions; wipeReboot is a wipe followed by a power cycle). Kept apart
// from fault-schedule.ts so the scenario schema can name them without loading fast-check.
export const SCHEDULE_FAULT_KINDS = [
  'powerLoss',
  'isolate',
  'oneWayCut',
  'peerCut',
  'failedBoot',
  'diskWipe',
  'bootPartitionFull',
  'installFails',
  'busyMounts',
  'etcdLeaveFails',
  'etcdRemoveMember',
  'wipeReboot',
  'imagePullFails',
] as const;
export type ScheduleFaultKind = (typeof SCHEDULE_FAULT_KINDS)[number];

/** Kinds that only make sense on a control-plane node (they act on its etcd member). */
export const CONTROL_PLANE_ONLY: ReadonlySet<ScheduleFaultKind> = new Set([
  'etcdLeaveFails',
  'etcdRemoveMember',
]);
