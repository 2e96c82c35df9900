import { parseEmulatorCli } from "./config";
import { startEmulator } from "./emulator";

/*
 * `npm run emulator [-- --flag value …]`: runs the RxScale emulator until
 * Ctrl-C or SIGTERM, then stops it, reporting anything not delivered.
 */

async function main(): Promise<void> {
  let cli;
  try {
    cli = parseEmulatorCli(process.argv.slice(2), process.env);
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(2);
  }
  if (cli.kind === "help") {
    console.log(cli.text);
    return;
  }
  const emulator = await startEmulator(cli.options);
  const keys = emulator.config.apiKeys.map((key) => `${key.key} (${key.permissions.length === 0 ? "no permissions" : key.permissions.join(", ")})`);
  console.log(`[rxscale-emulator] API keys: ${keys.join("; ")}`);
  // A token the operator chose is theirs to know; a generated one is shown once so the controls can be used.
  if (cli.options.controlToken === undefined) console.log(`[rxscale-emulator] control token (Authorization: Bearer …): ${emulator.controlToken}`);
  for (const subscription of emulator.subscriptions()) console.log(`[rxscale-emulator] subscription ${subscription.uid} ${subscription.notification_type}, signing secret ${subscription.signing_secret}`);

  let signals = 0;
  const shutdown = (signal: string) => {
    signals += 1;
    if (signals > 1) process.exit(130);
    console.log(`[rxscale-emulator] ${signal}: stopping (again to quit at once)`);
    void emulator.stop().then(() => process.exit(0));
  };
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));
}

void main().catch((error: unknown) => {
  console.error(`[rxscale-emulator] failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
