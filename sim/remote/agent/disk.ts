// A node's disk as folders on the host (DESIGN.md, Real nodes): BOOT/A and BOOT/B (one installer image per
// slot plus the bootloader config), META, STATE and EPHEMERAL, each a directory with real files. It holds
// the same facts as the model's Disk (models/types.ts, F§1) so the node model can run over it.
// Every file is written to a temporary name, fsynced, renamed over the old one and the directory fsynced:
// a kill leaves either the old or the new file, never a torn one. The one torn state that exists is the
// model's own: a slot whose write started and did not finish reads as `intact: false` (a power loss in the
// middle of writing a slot leaves that slot corrupt).
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { emptyMeta, type Disk, type Meta, type SlotImage, type SlotLabel } from '../../../models/types.js';
import type { WipeLabel } from '../../api/node-api.js';

export const PARTITIONS = ['BOOT', 'META', 'STATE', 'EPHEMERAL'] as const;
/** Size of the stand-in kernel+initramfs written into a slot (enough that a kill can land mid-write). */
export const SLOT_PAYLOAD_BYTES = 4 * 1024 * 1024;
const CHUNK_BYTES = 256 * 1024;
/** Beside etcd's own `member/` folder: the member id the data dir was created for. */
const MEMBER_FILE = 'upgradelab-member.json';

function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Write `data` to `file` atomically: temp file, fsync, rename, fsync of the directory. */
export function atomicWrite(file: string, data: string | Buffer): void {
  const dir = join(file, '..');
  mkdirSync(dir, { recursive: true });
  const tmp = `${file}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  fsyncDir(dir);
}

function readJson<T>(file: string): T | null {
  if (!existsSync(file)) return null;
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

export class FolderDisk {
  constructor(readonly root: string) {}

  path(...parts: string[]): string {
    return join(this.root, ...parts);
  }

  /** The etcd data dir of this node (/var/lib/etcd on EPHEMERAL). */
  get etcdDataDir(): string {
    return this.path('EPHEMERAL', 'var', 'lib', 'etcd');
  }

  /** A fresh install of `version` into slot A (what the installer does on first boot). */
  install(version: string, hostname: string): void {
    for (const p of PARTITIONS) mkdirSync(this.path(p), { recursive: true });
    this.writeSlot('A', version);
    this.writeBootloader({ default: 'A', fallback: null });
    this.writeMeta(emptyMeta());
    atomicWrite(this.path('STATE', 'config.json'), JSON.stringify({ hostname }));
    mkdirSync(this.path('EPHEMERAL', 'var', 'lib'), { recursive: true });
  }

  /**
   * Write an image into a slot. The marker says `intact: false` from the first byte until the payload is
   * complete and synced; `onChunk` lets a caller (a test, the agent's power-loss fault) act mid-write.
   */
  writeSlot(slot: SlotLabel, version: string, onChunk?: (written: number) => void): void {
    this.beginSlotWrite(slot, version, onChunk);
    atomicWrite(this.path('BOOT', slot, 'image.json'), JSON.stringify({ version, intact: true }));
  }

  /**
   * The agent's installer: mark the slot `intact: false` for `version` and write its payload. The model
   * decides when the write is done (its install delay); `setSlot` then records the outcome. A power loss in
   * between leaves the marker at `intact: false`: the torn slot the model expects (F§1, DESIGN.md).
   */
  beginSlotWrite(slot: SlotLabel, version: string, onChunk?: (written: number) => void): void {
    const dir = this.path('BOOT', slot);
    mkdirSync(dir, { recursive: true });
    atomicWrite(join(dir, 'image.json'), JSON.stringify({ version, intact: false }));
    const fd = openSync(join(dir, 'vmlinuz'), 'w');
    try {
      const chunk = Buffer.alloc(CHUNK_BYTES, version);
      for (let written = 0; written < SLOT_PAYLOAD_BYTES; written += CHUNK_BYTES) {
        writeSync(fd, chunk);
        onChunk?.(written + CHUNK_BYTES);
      }
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  /** Record a slot as the model has it: an image marker, or no image (the slot folder is removed). */
  setSlot(slot: SlotLabel, image: SlotImage | null): void {
    if (image === null) {
      rmSync(this.path('BOOT', slot), { recursive: true, force: true });
      return;
    }
    atomicWrite(this.path('BOOT', slot, 'image.json'), JSON.stringify(image));
  }

  writeState(state: { hostname: string }): void {
    atomicWrite(this.path('STATE', 'config.json'), JSON.stringify(state));
  }

  /** Whether anything was ever installed on this disk (the agent installs on first start only). */
  installed(): boolean {
    return existsSync(this.path('BOOT')) || existsSync(this.path('STATE'));
  }

  writeBootloader(b: Disk['bootloader']): void {
    atomicWrite(this.path('BOOT', 'bootloader.json'), JSON.stringify(b));
  }

  writeMeta(meta: Meta): void {
    atomicWrite(this.path('META', 'meta.json'), JSON.stringify(meta));
  }

  /** Record which etcd member the data dir belongs to (the agent does it after a join or bootstrap). */
  recordEtcdMember(memberId: string): void {
    atomicWrite(join(this.etcdDataDir, MEMBER_FILE), JSON.stringify({ memberId }));
  }

  /** Delete a partition's folder (wipe = delete, as the agent's fault verb does); `all` wipes the disk. */
  wipe(label: WipeLabel): void {
    const labels = label === 'all' ? PARTITIONS : [label];
    for (const l of labels) {
      rmSync(this.path(l), { recursive: true, force: true });
      mkdirSync(this.path(l), { recursive: true });
    }
  }

  /** Read the disk into the model's terms. */
  read(): Disk {
    const slot = (s: SlotLabel): SlotImage | null => {
      const img = readJson<SlotImage>(this.path('BOOT', s, 'image.json'));
      return img ? { version: img.version, intact: img.intact } : null;
    };
    const bootloader = readJson<Disk['bootloader']>(this.path('BOOT', 'bootloader.json')) ?? {
      default: 'A',
      fallback: null,
    };
    const meta = readJson<Meta>(this.path('META', 'meta.json'));
    const state = readJson<{ hostname: string }>(this.path('STATE', 'config.json'));
    const etcdMember = readJson<{ memberId: string }>(join(this.etcdDataDir, MEMBER_FILE));
    const etcdPresent = existsSync(join(this.etcdDataDir, 'member'));
    return {
      boot: { A: slot('A'), B: slot('B') },
      bootloader,
      meta,
      state,
      ephemeral: {
        etcd: etcdPresent ? { memberId: etcdMember?.memberId ?? '' } : null,
        userData: existsSync(this.path('EPHEMERAL', 'var', 'lib')),
      },
    };
  }
}
