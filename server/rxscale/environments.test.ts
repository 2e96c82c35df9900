import { describe, expect, it } from "vitest";
import { normaliseBaseUrl, resolveRxScaleBaseUrl } from "./environments";

describe("resolveRxScaleBaseUrl", () => {
  it("knows production and sandbox", () => {
    expect(resolveRxScaleBaseUrl("production")).toBe("https://api.rxscale.com");
    expect(resolveRxScaleBaseUrl("sandbox")).toBe("https://api.rxscale-dev.com");
  });

  it("uses a custom URL without trailing slash or a pasted /v1/management suffix", () => {
    expect(resolveRxScaleBaseUrl("custom", "http://127.0.0.1:4010/")).toBe("http://127.0.0.1:4010");
    expect(resolveRxScaleBaseUrl("custom", "https://proxy.example.com/rxscale/v1/management/")).toBe("https://proxy.example.com/rxscale");
  });

  it("explains what is wrong with an unusable custom URL", () => {
    expect(() => resolveRxScaleBaseUrl("custom", null)).toThrow(/enter a custom RxScale base URL/);
    expect(() => normaliseBaseUrl("api.rxscale.com")).toThrow(/not a valid URL/);
    expect(() => normaliseBaseUrl("ftp://api.rxscale.com")).toThrow(/must start with https:\/\//);
    expect(() => normaliseBaseUrl("https://user:secret@api.rxscale.com")).toThrow(/must not contain credentials/);
    expect(() => normaliseBaseUrl("https://api.rxscale.com/?key=1")).toThrow(/query string/);
  });
});
