import { request, type FullConfig } from "@playwright/test";
import { ADMIN, USERS } from "./fixtures";

/** Creates the support and staff users through the admin JSON API, as an admin's script would. */
export default async function globalSetup(config: FullConfig): Promise<void> {
  const baseURL = config.projects[0]?.use.baseURL;
  if (!baseURL) throw new Error("baseURL missing");
  const api = await request.newContext({ baseURL, extraHTTPHeaders: { origin: baseURL } });
  const signIn = await api.post("/api/auth/sign-in/email", { data: ADMIN });
  if (!signIn.ok()) throw new Error(`admin sign-in failed: ${signIn.status()}`);
  for (const role of ["support", "staff"] as const) {
    const response = await api.post("/api/users", { data: { email: USERS[role].email, password: USERS[role].password, role } });
    if (response.status() !== 201 && response.status() !== 409) throw new Error(`creating ${role} failed: ${response.status()} ${await response.text()}`);
  }
  await api.dispose();
}
