// Starts the RxScale stand-in for the end-to-end suite, its output logged to a file (logged-process.mjs). Run by Playwright's webServer.
import { runLogged } from "./logged-process.mjs";

runLogged("e2e-emulator", process.execPath, ["node_modules/tsx/dist/cli.mjs", "emulator/main.ts"], process.env);
