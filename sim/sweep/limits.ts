// Bounds of a sweep's pool (STYLE.md habit 6), apart from the pool so the CLI can check options without
// loading piscina. Threads beyond 64 only add memory on any machine we run on; a chunk is a few seconds.
export const MAX_WORKERS = 64;
export const DEFAULT_CHUNK_SEEDS = 25;
