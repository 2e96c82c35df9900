const WHITESPACE = new Set([" ", "\t", "\n", "\r"]);

/**
 * Re-indents JSON text without parsing it into values, so what support sees is
 * exactly what RxScale sent: numbers keep every digit (JSON.parse rounds those
 * beyond 2^53), duplicate keys stay, escapes stay as written. Only whitespace
 * between tokens changes. The caller makes sure `text` is valid JSON.
 */
export function prettyJson(text: string, indent = "  "): string {
  return prettyJsonWithin(text, Number.POSITIVE_INFINITY, indent) ?? "";
}

/**
 * `prettyJson` that gives up, returning null, once the output would pass
 * `maxChars`: indentation grows with depth, so a small deep body could
 * otherwise become a huge text (issue 13). Linear in the output it writes.
 */
export function prettyJsonWithin(text: string, maxChars: number, indent = "  "): string | null {
  let out = "";
  let depth = 0;
  let isInString = false;
  const newline = () => `\n${indent.repeat(depth)}`;
  for (let index = 0; index < text.length; index++) {
    const char = text.charAt(index);
    if (isInString) {
      out += char;
      if (char === "\\") {
        out += text.charAt(index + 1);
        index++;
      } else if (char === '"') isInString = false;
      continue;
    }
    switch (char) {
      case '"':
        isInString = true;
        out += char;
        break;
      case "{":
      case "[": {
        const close = char === "{" ? "}" : "]";
        let next = index + 1;
        while (next < text.length && WHITESPACE.has(text.charAt(next))) next++;
        if (text.charAt(next) === close) {
          out += char + close;
          index = next;
        } else {
          depth++;
          out += char + newline();
        }
        break;
      }
      case "}":
      case "]":
        depth--;
        out += newline() + char;
        break;
      case ",":
        out += char + newline();
        break;
      case ":":
        out += ": ";
        break;
      default:
        if (!WHITESPACE.has(char)) out += char;
    }
    if (out.length > maxChars) return null;
  }
  return out;
}

/**
 * How deeply `text`'s arrays and objects nest (0 for a scalar), read without
 * parsing and without recursion, so any input is measured in linear time.
 * Brackets inside strings do not count; invalid JSON gets a best guess.
 */
export function jsonNestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let isInString = false;
  for (let index = 0; index < text.length; index++) {
    const char = text.charCodeAt(index);
    if (isInString) {
      if (char === 0x5c) index++;
      else if (char === 0x22) isInString = false;
    } else if (char === 0x22) isInString = true;
    else if (char === 0x5b || char === 0x7b) deepest = Math.max(deepest, ++depth);
    else if (char === 0x5d || char === 0x7d) depth--;
  }
  return deepest;
}
