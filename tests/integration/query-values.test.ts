import { beforeAll, describe, expect, it } from "vitest";
import { GET as getOrders } from "@/app/api/orders/route";
import { GET as getAudit } from "@/app/api/audit/route";
import { GET as getAuditExport } from "@/app/api/audit/export/route";
import { GET as getDeliveries } from "@/app/api/deliveries/route";
import { GET as getDeliveriesExport } from "@/app/api/deliveries/export/route";
import { GET as getHealth } from "@/app/api/failures/health/route";
import { POST as createToken } from "@/app/api/tokens/route";
import { POST as createUser } from "@/app/api/users/route";
import { GET as getInsights } from "@/app/api/insights/route";
import { createApiToken } from "@/server/auth/tokens";

/*
 * Odd query values get a 400 naming the parameter, never a 500 (issue 13,
 * finding 7): every list and export route, every parameter, odd values.
 */

type Route = (request: Request, context: { params: Promise<unknown> }) => Promise<Response>;

const ROUTES: [string, Route, string[]][] = [
  ["/api/orders", getOrders, ["q", "status", "pharmacy", "cursor", "stage", "range", "limit", "stuck"]],
  ["/api/audit", getAudit, ["actor", "action", "cursor", "q", "from", "to", "limit"]],
  ["/api/audit/export", getAuditExport, ["actor", "action", "format", "from", "to", "max"]],
  ["/api/deliveries", getDeliveries, ["q", "type", "outcome", "state", "order", "cursor", "newer", "range", "from", "to", "limit"]],
  ["/api/deliveries/export", getDeliveriesExport, ["q", "type", "outcome", "format", "max", "bodies", "from", "to"]],
  ["/api/failures/health", getHealth, ["range"]],
  ["/api/insights", getInsights, ["range", "pharmacy"]],
];

const ODD_VALUES = ["", "x".repeat(10_000), "%E0%A4%A", "\u0000\u0001\u001f", "\u202e", "a".repeat(300), "-1", "1e999", "[object Object]", "😀".repeat(500)];

let token = "";
beforeAll(async () => {
  token = (await createApiToken({ name: "admin", role: "admin" }, null)).secret;
});

describe("query values", () => {
  it.each(ROUTES)("%s answers every odd value of every parameter with a 2xx or a 400, never a 5xx", async (path, route, parameters) => {
    for (const parameter of parameters) {
      for (const value of ODD_VALUES) {
        const search = new URLSearchParams([[parameter, value]]);
        const response = await route(new Request(`http://rxwatch.test${path}?${search}`, { headers: { authorization: `Bearer ${token}` } }), { params: Promise.resolve({}) });
        expect([200, 400], `${path}?${parameter}=${value.slice(0, 20)} → ${response.status}`).toContain(response.status);
        await response.body?.cancel();
      }
      // Repeated parameters (arrays) too.
      const repeated = await route(new Request(`http://rxwatch.test${path}?${parameter}=a&${parameter}=b`, { headers: { authorization: `Bearer ${token}` } }), { params: Promise.resolve({}) });
      expect([200, 400]).toContain(repeated.status);
      await repeated.body?.cancel();
    }
  });

  it.each([
    ["/api/orders", getOrders, ["q", "status", "pharmacy", "cursor"]],
    ["/api/deliveries", getDeliveries, ["q", "type", "order", "cursor", "newer"]],
  ] as [string, Route, string[]][])("%s answers a NUL character in a text value with a 400 naming the parameter (PostgreSQL cannot store one)", async (path, route, parameters) => {
    for (const parameter of parameters) {
      const search = new URLSearchParams([[parameter, "ord\u0000x"]]);
      const response = await route(new Request(`http://rxwatch.test${path}?${search}`, { headers: { authorization: `Bearer ${token}` } }), { params: Promise.resolve({}) });
      expect(response.status, `${path}?${parameter}`).toBe(400);
      expect(await response.json()).toMatchObject({ error: { code: "invalid_request", message: expect.stringContaining(parameter) } });
    }
  });

  it("says which parameter was wrong", async () => {
    const response = await getOrders(new Request(`http://rxwatch.test/api/orders?q=${"x".repeat(300)}`, { headers: { authorization: `Bearer ${token}` } }), { params: Promise.resolve({}) });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: "invalid_request", message: expect.stringContaining("q") } });
  });

  it("answers text with control characters in a JSON body with a 400 naming the field, never a 5xx (PostgreSQL refuses NUL in text)", async () => {
    const bodies: [Route, unknown, string][] = [
      [createToken, { name: "a\u0000b", role: "support" }, "name"],
      [createUser, { email: "nul@example.test", name: "x\u0000", role: "staff", password: "a long enough password 1" }, "name"],
      [createUser, { email: "ctl@example.test", name: "ok", role: "staff", password: "a long enough\u0001password" }, "password"],
    ];
    for (const [route, body, field] of bodies) {
      const request = new Request("http://rxwatch.test/api/any", { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify(body) });
      const response = await route(request, { params: Promise.resolve({}) });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: { code: "invalid_request", message: expect.stringContaining(field) } });
    }
  });
});
