// The C library's part of the server's environment, shared by `npm start` and the benchmarks so they measure what
// users run.
//
// glibc gives each thread that allocates its own malloc arena (up to 8 per core) and rarely hands their memory back:
// with the processing thread, the server's RSS stayed about 60 MiB above its start after a load that its JavaScript
// heap had long let go of. Two arenas keep that down at no measured cost (docs/ingest.md, "The processing thread").
// A value already in the environment wins.
export const ALLOCATOR_ENV = { MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? "2" };
