// RxWatch's command line: `npm run rxwatch -- <command>`. Runs server code
// directly against DATABASE_URL (migrating first), so it works whether or not
// the web server is running.
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { roleSchema } from "@/lib/roles";
import { env } from "@/server/core/env";
import { migrateDatabase } from "@/server/core/migrations";
import { createUser, findUser, listUsers, revokeSessions, updateUser } from "@/server/auth/users";
import { createApiToken, listApiTokens, revokeApiToken } from "@/server/auth/tokens";
import { AppError } from "@/server/core/errors";
import { sendLogsToStandardError } from "@/server/core/logger";
import { DEFAULT_ROTATION_BATCH, keyStatus, rotateKeys } from "@/server/key-rotation/rotate-keys";
import type { ChangeContext } from "@/server/auth/users";

/** Changes made here are audited as the system's "cli" actor: the shell user is not known to RxWatch. */
const CLI: ChangeContext = { actor: { via: "system", name: "cli" } };
import { forgetPatient } from "@/server/retention/forget-patient";
import { runRetentionPurge } from "@/server/retention/purge";
import { reconcile } from "@/server/reconciliation/reconcile";
import { connectedRxScaleClient } from "@/server/reconciliation/rxscale-connection";
import { formatReconcileSummary, parseSinceDuration } from "@/server/reconciliation/summary";

const USAGE = `Usage: npm run rxwatch -- <command> [options]

  migrate                                   apply pending database migrations
  user add --email E --role R [--name N]    create a user; password from a prompt or stdin
  user list                                 list users
  user role --email E --role R              change a user's role (signs them out)
  user disable --email E                    disable a user (signs them out everywhere)
  user enable --email E                     enable a disabled user
  user sign-out --email E                   end every session of a user
  token add --name N --role R [--days D]    create an API token; printed once
  token list                                list API tokens (never their secrets)
  token revoke --id ID                      revoke an API token
  keys status                               stored bodies and secrets per key id
  keys rotate [--batch 500]                 re-seal everything not on RXWATCH_SECRET_KEY (also plaintext
                                            bodies from before bodies were sealed) and re-hash patient keys;
                                            safe while RxWatch runs, resumable (docs/data-protection.md)
  patient forget --reason R [--uid U]       erasure request: remove every body that mentions the patient and
                                            unlink them; the uid is read from stdin when --uid is not given
                                            (keeps it out of shell history); R is the request's reference
  retention purge                           run the retention purge now (periods from Settings)
  reconcile [--since 24h] [--fill]          compare RxWatch's orders with RxScale's orders API (since the last run,
                                            or the given time back); --fill records RxScale's state for each
                                            difference; the last line is JSON counts (docs/reconciliation.md)

Roles: staff, support, admin.`;

async function readPassword(): Promise<string> {
  if (!process.stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
    return Buffer.concat(chunks).toString("utf8").split(/\r?\n/)[0] ?? "";
  }
  const ask = (question: string) =>
    new Promise<string>((resolve) => {
      const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
      // Hide what is typed: print nothing for each keystroke.
      (rl as unknown as { _writeToOutput: (text: string) => void })._writeToOutput = (text: string) => {
        if (text.includes(question)) process.stderr.write(text);
      };
      rl.question(question, (answer) => {
        rl.close();
        process.stderr.write("\n");
        resolve(answer);
      });
    });
  const first = await ask("Password: ");
  const second = await ask("Repeat password: ");
  if (first !== second) throw new AppError("invalid_request", "The passwords do not match.");
  return first;
}

/** One line from stdin (piped) or from a prompt, echoed: for values that must not appear in shell history. */
async function readLine(question: string): Promise<string> {
  if (!process.stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
    return Buffer.concat(chunks).toString("utf8").split(/\r?\n/)[0] ?? "";
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  return new Promise((resolve) => rl.question(question, (answer) => (rl.close(), resolve(answer))));
}

async function requireUser(email: string | undefined) {
  if (!email) throw new AppError("invalid_request", "Give --email.");
  const user = await findUser(email);
  if (!user) throw new AppError("not_found", `No user with email ${email}.`);
  return user;
}

async function main(argv: string[]): Promise<void> {
  // stdout carries only the command's result (a token, a list), so it can be piped; logs and prompts use stderr.
  sendLogsToStandardError();
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      email: { type: "string" },
      role: { type: "string" },
      name: { type: "string" },
      id: { type: "string" },
      days: { type: "string" },
      uid: { type: "string" },
      reason: { type: "string" },
      batch: { type: "string" },
      since: { type: "string" },
      fill: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  const [group, action] = positionals;
  if (values.help || !group) {
    console.log(USAGE);
    return;
  }
  const { applied } = await migrateDatabase(env().DATABASE_URL);
  if (applied.length > 0) console.error(`Applied migrations: ${applied.join(", ")}`);
  const role = () => roleSchema.parse(values.role);

  switch (`${group} ${action ?? ""}`.trim()) {
    case "migrate":
      console.log(applied.length > 0 ? "Database is up to date." : "Nothing to apply: database is up to date.");
      return;
    case "user add": {
      if (!values.email) throw new AppError("invalid_request", "Give --email.");
      const user = await createUser({ email: values.email, role: role(), name: values.name, password: await readPassword() }, CLI);
      console.log(`Created ${user.role} ${user.email}.`);
      return;
    }
    case "user list":
      for (const user of await listUsers()) console.log(`${user.email}\t${user.role}\t${user.disabled ? "disabled" : "active"}\t${user.name}`);
      return;
    case "user role": {
      const user = await updateUser((await requireUser(values.email)).id, { role: role() }, CLI);
      console.log(`${user.email} is now ${user.role}.`);
      return;
    }
    case "user disable":
    case "user enable": {
      const user = await updateUser((await requireUser(values.email)).id, { disabled: action === "disable" }, CLI);
      console.log(`${user.email} is ${user.disabled ? "disabled" : "enabled"}.`);
      return;
    }
    case "user sign-out": {
      const user = await requireUser(values.email);
      console.log(`Ended ${await revokeSessions(user.id, CLI)} session(s) of ${user.email}.`);
      return;
    }
    case "token add": {
      if (!values.name) throw new AppError("invalid_request", "Give --name.");
      const days = values.days ? Number(values.days) : null;
      const created = await createApiToken({ name: values.name, role: role(), expiresInDays: days }, CLI);
      console.error(`Created ${created.token.role} token "${created.token.name}". It is shown only this once:`);
      console.log(created.secret);
      return;
    }
    case "token list":
      for (const token of await listApiTokens()) {
        console.log(`${token.id}\t${token.prefix}…\t${token.role}\t${token.revoked ? "revoked" : "active"}\t${token.name}`);
      }
      return;
    case "token revoke":
      if (!values.id) throw new AppError("invalid_request", "Give --id.");
      await revokeApiToken(values.id, CLI);
      console.log("Token revoked.");
      return;
    case "keys status": {
      const labels = { current: "current (RXWATCH_SECRET_KEY)", previous: "previous (RXWATCH_PREVIOUS_SECRET_KEYS)", missing: "MISSING: not configured", plaintext: "none: plaintext, sealed by keys rotate" };
      console.log("key id\tbodies\tsecrets\tstate");
      for (const use of await keyStatus()) console.log(`${use.keyId ?? "-"}\t${use.bodies}\t${use.secrets}\t${labels[use.state]}`);
      return;
    }
    case "keys rotate": {
      const batchSize = values.batch === undefined ? DEFAULT_ROTATION_BATCH : Number(values.batch);
      if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 5_000) throw new AppError("invalid_request", "--batch must be a whole number from 1 to 5000.");
      const result = await rotateKeys({
        batchSize,
        onProgress: (progress) => console.error(`batch ${progress.batches}: ${progress.bodiesSealed} bodies sealed (${progress.legacyBodiesSealed} formerly plaintext), ${progress.patientKeysUpdated} patient keys re-hashed`),
      });
      console.log(
        `Done. Current key ${result.currentKeyId}: ${result.bodiesSealed} bodies re-sealed (${result.legacyBodiesSealed} formerly plaintext), ` +
          `${result.patientKeysUpdated} patient keys re-hashed, ${result.secretsResealed} secrets re-sealed.`,
      );
      for (const missing of result.missingKeys) console.error(`rxwatch: ${missing.bodies} bodies are sealed with key ${missing.keyId}, which is not configured: add it to RXWATCH_PREVIOUS_SECRET_KEYS and run keys rotate again.`);
      if (result.unreadableBodies > 0) console.error(`rxwatch: ${result.unreadableBodies} bodies failed authentication and were left as they are (their ids are in the log).`);
      if (result.unreadableSecrets > 0) console.error(`rxwatch: ${result.unreadableSecrets} stored secrets cannot be opened and were left as they are (see the log).`);
      if (result.missingKeys.length > 0 || result.unreadableBodies > 0 || result.unreadableSecrets > 0) process.exitCode = 1;
      return;
    }
    case "patient forget": {
      const reason = values.reason?.trim();
      if (!reason) throw new AppError("invalid_request", 'Give --reason, e.g. --reason "erasure request 2026-031".');
      const patientUid = values.uid ?? (await readLine("Patient uid: "));
      const result = await forgetPatient({ patientUid, reason }, { via: "system", name: "cli" });
      const { bodies, deliveries, events, orderFacts, orders, revealGrants } = result.removed;
      if (result.isNothingFound) console.log("Nothing refers to this patient (already forgotten, or never seen). The request was audited.");
      else console.log(`Removed ${bodies} bodies; unlinked ${deliveries} deliveries, ${events} events, ${orderFacts} order facts and ${orders} orders; deleted ${revealGrants} reveal grants.`);
      console.log(`Purge run ${result.runId}, audit entry ${result.auditId}.`);
      return;
    }
    case "retention purge": {
      const result = await runRetentionPurge(new Date());
      console.log(`Purge run ${result.runId}: ${Object.entries(result.removed).map(([kind, count]) => `${kind} ${count}`).join(", ")}.`);
      return;
    }
    case "reconcile": {
      const since = values.since === undefined ? undefined : new Date(Date.now() - parseSinceDuration(values.since));
      const result = await reconcile({ trigger: "cli", actor: CLI.actor, actorId: null, since, fill: values.fill === true, client: await connectedRxScaleClient() });
      for (const line of formatReconcileSummary(result)) console.log(line);
      if (result.state === "failed") process.exitCode = 1;
      return;
    }
    default:
      throw new AppError("invalid_request", `Unknown command "${positionals.join(" ")}".\n\n${USAGE}`);
  }
}

main(process.argv.slice(2)).then(
  () => process.exit(process.exitCode ?? 0),
  (error: unknown) => {
    const message = error instanceof AppError ? error.message : error instanceof Error && error.name === "ZodError" ? "Invalid value: check --role (staff, support, admin)." : error instanceof Error ? error.message : String(error);
    console.error(`rxwatch: ${message}`);
    process.exit(1);
  },
);
