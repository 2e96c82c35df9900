import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { prettyJson } from "./pretty-json";

describe("prettyJson", () => {
  it("indents objects and arrays like JSON.stringify does", () => {
    const text = '{"a":1,"b":[true,null,{"c":"d"}],"e":{},"f":[ ]}';
    expect(prettyJson(text)).toBe(JSON.stringify(JSON.parse(text), null, 2));
  });

  it("keeps every digit of numbers JSON.parse would round", () => {
    expect(prettyJson('{"uid":12345678901234567890,"x":1.10}')).toBe('{\n  "uid": 12345678901234567890,\n  "x": 1.10\n}');
  });

  it("leaves strings alone, escapes and structural characters included", () => {
    const text = '{"s":"a, b: {c} [d] \\"e\\" \\\\","t":"  spaced  "}';
    expect(JSON.parse(prettyJson(text))).toEqual(JSON.parse(text));
    expect(prettyJson(text)).toContain('"a, b: {c} [d] \\"e\\" \\\\"');
    expect(prettyJson(text)).toContain('"  spaced  "');
  });

  it("keeps duplicate keys that a parse would merge", () => {
    expect(prettyJson('{"k":1,"k":2}')).toBe('{\n  "k": 1,\n  "k": 2\n}');
  });

  it("gives the same value back for any JSON", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = JSON.stringify(value);
        expect(JSON.parse(prettyJson(text))).toEqual(JSON.parse(text));
        expect(prettyJson(text)).toBe(JSON.stringify(value, null, 2));
      }),
    );
  });
});
