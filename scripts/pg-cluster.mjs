// Throwaway PostgreSQL 15 clusters for tests, from the Debian binaries (no
// Docker here): `startThrowawayPostgres()`, `createDatabase(url, name)`,
// `stop()`; run directly, prints the URL. A detached watchdog tears the cluster
// down even when this process is SIGKILLed. See docs/development.md#throwaway-postgresql.

import { execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { access, chown, constants, mkdtemp, readFile, statfs } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aptInstall } from './apt-install.mjs';
import { isMainModule } from './main-module.mjs';

const PG_BIN = '/usr/lib/postgresql/15/bin';
const PG_PACKAGE = 'postgresql-15';
const INITIAL_DATABASE = 'rxwatch_test';
const START_ATTEMPTS = 3;

// Durability is pointless for a cluster that is deleted after the run, and
// these settings roughly halve the cost of schema pushes and CREATE DATABASE.
// max_connections is raised because every test worker plus the Next.js server
// holds its own pool.
const SERVER_SETTINGS = {
  listen_addresses: '127.0.0.1',
  fsync: 'off',
  synchronous_commit: 'off',
  full_page_writes: 'off',
  max_connections: '200',
};

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

function execFileAsync(file, args, options = {}) {
  return new Promise((resolve, reject) => {
    execFile(file, args, { encoding: 'utf8', ...options }, (err, stdout, stderr) => {
      if (err) {
        err.message = `${file} ${args.join(' ')} failed: ${(stderr || err.message).trim()}`;
        reject(err);
      } else {
        resolve(stdout);
      }
    });
  });
}

function shellQuote(value) {
  return `'${String(value).replace(/'/g, `'\\''`)}'`;
}

// ---------------------------------------------------------------------------
// Installing PostgreSQL

let installPending;

function ensurePostgresInstalled(log) {
  installPending ??= (async () => {
    if (existsSync(join(PG_BIN, 'initdb'))) return;
    if (!isRoot()) {
      throw new Error(
        `PostgreSQL 15 not found at ${PG_BIN}: install Debian's \`${PG_PACKAGE}\` package (apt-get install ${PG_PACKAGE})`,
      );
    }
    log(`installing ${PG_PACKAGE} with apt-get`);
    await aptInstall(PG_PACKAGE);
    if (!existsSync(join(PG_BIN, 'initdb'))) {
      throw new Error(`apt-get install ${PG_PACKAGE} succeeded but ${PG_BIN}/initdb is missing`);
    }
  })().catch((err) => {
    installPending = undefined;
    throw err;
  });
  return installPending;
}

// ---------------------------------------------------------------------------
// Running the server binaries as a non-root user

async function lookupUser(name) {
  const passwd = await readFile('/etc/passwd', 'utf8');
  for (const line of passwd.split('\n')) {
    const [user, , uid, gid] = line.split(':');
    if (user === name) return { name, uid: Number(uid), gid: Number(gid) };
  }
  return undefined;
}

let serverUserPending;

// postgres/initdb exit immediately when run as root, so under root we hand the
// data directory to an unprivileged account and run every binary as it.
function resolveServerUser(log) {
  serverUserPending ??= (async () => {
    if (!isRoot()) return undefined;
    let user = await lookupUser('postgres');
    if (!user) {
      try {
        await execFileAsync('useradd', ['--system', '--no-create-home', 'postgres']);
        log('created system user postgres');
      } catch (err) {
        // A parallel process may have created it between our check and now.
        log(`useradd postgres failed (${err.message}); trying existing users`);
      }
      user = (await lookupUser('postgres')) ?? (await lookupUser('nobody'));
    }
    if (!user) throw new Error('Running as root but neither a `postgres` nor a `nobody` user exists');
    return user;
  })().catch((err) => {
    serverUserPending = undefined;
    throw err;
  });
  return serverUserPending;
}

const RUNUSER = ['/usr/sbin/runuser', '/sbin/runuser'].find((p) => existsSync(p));

/** argv that runs `bin args...` as `user` (or directly when user is undefined). */
function asUser(user, bin, args) {
  if (!user) return [bin, args];
  if (RUNUSER) return [RUNUSER, ['-u', user.name, '--', bin, ...args]];
  // `sh -c 'exec "$0" "$@"' bin args...` passes arguments through untouched;
  // the `--` stops su's own getopt from eating flags such as initdb's -D.
  return ['su', [user.name, '-s', '/bin/sh', '-c', 'exec "$0" "$@"', '--', bin, ...args]];
}

// ---------------------------------------------------------------------------
// Cleanup on exit

const liveClusters = new Set();
let exitHooksInstalled = false;

function stopClusterSync(cluster) {
  if (!liveClusters.delete(cluster)) return;
  try {
    const [cmd, args] = cluster.stopCommand;
    execFileSync(cmd, args, { stdio: 'ignore', cwd: cluster.dir, timeout: 30_000 });
  } catch {
    // Already stopped or never fully started; removing the dir is what matters.
  }
  cluster.watchdog?.kill();
  rmSync(cluster.dir, { recursive: true, force: true });
}

function installExitHooks() {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  // 'exit' only allows synchronous work, hence execFileSync/rmSync throughout.
  process.on('exit', () => {
    for (const cluster of [...liveClusters]) stopClusterSync(cluster);
  });
  for (const signal of ['SIGINT', 'SIGTERM']) {
    const onSignal = () => {
      for (const cluster of [...liveClusters]) stopClusterSync(cluster);
      // Adding a listener suppresses Node's default "exit on signal". If we
      // are the only listener, restore that default by re-raising; otherwise
      // the host (vitest, the CLI below) decides what the signal means.
      if (process.listenerCount(signal) === 1) {
        process.removeListener(signal, onSignal);
        process.kill(process.pid, signal);
      }
    };
    process.on(signal, onSignal);
  }
}

// Runs in a separate, detached Node process. Its stdin is a pipe whose only
// writer is the parent, so EOF means the parent is gone however it died
// (including SIGKILL), with no PID-polling or PID-reuse races.
const WATCHDOG_SOURCE = `
const { execFileSync } = require('node:child_process');
const { rmSync } = require('node:fs');
const [cmd, args, dir] = JSON.parse(process.argv[1]);
process.on('SIGINT', () => {});
const cleanup = () => {
  try { execFileSync(cmd, args, { stdio: 'ignore', cwd: dir, timeout: 30000 }); } catch {}
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
};
process.stdin.on('end', cleanup);
process.stdin.on('error', cleanup);
process.stdin.resume();
`;

function spawnWatchdog(cluster) {
  const child = spawn(
    process.execPath,
    ['-e', WATCHDOG_SOURCE, JSON.stringify([...cluster.stopCommand, cluster.dir])],
    // detached: a new session, so Ctrl-C in the terminal does not kill it
    // before it has done its job.
    { detached: true, stdio: ['pipe', 'ignore', 'ignore'] },
  );
  child.on('error', () => {});
  child.unref();
  // The pipe handle would otherwise keep the parent's event loop alive.
  child.stdin.unref?.();
  child.stdin.on('error', () => {});
  return child;
}

// ---------------------------------------------------------------------------
// Starting a cluster

function findFreePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

// On this VM the root fs is ext4 mounted with `discard`, where initdb alone
// takes ~1.1 s of mostly kernel time; on tmpfs it takes ~0.3 s. Only use
// /dev/shm when it is roomy: Docker's default 64 MB /dev/shm would fill up
// after a handful of CREATE DATABASEs (~8 MB each).
const MIN_SHM_BYTES = 1024 ** 3;

async function pickBaseDir() {
  try {
    const { bavail, bsize } = await statfs('/dev/shm');
    await access('/dev/shm', constants.W_OK | constants.X_OK);
    if (bavail * bsize >= MIN_SHM_BYTES) return '/dev/shm';
  } catch {
    // No usable /dev/shm (non-Linux, read-only); fall through.
  }
  return tmpdir();
}

function readLogTail(logFile) {
  try {
    return readFileSync(logFile, 'utf8').trim().split('\n').slice(-15).join('\n');
  } catch {
    return '(no server log)';
  }
}

/**
 * Start a throwaway PostgreSQL 15 cluster in a fresh temp directory.
 * @param {{ log?: (message: string) => void, baseDir?: string }} [options]
 *   baseDir: parent of the temp dir; defaults to /dev/shm when it has >= 1 GiB
 *   free, else os.tmpdir(). Under root it must be traversable by `postgres`.
 * @returns {Promise<{ url: string, port: number, dir: string, stop: () => Promise<void> }>}
 *   `url` points at the pre-created, empty `rxwatch_test` database.
 */
export async function startThrowawayPostgres({ log = () => {}, baseDir } = {}) {
  const started = Date.now();
  await ensurePostgresInstalled(log);
  const user = await resolveServerUser(log);

  baseDir ??= await pickBaseDir();
  const dir = await mkdtemp(join(baseDir, 'rxwatch-pg-'));
  const dataDir = join(dir, 'data');
  const logFile = join(dir, 'server.log');
  // mkdtemp makes the dir 0700 root-owned; the server user must own it to
  // create the data dir, log file and socket inside. The socket lives here
  // too, so concurrent clusters never fight over /var/run/postgresql or
  // /tmp/.s.PGSQL.<port> lock files.
  if (user) await chown(dir, user.uid, user.gid);

  const pgCtl = join(PG_BIN, 'pg_ctl');
  const cluster = {
    dir,
    stopCommand: asUser(user, pgCtl, ['stop', '-D', dataDir, '-m', 'immediate', '-w']),
    watchdog: undefined,
  };
  installExitHooks();
  liveClusters.add(cluster);
  cluster.watchdog = spawnWatchdog(cluster);

  // The server user's cwd would otherwise be ours (e.g. /root), which it
  // cannot read; initdb and pg_ctl warn or fail on that.
  const runOptions = { cwd: dir, env: { ...process.env, LC_ALL: 'C' } };

  try {
    const [initCmd, initArgs] = asUser(user, join(PG_BIN, 'initdb'), [
      '-D', dataDir,
      '-A', 'trust',
      '-U', 'postgres',
      '--encoding=UTF8',
      // C locale: the container usually has no generated locales, and with
      // one configured the cluster would silently depend on the host's.
      '--no-locale',
      // The cluster is disposable, so skip initdb's final fsync of every file.
      '--no-sync',
    ]);
    await execFileAsync(initCmd, initArgs, runOptions).catch((err) => {
      if (user) {
        err.message += `\n(initdb runs as user ${user.name}; ${baseDir} must be traversable by it — pass baseDir: '/tmp')`;
      }
      throw err;
    });
    log(`initdb done in ${Date.now() - started} ms (${dir})`);

    let port;
    for (let attempt = 1; ; attempt++) {
      port = await findFreePort();
      const serverOptions = [
        `-p ${port}`,
        `-k ${shellQuote(dir)}`,
        ...Object.entries(SERVER_SETTINGS).map(([k, v]) => `-c ${k}=${v}`),
      ].join(' ');
      const [startCmd, startArgs] = asUser(user, pgCtl, [
        'start', '-D', dataDir, '-l', logFile, '-w', '-t', '60', '-o', serverOptions,
      ]);
      try {
        // -l matters beyond logging: without it the postmaster inherits our
        // stdout pipe and execFile would never see it close.
        await execFileAsync(startCmd, startArgs, runOptions);
        break;
      } catch (err) {
        // Another process can grab the port between findFreePort closing it
        // and the postmaster binding it; a fresh port fixes that.
        const tail = readLogTail(logFile);
        if (attempt < START_ATTEMPTS && /could not (bind|create listen)/i.test(tail)) {
          log(`port ${port} was taken, retrying`);
          continue;
        }
        err.message += `\n--- server log ---\n${tail}`;
        throw err;
      }
    }

    const baseUrl = `postgresql://postgres@127.0.0.1:${port}/postgres`;
    const url = await createDatabase(baseUrl, INITIAL_DATABASE);
    log(`postgres ready on port ${port} in ${Date.now() - started} ms`);

    let stopping;
    const stop = () => {
      stopping ??= (async () => {
        if (!liveClusters.delete(cluster)) return;
        const [cmd, args] = cluster.stopCommand;
        try {
          await execFileAsync(cmd, args, runOptions);
        } catch (err) {
          log(`pg_ctl stop: ${err.message}`);
        }
        cluster.watchdog?.kill();
        rmSync(dir, { recursive: true, force: true });
        log(`postgres on port ${port} stopped`);
      })();
      return stopping;
    };
    return { url, port, dir, stop };
  } catch (err) {
    stopClusterSync(cluster);
    throw err;
  }
}

// ---------------------------------------------------------------------------
// Extra databases

const PSQL = [join(PG_BIN, 'psql'), '/usr/bin/psql'].find((p) => existsSync(p)) ?? 'psql';

/**
 * Create an empty database on the cluster behind `url`.
 * @param {string} url any database URL on the cluster (e.g. the one from startThrowawayPostgres)
 * @param {string} name new database name: letters, digits and underscores, at most 63 chars
 * @returns {Promise<string>} `url` with its database replaced by `name`
 */
export async function createDatabase(url, name) {
  // Identifiers cannot be bind parameters, so restrict the name rather than
  // trying to escape it; PostgreSQL truncates names beyond 63 bytes, which
  // would make two long test-file names silently collide.
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(name)) {
    throw new Error(`Invalid database name ${JSON.stringify(name)}: use [A-Za-z_][A-Za-z0-9_]*, max 63 chars`);
  }
  const parsed = new URL(url);
  const args = [
    '-X', // ignore ~/.psqlrc
    '-q',
    '-v', 'ON_ERROR_STOP=1',
    '-h', parsed.hostname,
    '-p', parsed.port || '5432',
    '-U', decodeURIComponent(parsed.username || 'postgres'),
    // Connect to the maintenance database: the target does not exist yet,
    // and connecting to template1 would block concurrent CREATE DATABASE.
    '-d', 'postgres',
    '-c', `CREATE DATABASE "${name}"`,
  ];
  const env = { ...process.env };
  if (parsed.password) env.PGPASSWORD = decodeURIComponent(parsed.password);
  await execFileAsync(PSQL, args, { env });
  const result = new URL(url);
  result.pathname = `/${name}`;
  return result.toString();
}

// ---------------------------------------------------------------------------
// CLI

if (isMainModule(import.meta.url)) {
  const log = (message) => console.error(`[pg-cluster] ${message}`);
  try {
    const { url, stop } = await startThrowawayPostgres({ log });
    console.log(url);
    log('press Ctrl-C to stop');
    const shutdown = async () => {
      await stop();
      process.exit(0);
    };
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
    // Keeps the event loop alive until a signal arrives.
    setInterval(() => {}, 1 << 30);
  } catch (err) {
    console.error(err.message);
    process.exitCode = 1;
  }
}
