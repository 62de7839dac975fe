/**
 * The byte-level parser of the Kaggle LANL raw format (`acoustic_data,time_to_failure` rows): an
 * integer and a decimal per line, parsed straight from the file's bytes (a string per line would
 * cost more than the rest of the import). Pure: a chunk of whole lines in, numbers out.
 */

const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

export interface ParsedRows {
  /** rows parsed, into ae[0..n) and ttf[0..n) */
  n: number;
  /** set when a line is not `integer,decimal`: its index among this chunk's lines and its text */
  bad?: { line: number; text: string; reason: string };
}

/**
 * Parse the whole lines of bytes[from, to) (to sits just past a newline) into ae and ttf, which
 * must have room for every line. Stops at the first bad line.
 */
export function parseKaggleLines(bytes: Uint8Array, from: number, to: number, ae: Int16Array, ttf: Float64Array): ParsedRows {
  let n = 0;
  let p = from;
  while (p < to) {
    const lineStart = p;
    let c = bytes[p];
    if (c === 10 || c === 13) {
      p++; // blank line or CR of CRLF
      continue;
    }
    // the integer
    let neg = false;
    if (c === 45) {
      neg = true;
      c = bytes[++p];
    }
    let v = 0;
    let digits = 0;
    while (c >= 48 && c <= 57) {
      v = v * 10 + (c - 48);
      digits++;
      c = bytes[++p];
    }
    if (digits === 0 || c !== 44) return fail(bytes, lineStart, to, n, 'acoustic_data is not an integer');
    v = neg ? -v : v;
    if (v < -32768 || v > 32767) return fail(bytes, lineStart, to, n, `acoustic_data ${v} does not fit 16 bits`);
    c = bytes[++p];
    // the decimal: [-] digits [. digits] [e[+-]digits]
    const numStart = p;
    const negX = c === 45;
    if (negX) c = bytes[++p];
    let m = 0;
    let sig = 0;
    let frac = 0;
    let seenDot = false;
    while ((c >= 48 && c <= 57) || (c === 46 && !seenDot)) {
      if (c === 46) seenDot = true;
      else {
        m = m * 10 + (c - 48);
        sig++;
        if (seenDot) frac++;
      }
      c = bytes[++p];
    }
    let x: number;
    if (c === 101 || c === 69 || sig > 15 || frac > 22) {
      // rare forms: let the engine parse the text exactly
      while (p < to && bytes[p] !== 10 && bytes[p] !== 13) p++;
      x = Number(new TextDecoder().decode(bytes.subarray(numStart, p)));
      c = bytes[p];
    } else x = sig === 0 ? Number.NaN : (negX ? -m : m) / POW10[frac]; // m < 2^53 and 10^frac exact: correctly rounded
    if (!(c === 10 || c === 13) || !Number.isFinite(x)) return fail(bytes, lineStart, to, n, 'time_to_failure is not a number');
    if (x < 0) return fail(bytes, lineStart, to, n, `time_to_failure ${x} is negative`);
    ae[n] = v;
    ttf[n] = x;
    n++;
    p++;
  }
  return { n };
}

function fail(bytes: Uint8Array, lineStart: number, to: number, n: number, reason: string): ParsedRows {
  let end = lineStart;
  while (end < to && bytes[end] !== 10 && bytes[end] !== 13) end++;
  return { n, bad: { line: n, text: new TextDecoder().decode(bytes.subarray(lineStart, Math.min(end, lineStart + 80))), reason } };
}
