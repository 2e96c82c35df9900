const WHITESPACE = new Set([" ", "\t", "\n", "\r"]);

/**
 * Re-indents JSON text without parsing it into values, so what support sees is
 * exactly what RxScale sent: numbers keep every digit (JSON.parse rounds those
 * beyond 2^53), duplicate keys stay, escapes stay as written. Only whitespace
 * between tokens changes. The caller makes sure `text` is valid JSON.
 */
export function prettyJson(text: string, indent = "  "): string {
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
  }
  return out;
}
