import { describe, expect, it } from "vitest";
import { MAX_RECORDED_HEADER_CHARS, isIdentityEncoding, isJsonContentType, requestMetadata, sourceAddressOf } from "./request-metadata";

describe("isJsonContentType", () => {
  it("accepts application/json in any case, with or without a UTF-8 charset or other parameters", () => {
    for (const value of ["application/json", "Application/JSON", "application/json; charset=utf-8", "application/json;charset=UTF8", 'application/json; charset="utf-8"', "application/json; boundary=x"]) {
      expect(isJsonContentType(value), value).toBe(true);
    }
  });

  it("refuses other media types, other charsets and a missing header", () => {
    for (const value of [null, "", "text/plain", "application/jsonp", "application/json-patch+json", "application/json; charset=iso-8859-1", "multipart/form-data"]) {
      expect(isJsonContentType(value), String(value)).toBe(false);
    }
  });
});

describe("isIdentityEncoding", () => {
  it("accepts no encoding or identity only", () => {
    expect(isIdentityEncoding(null)).toBe(true);
    expect(isIdentityEncoding("identity")).toBe(true);
    expect(isIdentityEncoding(" Identity ")).toBe(true);
    expect(isIdentityEncoding("gzip")).toBe(false);
    expect(isIdentityEncoding("identity, gzip")).toBe(false);
    expect(isIdentityEncoding("br")).toBe(false);
  });
});

describe("requestMetadata", () => {
  it("keeps the headers that matter and never cookies or credentials", () => {
    const headers = new Headers({ "content-type": "application/json", cookie: "a=b", authorization: "Bearer x", "x-webhook-event": "pharmacy_order_created", "x-api-key": "k" });
    const metadata = requestMetadata(headers);
    expect(JSON.parse(metadata.headers)).toEqual({ "content-type": "application/json", "x-webhook-event": "pharmacy_order_created" });
    expect(metadata.eventTypeHeader).toBe("pharmacy_order_created");
  });

  it("cuts an overlong header value", () => {
    const metadata = requestMetadata(new Headers({ "user-agent": "u".repeat(MAX_RECORDED_HEADER_CHARS * 3) }));
    expect(String(JSON.parse(metadata.headers)["user-agent"]).length).toBe(MAX_RECORDED_HEADER_CHARS + 1);
  });

  it("takes the source address from the socket peer, not from X-Forwarded-For", () => {
    expect(sourceAddressOf(new Headers({ "x-rxwatch-peer-address": "203.0.113.7", "x-forwarded-for": "127.0.0.1" }))).toBe("203.0.113.7");
    expect(sourceAddressOf(new Headers())).toBeNull();
  });
});
