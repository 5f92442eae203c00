// A simulated cluster on wall-clock time, for `upgradelab serve`: the same World and SimulatedNodeApi as a
// deterministic run, but the scheduler is advanced to (wall time since start) x speed on a real timer, so
// an external controller can drive it over gRPC. Such a run is not deterministic (RPC arrival times depend
// on the wall clock); the scenario's faults and upgrade block are not scheduled — the external controller
// is the orchestrator, and the Lab verbs inject faults.
import { World } from '../cluster/world.js';
import { SimulatedNodeApi } from '../cluster/sim-api.js';
import { Rng } from '../engine/rng.js';
import { Scheduler } from '../engine/scheduler.js';
import type { Scenario } from '../scenario/types.js';
import type { TraceEventBody } from '../trace/types.js';
import { EventHub } from './events.js';

export interface LiveOptions {
  /** Virtual ms per wall-clock ms. */
  speed: number;
  seed?: string | number;
  /** Wall-clock ms between scheduler advances. */
  tickMs?: number;
  /** Bound on events executed in one tick (a runaway model cannot freeze the process). */
  eventsPerTickMax?: number;
  events?: EventHub;
}

export const SPEED_MAX = 10_000;

export class LiveSimulation {
  readonly scheduler = new Scheduler();
  readonly world: World;
  readonly api: SimulatedNodeApi;
  readonly events: EventHub;
  private timer: NodeJS.Timeout | null = null;
  private startWallMs = 0;
  private writesArmed = false;
  private readonly speed: number;
  private readonly tickMs: number;
  private readonly eventsPerTickMax: number;

  constructor(
    readonly scenario: Scenario,
    options: LiveOptions,
  ) {
    if (!(options.speed > 0 && options.speed <= SPEED_MAX))
      throw new RangeError(`LiveSimulation: speed must be in (0, ${SPEED_MAX}], got ${options.speed}`);
    this.speed = options.speed;
    this.tickMs = options.tickMs ?? 20;
    this.eventsPerTickMax = options.eventsPerTickMax ?? 200_000;
    this.events = options.events ?? new EventHub();
    const rng = new Rng(options.seed ?? scenario.seed);
    const trace = (body: TraceEventBody) => this.events.publish(this.scheduler.now, body);
    this.world = new World(scenario, this.scheduler, rng, trace);
    this.api = new SimulatedNodeApi(this.world, rng.stream('network'));
  }

  /** Power the nodes on and start following the wall clock. */
  start(): void {
    if (this.timer) return;
    this.startWallMs = Date.now();
    this.world.powerOnAll();
    this.workload();
    this.timer = setInterval(() => this.tick(), this.tickMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const n of this.world.nodes) {
      n.actor.stop();
      n.etcd?.stop();
    }
  }

  /** Run every event due by now; a model exception propagates (a simulator bug crashes the server). */
  tick(): void {
    const target = Math.floor((Date.now() - this.startWallMs) * this.speed);
    const stop = this.scheduler.run(
      { maxEvents: this.scheduler.eventsExecuted + this.eventsPerTickMax, maxTimeMs: target },
      () => this.world.settle(),
    );
    if (stop !== 'max-events' && this.scheduler.now < target) this.scheduler.advanceTo(target);
  }

  /** The scenario's workload: writes start once the cluster has formed, as in a deterministic run. */
  private workload(): void {
    const rate = this.scenario.workload.etcdWritesPerSecond;
    if (rate <= 0) return;
    const period = Math.max(1, Math.round(1000 / rate));
    const tick = () => {
      if (!this.writesArmed && this.world.etcd.leader() !== null) this.writesArmed = true;
      if (this.writesArmed) this.world.write();
      this.scheduler.after(period, tick);
    };
    this.scheduler.after(period, tick);
  }
}
