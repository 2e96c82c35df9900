// Installs a Debian package for the test suite (Chromium, PostgreSQL) when the
// machine lacks it; the project's files must install what they need.
import { spawn } from 'node:child_process';

function run(command, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${command} ${args.join(' ')} failed (${signal ?? `exit ${code}`})`));
    });
  });
}

// Another process (a parallel test run, the other ensure step) may hold the
// dpkg lock; waiting for it beats failing with "Could not get lock".
const APT_LOCK_WAIT = ['-o', 'DPkg::Lock::Timeout=300'];

/** `apt-get install -y pkg`, refreshing the package lists only when the first try fails (a fresh image's are often stale or empty). */
export async function aptInstall(pkg) {
  try {
    await run('apt-get', [...APT_LOCK_WAIT, 'install', '-y', pkg]);
  } catch {
    await run('apt-get', [...APT_LOCK_WAIT, 'update']);
    await run('apt-get', [...APT_LOCK_WAIT, 'install', '-y', pkg]);
  }
}
