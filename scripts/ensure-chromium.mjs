// Locates (and, when running as root, installs) Debian's Chromium for the
// browser tests: Playwright's browser downloads are not reachable here. Run
// directly, prints the path. As root, pass `--no-sandbox`
// (`chromiumSandbox: false`). See docs/development.md#chromium.

import { access, constants } from 'node:fs/promises';
import { aptInstall } from './apt-install.mjs';
import { isMainModule } from './main-module.mjs';

const DEFAULT_PATH = '/usr/bin/chromium';
const NOT_FOUND_MESSAGE =
  "Chromium not found: install Debian's `chromium` package (apt-get install chromium) or set CHROMIUM_PATH";

async function isExecutable(path) {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

let pending;

/**
 * Resolve the Chromium executable, installing Debian's `chromium` package
 * when running as root and it is missing.
 * @returns {Promise<string>} absolute path of the chromium executable
 */
export function ensureChromium() {
  // Memoised so concurrent callers in one process share a single apt run.
  pending ??= locateOrInstall().catch((err) => {
    pending = undefined;
    throw err;
  });
  return pending;
}

async function locateOrInstall() {
  const override = process.env.CHROMIUM_PATH;
  if (override) {
    if (await isExecutable(override)) return override;
    // An explicit path that is wrong is a configuration mistake; silently
    // installing a different browser would hide it.
    throw new Error(`CHROMIUM_PATH is set to ${override}, which is not an executable file`);
  }

  if (await isExecutable(DEFAULT_PATH)) return DEFAULT_PATH;

  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    throw new Error(NOT_FOUND_MESSAGE);
  }

  await aptInstall('chromium');
  if (await isExecutable(DEFAULT_PATH)) return DEFAULT_PATH;
  throw new Error(`apt-get install chromium succeeded but ${DEFAULT_PATH} is missing`);
}

if (isMainModule(import.meta.url)) {
  ensureChromium().then(
    (path) => console.log(path),
    (err) => {
      console.error(err.message);
      process.exitCode = 1;
    },
  );
}
