// The piscina worker entry: one task is one chunk of seeds (sim/sweep/chunk.ts).
import { runChunk, type ChunkResult, type ChunkTask } from './chunk.js';

export default function (task: ChunkTask): ChunkResult {
  return runChunk(task);
}
