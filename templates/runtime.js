// ---- flexmap runtime (templates/runtime.js): the Rust runtime's semantics, no dependencies ----
// Values: null, booleans, strings, arrays, objects (own properties only), and numbers in three
// kinds, as serde_json keeps them: an integer (a JS number that is integral, not -0 and within
// ±2^53, or a BigInt beyond), or a float (any other JS number, or a Flt holding an integral
// float such as `5.0`, which must print as `5.0`).
const TWO53 = 9007199254740992;
const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;
class Flt {
  constructor(v) { this.v = v; }
}
const hasOwn = Object.prototype.hasOwnProperty;
const isInt = (v) => (typeof v === 'number' ? Number.isInteger(v) && Math.abs(v) <= TWO53 && !Object.is(v, -0) : typeof v === 'bigint');
const isNum = (v) => typeof v === 'number' || typeof v === 'bigint' || v instanceof Flt;
const isArr = Array.isArray;
const isObj = (v) => v !== null && typeof v === 'object' && !isArr(v) && !(v instanceof Flt);
const f64 = (v) => (typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : v.v);
// An integer as a JS number when within ±2^53, else a BigInt.
const intVal = (b) => (b >= -9007199254740992n && b <= 9007199254740992n ? Number(b) : b);
// serde_json's `as_i64`: BigInt or number, or undefined for floats and integers over i64.
function asI64(v) {
  if (typeof v === 'number') return isInt(v) ? v : undefined;
  if (typeof v === 'bigint') return v >= I64_MIN && v <= I64_MAX ? v : undefined;
  return undefined;
}

// `walk`: anything missing is null.
function g(v, k) {
  if (isObj(v) && hasOwn.call(v, k)) {
    const x = v[k];
    return x === undefined ? null : x;
  }
  return null;
}
function gi(v, i) {
  if (!isArr(v)) return null;
  const j = i < 0 ? v.length + i : i;
  if (j < 0 || j >= v.length) return null;
  const x = v[j];
  return x === undefined ? null : x;
}

// `number_value`: integral values within ±2^53 become integers (-0 becomes 0), others floats.
function numberValue(x) {
  if (!Number.isFinite(x)) return undefined;
  if (Number.isInteger(x) && Math.abs(x) <= TWO53) return x + 0;
  return x;
}

// serde_json's float text: shortest round-trip digits, laid out as ryu does.
function fmtFloat(x) {
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const neg = x < 0;
  const e = Math.abs(x).toExponential();
  const at = e.indexOf('e');
  const digits = e.slice(0, at).replace('.', '');
  const kk = Number(e.slice(at + 1)) + 1;
  const n = digits.length;
  let s;
  if (kk >= n && kk <= 16) s = digits + '0'.repeat(kk - n) + '.0';
  else if (kk > 0 && kk <= 16) s = digits.slice(0, kk) + '.' + digits.slice(kk);
  else if (kk > -5 && kk <= 0) s = '0.' + '0'.repeat(-kk) + digits;
  else {
    const exp = kk - 1;
    s = (n === 1 ? digits : digits[0] + '.' + digits.slice(1)) + 'e' + (exp < 0 ? '-' : '+') + Math.abs(exp);
  }
  return neg ? '-' + s : s;
}
function renderNumber(v) {
  if (typeof v === 'bigint') return v.toString();
  const x = f64(v);
  if (Number.isInteger(x) && Math.abs(x) <= TWO53) return String(x + 0);
  return fmtFloat(x);
}
// `render_scalar`: strings as is, numbers as JSON renders them, null as "", else undefined.
function renderScalar(v) {
  if (typeof v === 'string') return v;
  if (v === null) return '';
  if (v === true) return 'true';
  if (v === false) return 'false';
  if (isNum(v)) return renderNumber(v);
  return undefined;
}

// Code-point order (Rust's `str` order), not UTF-16 order.
function cmpStr(a, b) {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x !== y) {
      if (x >= 0xd800) x = x <= 0xdfff ? x + 0x2000 : x - 0x800;
      if (y >= 0xd800) y = y <= 0xdfff ? y + 0x2000 : y - 0x800;
      return x < y ? -1 : 1;
    }
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

// A string as JSON: as it is between quotes unless something in it needs an escape.
const ESCAPED = /["\\\u0000-\u001f\ud800-\udfff]/;
const quote = (s) => (ESCAPED.test(s) ? JSON.stringify(s) : '"' + s + '"');
// Compact JSON as serde_json writes it (object keys sorted, as its Map does).
function ser(v) {
  if (typeof v === 'string') return quote(v);
  if (v === null || v === undefined) return 'null';
  if (v === true) return 'true';
  if (v === false) return 'false';
  if (typeof v === 'number') return isInt(v) ? String(v) : fmtFloat(v);
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Flt) return fmtFloat(v.v);
  if (isArr(v)) {
    let s = '[';
    for (let i = 0; i < v.length; i++) s += (i ? ',' : '') + ser(v[i]);
    return s + ']';
  }
  const keys = Object.keys(v).filter((k) => v[k] !== undefined).sort(cmpStr);
  let s = '{';
  for (let i = 0; i < keys.length; i++) s += (i ? ',' : '') + JSON.stringify(keys[i]) + ':' + ser(v[keys[i]]);
  return s + '}';
}

// Structural equality of serde_json values (numbers by representation).
function deepEq(a, b) {
  if (a === b) return true;
  if (isNum(a) && isNum(b)) {
    const ia = isInt(a);
    if (ia !== isInt(b)) return false;
    if (ia) return BigInt(a) === BigInt(b);
    return f64(a) === f64(b);
  }
  if (isArr(a)) {
    if (!isArr(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEq(a[i], b[i])) return false;
    return true;
  }
  if (isObj(a) && isObj(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    if (ka.length !== kb.length) return false;
    for (const k of ka) if (!hasOwn.call(b, k) || !deepEq(a[k], b[k])) return false;
    return true;
  }
  return false;
}
// `values_equal`: numbers compare by value (1 == 1.0), everything else structurally.
function valuesEqual(a, b) {
  if (isNum(a) && isNum(b)) {
    const x = asI64(a);
    const y = asI64(b);
    if (x !== undefined && y !== undefined) return typeof x === 'number' && typeof y === 'number' ? x === y : BigInt(x) === BigInt(y);
    if (typeof a === 'bigint' && typeof b === 'bigint') return a === b;
    return f64(a) === f64(b);
  }
  return deepEq(a, b);
}

// ---- warnings ----
const W_TRUNCATED = 0, W_DROPPED = 1, W_FILTER_FAILED = 2, W_DATE_OUT_OF_RANGE = 3, W_LOOKUP_MISS = 4,
  W_TYPE_MISMATCH = 5, W_NOT_FINITE = 6, W_UNKNOWN_ENUM = 7, W_NOT_AN_OBJECT = 8, W_PAYLOAD = 9,
  W_VALUE_TOO_LARGE = 10;
// Drops the lookup-miss warnings pushed since `mark`: a `??` or `default` took over the null
// they gave, so the miss is handled.
function forgive(w, mark) {
  for (let i = mark; i < w.length; ) {
    if (w[i] === W_LOOKUP_MISS) w.splice(i, 2);
    else i += 2;
  }
}
function warn(w, kind, site) {
  w.push(kind, site);
  return null;
}

// ---- the cost caps (src/runtime/cost.rs; MAX_VALUE_BYTES, MAX_RECORD_BYTES and ELEMENT_COST
// come from the Rust constants) ----
// Every value a rule builds is measured in cost bytes (text: its UTF-8 length; an array element
// or object entry: ELEMENT_COST, plus the key's length, plus its content) before it is kept; a
// value over the cap stops the record with `value-too-large` at the site that would build it.
let BUDGET = 0;
// Thrown to stop the rule loop; never escapes `run`.
const STOP = { stop: true };
// A record is first run with every text charged at an upper bound of its UTF-8 size (3 bytes
// per UTF-16 unit, `costLen`), which needs no scan of the text. Upper bounds only ever lower
// the budget, so a record that stays under the caps this way stays under them exactly; one
// that would not is run again from the start with exact sizes (`RETRY`), and then gives what
// the Rust runtime gives, `value-too-large` at the same site included.
let BOUNDED = false;
const RETRY = { retry: true };
const costLen = (s) => (BOUNDED ? s.length * 3 : utf8Len(s));
const limit = () => (BUDGET < MAX_VALUE_BYTES ? BUDGET : MAX_VALUE_BYTES);
function utf8Len(s) {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 2;
        i++;
      } else n += 2;
    } else n += 2;
  }
  return n;
}
function costOf(v) {
  if (typeof v === 'string') return costLen(v);
  if (v === null || typeof v !== 'object' || v instanceof Flt) return 0;
  let sum = 0;
  if (isArr(v)) {
    for (const item of v) sum += ELEMENT_COST + costOf(item);
  } else {
    for (const k of Object.keys(v)) if (v[k] !== undefined) sum += ELEMENT_COST + costLen(k) + costOf(v[k]);
  }
  return sum;
}
function tooLarge(site, w) {
  if (BOUNDED) throw RETRY;
  w.push(W_VALUE_TOO_LARGE, site);
  throw STOP;
}
// Takes `cost` from the record's budget, or stops the record at `site`.
function charge(cost, site, w) {
  if (cost > limit()) tooLarge(site, w);
  BUDGET -= cost;
}
// One element of an array or object literal (`s`: `{ v, t }`, the literal and its running
// total): the element and a copy of a value taken whole from the record or the rules are
// charged, the literal's total is checked against the value cap; the rule's site reports it.
function litCharge(s, v, key, borrowed, site, w) {
  const cost = costOf(v);
  s.t += ELEMENT_COST + key + cost;
  if (s.t > MAX_VALUE_BYTES) tooLarge(site, w);
  charge(ELEMENT_COST + key + (borrowed ? cost : 0), site, w);
}
function litA(s, v, borrowed, site, w) {
  litCharge(s, v, 0, borrowed, site, w);
  s.v.push(v);
}
function litO(s, k, key, v, borrowed, site, w) {
  if (v === null) return;
  litCharge(s, v, key, borrowed, site, w);
  Object.defineProperty(s.v, k, { value: v, enumerable: true, writable: true, configurable: true });
}

// ---- operators ----
function neg(v, site, w) {
  if (v === null) return null;
  if (isNum(v)) {
    const i = asI64(v);
    if (i !== undefined) {
      if (typeof i === 'number') return i === 0 ? 0 : -i;
      if (i !== I64_MIN) return intVal(-i);
    }
    const r = numberValue(-f64(v));
    return r === undefined ? warn(w, W_NOT_FINITE, site) : r;
  }
  return warn(w, W_TYPE_MISMATCH, site);
}
function not(v, site, w) {
  if (v === null) return null;
  if (typeof v === 'boolean') return !v;
  return warn(w, W_TYPE_MISMATCH, site);
}
// A condition of `if`: true, false, or null (with a warning for a non-boolean).
function cond(v, site, w) {
  if (v === true || v === false || v === null) return v;
  return warn(w, W_TYPE_MISMATCH, site);
}
function truth(v, site, w) {
  if (v === true || v === false || v === null) return v;
  return warn(w, W_TYPE_MISMATCH, site);
}
const and2 = (l, r) => (r === false ? false : l !== null && r !== null ? true : null);
const or2 = (l, r) => (r === true ? true : l !== null && r !== null ? false : null);
const eq = (l, r) => valuesEqual(l, r);
function order(l, r, site, w) {
  if (l === null || r === null) return undefined;
  if (isNum(l) && isNum(r)) {
    const a = f64(l);
    const b = f64(r);
    if (a < b) return -1;
    if (a > b) return 1;
    if (a === b) return 0;
    return null;
  }
  if (typeof l === 'string' && typeof r === 'string') return cmpStr(l, r);
  warn(w, W_TYPE_MISMATCH, site);
  return undefined;
}
function lt(l, r, site, w) { const o = order(l, r, site, w); return o === undefined ? null : o === -1; }
function le(l, r, site, w) { const o = order(l, r, site, w); return o === undefined ? null : o !== 1; }
function gt(l, r, site, w) { const o = order(l, r, site, w); return o === undefined ? null : o === 1; }
function ge(l, r, site, w) { const o = order(l, r, site, w); return o === undefined ? null : o !== -1; }
function concat(l, r, site, w) {
  const a = renderScalar(l);
  const b = renderScalar(r);
  if (a === undefined || b === undefined) return warn(w, W_TYPE_MISMATCH, site);
  const s = a + b;
  charge(costLen(s), site, w);
  return s;
}
const ADD = 0, SUB = 1, MUL = 2, DIV = 3, REM = 4;
function arith(op, l, r, site, w) {
  if (l === null || r === null) return null;
  if (!isNum(l) || !isNum(r)) return warn(w, W_TYPE_MISMATCH, site);
  const a = asI64(l);
  const b = asI64(r);
  if (a !== undefined && b !== undefined && op !== DIV) {
    if (typeof a === 'number' && typeof b === 'number') {
      const x = op === ADD ? a + b : op === SUB ? a - b : op === MUL ? a * b : b === 0 ? NaN : a % b;
      if (Number.isSafeInteger(x)) return x + 0;
    }
    if (!(op === REM && (b == 0 || (BigInt(a) === I64_MIN && BigInt(b) === -1n)))) {
      const x = BigInt(a);
      const y = BigInt(b);
      const z = op === ADD ? x + y : op === SUB ? x - y : op === MUL ? x * y : x % y;
      if (z >= I64_MIN && z <= I64_MAX) return intVal(z);
    }
  }
  const x = f64(l);
  const y = f64(r);
  const z = op === ADD ? x + y : op === SUB ? x - y : op === MUL ? x * y : op === DIV ? x / y : x % y;
  const v = numberValue(z);
  return v === undefined ? warn(w, W_NOT_FINITE, site) : v;
}
// `{k: v}`: null members are left out.
function obj(pairs) {
  const o = {};
  for (let i = 0; i < pairs.length; i += 2) {
    if (pairs[i + 1] !== null) Object.defineProperty(o, pairs[i], { value: pairs[i + 1], enumerable: true, writable: true, configurable: true });
  }
  return o;
}

// A constant object (null members kept).
function objAll(pairs) {
  const o = {};
  for (let i = 0; i < pairs.length; i += 2) Object.defineProperty(o, pairs[i], { value: pairs[i + 1], enumerable: true, writable: true, configurable: true });
  return o;
}

// ---- conversions (src/runtime/convert.rs) ----
const WS = '\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const IS_WS = new RegExp('^[' + WS + ']$');
const ASCII_WS = /^[\t\n\f\r ]+|[\t\n\f\r ]+$/g;
// Unicode White_Space (Rust's `char::is_whitespace`; not JavaScript's set, which has U+FEFF
// and lacks U+0085), by UTF-16 unit (none of them is a surrogate).
const isWsCode = (c) => c === 32 || (c >= 9 && c <= 13) || (c > 127 && (c === 0x85 || c === 0xa0 || c === 0x1680 ||
  (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000));
// `str::trim`.
const trim = (s) => {
  let a = 0;
  let b = s.length;
  while (a < b && isWsCode(s.charCodeAt(a))) a++;
  while (b > a && isWsCode(s.charCodeAt(b - 1))) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
};
const isBlank = (s) => {
  for (let i = 0; i < s.length; i++) if (!isWsCode(s.charCodeAt(i))) return false;
  return true;
};
const isWsChar = (c) => IS_WS.test(c);
const ALNUM = /^[\p{Alphabetic}\p{N}]$/u;
const ALPHA = /^\p{Alphabetic}$/u;
const CONTROL = /^\p{Cc}$/u;
function charLen(s) {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) { n--; i++; }
    }
  }
  return n;
}
// First `max` Unicode scalar values; `CUT` tells whether anything was cut.
let CUT = false;
function truncateChars(s, max) {
  CUT = false;
  if (s.length <= max) return s;
  let count = 0;
  for (let i = 0; i < s.length; i++) {
    if (count === max) {
      CUT = true;
      return s.slice(0, i);
    }
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    count++;
  }
  return s;
}
const isCombining = (c) => (c >= 0x300 && c <= 0x36f) || (c >= 0x1ab0 && c <= 0x1aff) || (c >= 0x1dc0 && c <= 0x1dff) || (c >= 0x20d0 && c <= 0x20ff) || (c >= 0xfe20 && c <= 0xfe2f);
const isWordChar = (ch) => isCombining(ch.codePointAt(0)) || ALNUM.test(ch);
function titleCase(s) {
  const chars = Array.from(s);
  let out = '';
  let prev = 0; // 0 separator, 1 long word, 2 single-letter word, 3 apostrophe after a long word
  let i = 0;
  while (i < chars.length) {
    const first = chars[i];
    if (isWordChar(first)) {
      let j = i + 1;
      while (j < chars.length && isWordChar(chars[j])) j++;
      const word = chars.slice(i, j).join('');
      if (prev !== 3) out += first.toUpperCase() + chars.slice(i + 1, j).join('').toLowerCase();
      else out += word.toLowerCase();
      prev = ALPHA.test(first) && j === i + 1 ? 2 : 1;
      i = j;
    } else {
      out += first;
      prev = (first === "'" || first === '\u2019') && prev === 1 ? 3 : 0;
      i++;
    }
  }
  return out;
}
const YES = ['yes', 'y', 'true', '1', 'on'];
const NO = ['no', 'n', 'false', '0', 'off'];
// ASCII-only lower-casing (`eq_ignore_ascii_case`).
const ASCII_UPPER = /[A-Z]/;
const NON_ASCII = /[^\x00-\x7f]/;
// Rust's `to_ascii_lowercase`: only A–Z change (`toLowerCase` alone when the text is ASCII).
const asciiLower = (s) => (!ASCII_UPPER.test(s) ? s : NON_ASCII.test(s) ? s.replace(/[A-Z]+/g, (m) => m.toLowerCase()) : s.toLowerCase());
function parseYesNo(v) {
  if (typeof v === 'boolean') return v;
  if (isNum(v)) {
    const x = f64(v);
    return x === 1 ? true : x === 0 ? false : undefined;
  }
  if (typeof v === 'string') {
    const t = asciiLower(trim(v));
    if (YES.includes(t)) return true;
    if (NO.includes(t)) return false;
  }
  return undefined;
}
const DECIMAL = /^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;
function parseNumber(s) {
  const t = s.replace(ASCII_WS, '');
  if (!DECIMAL.test(t)) return undefined;
  const x = Number(t);
  return Number.isFinite(x) ? x : undefined;
}
const UNITS = { ms: 0.001, s: 1, min: 60, h: 3600 };
function parseClock(text) {
  const fields = text.split(':');
  if (fields.length < 2 || fields.length > 3) return undefined;
  let total = 0;
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i];
    const dot = field.indexOf('.');
    let whole = field;
    let fraction;
    if (dot >= 0) {
      if (i !== fields.length - 1) return undefined;
      whole = field.slice(0, dot);
      fraction = field.slice(dot + 1);
    }
    if (i === 0 ? whole === '' : whole.length !== 2) return undefined;
    if (!/^[0-9]*$/.test(whole)) return undefined;
    if (fraction !== undefined && !/^[0-9]+$/.test(fraction)) return undefined;
    const value = Number(fraction === undefined ? whole : whole + '.' + fraction);
    if (i > 0 && value >= 60) return undefined;
    total = total * 60 + value;
  }
  return total;
}
function parseSeconds(v, unit) {
  let seconds;
  if (isNum(v)) seconds = f64(v) * unit;
  else if (typeof v === 'string') {
    const t = trim(v);
    if (t.includes(':')) seconds = parseClock(t);
    else {
      const x = parseNumber(t);
      seconds = x === undefined ? undefined : x * unit;
    }
  } else return undefined;
  if (seconds !== undefined && Number.isFinite(seconds) && seconds >= 0) return seconds + 0;
  return undefined;
}
const PHONE_PUNCT = /^[-.()\u2010-\u2015]$/;
function normalizePhone(s, country) {
  let t = trim(s);
  if (t.length >= 4 && asciiLower(t.slice(0, 4)) === 'tel:') t = t.slice(4);
  let digits = '';
  let plus = false;
  for (const c of t) {
    if (c >= '0' && c <= '9') digits += c;
    else if (c === '+' && digits === '' && !plus) plus = true;
    else if (!(isWsChar(c) || PHONE_PUNCT.test(c))) return undefined;
  }
  let intl;
  if (plus) intl = digits;
  else if (digits.startsWith('00')) intl = digits.slice(2);
  else if (country !== null) {
    let cc = trim(country);
    if (cc.startsWith('+')) cc = cc.slice(1);
    if (!/^[1-9][0-9]{0,2}$/.test(cc)) return undefined;
    if (cc === '1') {
      let national;
      if (digits.length === 10) national = digits;
      else if (digits.length === 11 && digits[0] === '1') national = digits.slice(1);
      else return undefined;
      intl = '1' + national;
    } else intl = cc + (digits.startsWith('0') ? digits.slice(1) : digits);
  } else if (digits.length >= 11 && digits.length <= 15) intl = digits;
  else return undefined;
  return intl.length >= 8 && intl.length <= 15 && intl[0] !== '0' ? '+' + intl : undefined;
}
function isEmailLocal(local) {
  const n = charLen(local);
  if (n < 1 || n > 64 || local.startsWith('.') || local.endsWith('.') || local.includes('..')) return false;
  for (const c of local) if (isWsChar(c) || CONTROL.test(c) || '"(),:;<>[\\]'.includes(c)) return false;
  return true;
}
function isEmailDomain(domain) {
  const labels = domain.split('.');
  if (labels.length < 2) return false;
  for (const label of labels) {
    const n = charLen(label);
    if (n < 1 || n > 63 || label.startsWith('-') || label.endsWith('-')) return false;
    for (const c of label) if (!(c === '-' || ALNUM.test(c))) return false;
  }
  const tld = labels[labels.length - 1];
  return charLen(tld) >= 2 && !/^[0-9]+$/.test(tld);
}
function normalizeEmail(s) {
  let t = trim(s);
  if (t.length >= 7 && asciiLower(t.slice(0, 7)) === 'mailto:') t = t.slice(7);
  const address = t.toLowerCase();
  if (charLen(address) > 254) return undefined;
  const at = address.indexOf('@');
  if (at < 0) return undefined;
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  if (domain.includes('@') || !isEmailLocal(local) || !isEmailDomain(domain)) return undefined;
  return address;
}
const URL_BAD = /[\p{White_Space}\p{Cc}]/u;
function isUrlHost(host) {
  if (host.startsWith('[') && host.endsWith(']') && host.length >= 2) {
    const inner = host.slice(1, -1);
    return inner.includes(':') && /^[0-9a-fA-F:.]*$/.test(inner);
  }
  if (host === '' || host.startsWith('.') || host.endsWith('.') || host.includes('..')) return false;
  for (const c of host) if (!(ALNUM.test(c) || c === '-' || c === '_' || c === '.')) return false;
  return true;
}
function isHttpUrl(s) {
  if (URL_BAD.test(s)) return false;
  const lower = asciiLower(s.slice(0, 8));
  let rest;
  if (lower.startsWith('https://')) rest = s.slice(8);
  else if (lower.startsWith('http://')) rest = s.slice(7);
  else return false;
  const authority = rest.split(/[/?#]/)[0];
  const at = authority.lastIndexOf('@');
  const hp = at >= 0 ? authority.slice(at + 1) : authority;
  let host;
  let port;
  if (hp.startsWith('[')) {
    const close = hp.indexOf(']');
    if (close < 0) host = '';
    else {
      host = hp.slice(0, close + 1);
      const after = hp.slice(close + 1);
      if (after.startsWith(':')) port = after.slice(1);
      else if (after !== '') host = '';
    }
  } else {
    const colon = hp.lastIndexOf(':');
    if (colon >= 0) { host = hp.slice(0, colon); port = hp.slice(colon + 1); } else host = hp;
  }
  if (port !== undefined && !/^[0-9]{1,5}$/.test(port)) return false;
  return isUrlHost(host);
}
function splitHierarchyText(text) {
  const keep = (parts) => parts.map(trim).filter((p) => p !== '');
  if (text.includes('\u25b8')) return keep(text.split('\u25b8'));
  if (/[,>/]/.test(text)) return keep(text.split(/[,>/]/));
  let keypad = true;
  for (const c of text) if (!((c >= '0' && c <= '9') || c === '*' || c === '#' || isWsChar(c))) { keypad = false; break; }
  if (keypad) return Array.from(text).filter((c) => !isWsChar(c));
  const t = trim(text);
  return t === '' ? [] : [t];
}
function hierarchyLevels(v) {
  if (isArr(v)) {
    const levels = [];
    for (const item of v) {
      const r = renderScalar(item);
      if (r === undefined) return undefined;
      const t = trim(r);
      if (t !== '') levels.push(t);
    }
    return levels;
  }
  if (isObj(v)) return undefined;
  return splitHierarchyText(renderScalar(v));
}

// SHA-256 of the UTF-8 bytes (FIPS 180-4), lower-case hex.
const SHA_K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
  0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
  0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2]);
function utf8(s) {
  const out = [];
  for (const ch of s) {
    const c = ch.codePointAt(0);
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return out;
}
function sha256Hex(s) {
  const bytes = utf8(s);
  const bitLen = bytes.length * 8;
  bytes.push(0x80);
  while (bytes.length % 64 !== 56) bytes.push(0);
  const hi = Math.floor(bitLen / 0x100000000);
  bytes.push((hi >>> 24) & 255, (hi >>> 16) & 255, (hi >>> 8) & 255, hi & 255);
  bytes.push((bitLen >>> 24) & 255, (bitLen >>> 16) & 255, (bitLen >>> 8) & 255, bitLen & 255);
  const h = new Uint32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
  const m = new Uint32Array(64);
  const rot = (x, n) => (x >>> n) | (x << (32 - n));
  for (let off = 0; off < bytes.length; off += 64) {
    for (let i = 0; i < 16; i++) m[i] = (bytes[off + 4 * i] << 24) | (bytes[off + 4 * i + 1] << 16) | (bytes[off + 4 * i + 2] << 8) | bytes[off + 4 * i + 3];
    for (let i = 16; i < 64; i++) {
      const s0 = rot(m[i - 15], 7) ^ rot(m[i - 15], 18) ^ (m[i - 15] >>> 3);
      const s1 = rot(m[i - 2], 17) ^ rot(m[i - 2], 19) ^ (m[i - 2] >>> 10);
      m[i] = (m[i - 16] + s0 + m[i - 7] + s1) | 0;
    }
    let [a, b, c, d, e, f, gg, hh] = h;
    for (let i = 0; i < 64; i++) {
      const t1 = (hh + (rot(e, 6) ^ rot(e, 11) ^ rot(e, 25)) + ((e & f) ^ (~e & gg)) + SHA_K[i] + m[i]) | 0;
      const t2 = ((rot(a, 2) ^ rot(a, 13) ^ rot(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      hh = gg; gg = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
    }
    h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += gg; h[7] += hh;
  }
  let out = '';
  for (const x of h) out += x.toString(16).padStart(8, '0');
  return out;
}

// ---- dates: the chrono parsing rules convert.rs relies on ----
// DATE_MIN_MS, DATE_MAX_MS: from the catalog, declared by module.js.tera.
const OUT_OF_RANGE = 'out-of-range';
const UNPARSABLE = 'unparsable';
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const MONTH_SUFFIX = ['uary', 'ruary', 'ch', 'il', '', 'e', 'y', 'ust', 'tember', 'ober', 'ember', 'ember'];
const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const trimStart = (s) => s.replace(new RegExp('^[' + WS + ']+'), '');
function daysFromCivil(y, m, d) {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}
const leap = (y) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const daysIn = (y, m) => [31, leap(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1];
// chrono's `scan::number`: [rest, value] or undefined.
function scanNumber(s, min, max) {
  let i = 0;
  let n = 0n;
  while (i < s.length && i < max && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) {
    n = n * 10n + BigInt(s.charCodeAt(i) - 48);
    if (n > I64_MAX) return undefined;
    i++;
  }
  if (i < min) return undefined;
  return [s.slice(i), Number(n)];
}
function scanOffset(s, allowZulu, allowMissingMinutes, colon) {
  if (allowZulu && (s[0] === 'Z' || s[0] === 'z')) return [s.slice(1), 0];
  let negative;
  if (s[0] === '+') negative = false;
  else if (s[0] === '-' || s[0] === '\u2212') negative = true;
  else return undefined;
  s = s.slice(1);
  if (s.length < 2 || !/^[0-9]{2}/.test(s)) return undefined;
  const hours = Number(s.slice(0, 2));
  s = s.slice(2);
  s = colon(s);
  if (s === undefined) return undefined;
  let minutes = 0;
  if (s.length >= 2) {
    if (/^[0-5][0-9]/.test(s)) minutes = Number(s.slice(0, 2));
    else if (allowMissingMinutes && !/^[0-9]{2}/.test(s)) minutes = -1;
    else return undefined;
  } else if (allowMissingMinutes) minutes = -1;
  else return undefined;
  if (minutes === -1) minutes = 0;
  else s = s.slice(2);
  if (s.length === 1 && minutes === 0 && allowMissingMinutes) return undefined;
  const secs = hours * 3600 + minutes * 60;
  return [s, negative ? -secs : secs];
}
const colonOrSpace = (s) => s.replace(new RegExp('^[:' + WS + ']+'), '');
// A strftime format as items (a subset of chrono's; `build` refuses the others, FM602).
function formatItems(fmt) {
  const items = [];
  let i = 0;
  while (i < fmt.length) {
    const c = fmt[i];
    if (c === '%') {
      let spec = fmt[i + 1];
      let len = 2;
      if (spec === '.' || spec === ':' || spec === '#') { spec += fmt[i + 2]; len = 3; }
      i += len;
      switch (spec) {
        case 'T': items.push('H', ':', 'M', ':', 'S'); break;
        case 'F': items.push('Y', '-', 'm', '-', 'd'); break;
        case 'R': items.push('H', ':', 'M'); break;
        case 'D': items.push('m', '/', 'd', '/', 'y'); break;
        case '%': items.push({ lit: '%' }); break;
        case 'n': case 't': items.push({ space: true }); break;
        default: items.push(spec);
      }
    } else if (isWsChar(c)) {
      while (i < fmt.length && isWsChar(fmt[i])) i++;
      items.push({ space: true });
    } else {
      let j = i;
      while (j < fmt.length && fmt[j] !== '%' && !isWsChar(fmt[j])) j++;
      items.push({ lit: fmt.slice(i, j) });
      i = j;
    }
  }
  return items.map((it) => (typeof it === 'string' && it.length === 1 && !/[A-Za-z]/.test(it) ? { lit: it } : it));
}
// Fills `p` from `s` with `items`; true when all of `s` was read.
function parseItems(p, s, items) {
  for (const it of items) {
    if (typeof it === 'object') {
      if (it.space) { s = trimStart(s); continue; }
      if (!s.startsWith(it.lit)) return false;
      s = s.slice(it.lit.length);
      continue;
    }
    let r;
    const num = (field, width, lo, hi, signed) => {
      s = trimStart(s);
      let sign = 1;
      if (signed && (s[0] === '-' || s[0] === '+')) {
        sign = s[0] === '-' ? -1 : 1;
        r = scanNumber(s.slice(1), 1, Infinity);
      } else r = scanNumber(s, 1, width);
      if (!r) return false;
      const v = sign * r[1];
      if (v < lo || v > hi) return false;
      if (p[field] !== undefined && p[field] !== v) return false;
      p[field] = v;
      s = r[0];
      return true;
    };
    let ok = true;
    switch (it) {
      case 'Y': ok = num('year', 4, -Infinity, Infinity, true); break;
      case 'y': ok = num('yearMod', 2, 0, 99, false); break;
      case 'm': ok = num('month', 2, 1, 12, false); break;
      case 'd': case 'e': ok = num('day', 2, 1, 31, false); break;
      case 'j': ok = num('ordinal', 3, 1, 366, false); break;
      case 'H': ok = num('hour', 2, 0, 23, false); break;
      case 'I': ok = num('hour12', 2, 1, 12, false); break;
      case 'M': ok = num('minute', 2, 0, 59, false); break;
      case 'S': ok = num('second', 2, 0, 60, false); break;
      case 's': ok = num('timestamp', Infinity, -Infinity, Infinity, false); break;
      case 'b': case 'h': case 'B': {
        if (s.length < 3) return false;
        const m = MONTHS.indexOf(asciiLower(s.slice(0, 3)));
        if (m < 0) return false;
        s = s.slice(3);
        if (it === 'B' && asciiLower(s.slice(0, MONTH_SUFFIX[m].length)) === MONTH_SUFFIX[m]) s = s.slice(MONTH_SUFFIX[m].length);
        if (p.month !== undefined && p.month !== m + 1) return false;
        p.month = m + 1;
        break;
      }
      case 'a': case 'A': {
        if (s.length < 3) return false;
        const d = WEEKDAYS.indexOf(asciiLower(s.slice(0, 3)));
        if (d < 0) return false;
        s = s.slice(3);
        if (it === 'A') {
          const suffix = ['day', 'sday', 'nesday', 'rsday', 'day', 'urday', 'day'][d];
          if (asciiLower(s.slice(0, suffix.length)) === suffix) s = s.slice(suffix.length);
        }
        p.weekday = d;
        break;
      }
      case 'p': case 'P': {
        const ap = asciiLower(s.slice(0, 2));
        if (ap !== 'am' && ap !== 'pm') return false;
        p.pm = ap === 'pm';
        s = s.slice(2);
        break;
      }
      case '.f':
        if (s[0] === '.') {
          const q = scanNumber(s.slice(1), 1, 9);
          if (!q) return false;
          const digits = s.length - 1 - q[0].length;
          p.nano = q[1] * 10 ** (9 - digits);
          s = q[0].replace(/^[0-9]+/, '');
        }
        break;
      case 'z': case ':z': {
        const q = scanOffset(trimStart(s), false, false, colonOrSpace);
        if (!q) return false;
        [s, p.offset] = q;
        break;
      }
      case '#z': {
        const q = scanOffset(trimStart(s), true, true, colonOrSpace);
        if (!q) return false;
        [s, p.offset] = q;
        break;
      }
      case 'Z':
        s = s.replace(new RegExp('^[^' + WS + ']*'), '');
        break;
      default:
        return false;
    }
    if (!ok) return false;
  }
  return s === '';
}
// Epoch milliseconds of a filled `Parsed`, or undefined when chrono would refuse it.
function resolveParsed(p) {
  let year = p.year;
  if (year === undefined && p.yearMod !== undefined) year = p.yearMod < 70 ? 2000 + p.yearMod : 1900 + p.yearMod;
  if (p.timestamp !== undefined) {
    const ms = p.timestamp * 1000;
    return Number.isFinite(ms) ? ms : undefined;
  }
  if (year === undefined) return undefined;
  let month = p.month;
  let day = p.day;
  if (month === undefined || day === undefined) {
    if (p.ordinal === undefined || month !== undefined || day !== undefined) return undefined;
    if (p.ordinal > (leap(year) ? 366 : 365)) return undefined;
    month = 1;
    day = p.ordinal;
    while (day > daysIn(year, month)) { day -= daysIn(year, month); month++; }
  }
  if (day > daysIn(year, month) || year < -262143 || year > 262142) return undefined;
  let hour = p.hour;
  if (p.hour12 !== undefined) {
    if (p.pm === undefined) return undefined;
    const h = (p.hour12 % 12) + (p.pm ? 12 : 0);
    if (hour !== undefined && hour !== h) return undefined;
    hour = h;
  } else if (p.pm !== undefined && hour !== undefined && (hour >= 12) !== p.pm) return undefined;
  if (hour === undefined) return undefined;
  const days = daysFromCivil(year, month, day);
  if (p.weekday !== undefined && ((((days + 3) % 7) + 7) % 7) !== p.weekday) return undefined;
  const minute = p.minute === undefined ? 0 : p.minute;
  let second = p.second === undefined ? 0 : p.second;
  let nano = p.nano === undefined ? 0 : p.nano;
  if (second === 60) { second = 59; nano += 1e9; }
  return (days * 86400 + hour * 3600 + minute * 60 + second - (p.offset || 0)) * 1000 + Math.floor(nano / 1e6);
}
function parseWithFormat(text, fmt) {
  const p = {};
  if (!parseItems(p, text, formatItems(fmt))) return undefined;
  if (p.timestamp === undefined) {
    if (p.hour === undefined && p.hour12 === undefined) p.hour = 0;
    if (p.minute === undefined) p.minute = 0;
  }
  return resolveParsed(p);
}
function inDateRange(ms) {
  return ms >= DATE_MIN_MS && ms <= DATE_MAX_MS ? ms : OUT_OF_RANGE;
}
function epochToMillis(x) {
  if (!Number.isFinite(x)) return UNPARSABLE;
  const raw = Math.abs(x) < 1e11 ? x * 1000 : x;
  const millis = raw < 0 ? -Math.round(-raw) : Math.round(raw);
  return millis >= DATE_MIN_MS && millis <= DATE_MAX_MS ? millis + 0 : OUT_OF_RANGE;
}
function parseRfc3339(s) {
  if (s.length < 19) return undefined;
  const m = /^([0-9]{4})-([0-9]{2})-([0-9]{2})[tT ]([0-9]{2}):([0-9]{2}):([0-9]{2})/.exec(s);
  if (!m) return undefined;
  const p = { year: +m[1], month: +m[2], day: +m[3], hour: +m[4], minute: +m[5], second: +m[6] };
  if (p.month < 1 || p.month > 12 || p.day < 1 || p.day > daysIn(p.year, p.month)) return undefined;
  let rest = s.slice(19);
  if (rest[0] === '.') {
    const q = scanNumber(rest.slice(1), 1, 9);
    if (!q) return undefined;
    p.nano = q[1] * 10 ** (9 - (rest.length - 1 - q[0].length));
    rest = q[0].replace(/^[0-9]+/, '');
  }
  if (p.hour > 23 || p.minute > 59 || p.second > 60) return undefined;
  const q = scanOffset(rest, true, false, (x) => (x[0] === ':' ? x.slice(1) : undefined));
  if (!q || q[0] !== '' || Math.abs(q[1]) >= 86400) return undefined;
  p.offset = q[1];
  return resolveParsed(p);
}
const ISO_LIKE = [
  '%Y-%m-%dT%H:%M:%S%.f%#z', '%Y-%m-%dT%H:%M%#z', '%Y-%m-%dT%H:%M:%S%.f', '%Y-%m-%dT%H:%M', '%Y-%m-%d',
  '%Y/%m/%dT%H:%M:%S%.f%#z', '%Y/%m/%dT%H:%M%#z', '%Y/%m/%dT%H:%M:%S%.f', '%Y/%m/%dT%H:%M', '%Y/%m/%d'];
function parseIsoLike(text) {
  if (!/^[0-9]{4}[-/]/.test(text)) return undefined;
  const r = parseRfc3339(text);
  if (r !== undefined) return r;
  let n = text;
  for (const suffix of [' utc', ' gmt']) {
    if (text.length >= 4 && asciiLower(text.slice(-4)) === suffix) n = text.slice(0, -4) + 'Z';
  }
  const sep = n.search(/[ t]/);
  if (sep >= 0) n = n.slice(0, sep) + 'T' + n.slice(sep + 1);
  for (const f of ISO_LIKE) {
    const ms = parseWithFormat(n, f);
    if (ms !== undefined) return ms;
  }
  return undefined;
}
function parseRfc2822(s0) {
  let s = trimStart(s0);
  const p = {};
  if (s.length >= 3) {
    const d = WEEKDAYS.indexOf(asciiLower(s.slice(0, 3)));
    if (d >= 0) {
      if (s[3] !== ',') return undefined;
      s = s.slice(4);
      p.weekday = d;
    }
  }
  s = trimStart(s);
  const space = () => {
    const t = trimStart(s);
    if (t.length === s.length) return false;
    s = t;
    return true;
  };
  let r = scanNumber(s, 1, 2);
  if (!r || r[1] < 1 || r[1] > 31) return undefined;
  [s, p.day] = r;
  if (!space() || s.length < 3) return undefined;
  const m = MONTHS.indexOf(asciiLower(s.slice(0, 3)));
  if (m < 0) return undefined;
  p.month = m + 1;
  s = s.slice(3);
  if (!space()) return undefined;
  const before = s.length;
  r = scanNumber(s, 2, Infinity);
  if (!r) return undefined;
  let year = r[1];
  const len = before - r[0].length;
  s = r[0];
  if (len === 2) year += year <= 49 ? 2000 : 1900;
  else if (len === 3) year += 1900;
  p.year = year;
  if (!space()) return undefined;
  r = scanNumber(s, 2, 2);
  if (!r || r[1] > 23) return undefined;
  [s, p.hour] = r;
  s = trimStart(s);
  if (s[0] !== ':') return undefined;
  s = trimStart(s.slice(1));
  r = scanNumber(s, 2, 2);
  if (!r || r[1] > 59) return undefined;
  [s, p.minute] = r;
  const t = trimStart(s);
  if (t[0] === ':') {
    r = scanNumber(t.slice(1), 2, 2);
    if (!r || r[1] > 60) return undefined;
    [s, p.second] = r;
  }
  if (!space()) return undefined;
  const name = /^[A-Za-z]+/.exec(s);
  if (name) {
    const z = asciiLower(name[0]);
    const hours = { gmt: 0, ut: 0, z: 0, edt: -4, est: -5, cdt: -5, cst: -6, mdt: -6, mst: -7, pdt: -7, pst: -8 }[z];
    if (hours !== undefined) p.offset = hours * 3600;
    else if (z.length === 1 && z !== 'j') p.offset = 0;
    else return undefined;
    s = s.slice(name[0].length);
  } else {
    const q = scanOffset(s, false, false, (x) => x);
    if (!q) return undefined;
    [s, p.offset] = q;
  }
  for (;;) {
    const c = /^\s*\((?:[^()\\]|\\.)*\)/.exec(s);
    if (!c) break;
    s = s.slice(c[0].length);
  }
  if (s !== '' || Math.abs(p.offset) >= 86400) return undefined;
  return resolveParsed(p);
}
function parseDateText(text) {
  if (text === '') return UNPARSABLE;
  if (text.length === 8 && /^[0-9]{8}$/.test(text)) {
    const ms = parseWithFormat(text, '%Y%m%d');
    if (ms !== undefined) return inDateRange(ms);
  }
  const x = parseNumber(text);
  if (x !== undefined) return epochToMillis(x);
  let ms = parseIsoLike(text);
  if (ms !== undefined) return inDateRange(ms);
  ms = parseRfc2822(text);
  if (ms !== undefined) return inDateRange(ms);
  return UNPARSABLE;
}
// Epoch milliseconds, or OUT_OF_RANGE / UNPARSABLE.
function parseDate(v, fmt) {
  if (isNum(v)) {
    if (fmt !== null) {
      const ms = parseWithFormat(renderNumber(v), fmt);
      if (ms !== undefined) return inDateRange(ms);
    }
    return epochToMillis(f64(v));
  }
  if (typeof v === 'string') {
    const t = trim(v);
    if (fmt !== null) {
      const ms = parseWithFormat(t, fmt);
      return ms === undefined ? UNPARSABLE : inDateRange(ms);
    }
    return parseDateText(t);
  }
  return UNPARSABLE;
}

// ---- filters (src/emit/filters.rs names each filter's function) ----
const WRONG = { failure: W_FILTER_FAILED };
const UNCONVERTIBLE = { failure: W_FILTER_FAILED };
const RANGE = { failure: W_DATE_OUT_OF_RANGE };
const MISS = { failure: W_LOOKUP_MISS };
// Over the cost caps: never built.
const TOO_LARGE = { failure: W_VALUE_TOO_LARGE };
// A filter's result: a value, or a failure turned into null with a warning at `site`.
function fl(v, site, w) {
  if (v !== null && typeof v === 'object' && v.failure !== undefined && (v === WRONG || v === UNCONVERTIBLE || v === RANGE || v === MISS || v === TOO_LARGE)) {
    if (v === TOO_LARGE) tooLarge(site, w);
    w.push(v.failure, site);
    return null;
  }
  return v;
}
// A filter that builds its result: charged.
function fc(v, site, w) {
  v = fl(v, site, w);
  if (typeof v === 'string') {
    if (v.length) charge(costLen(v), site, w);
  } else if (v !== null && typeof v === 'object' && !(v instanceof Flt)) charge(costOf(v), site, w);
  return v;
}
// A filter that gives its input back when nothing changes (`trim`, `string`, `truncate`):
// charged only when it built something.
function fu(v, input, site, w) {
  v = fl(v, site, w);
  if (v !== input && typeof v === 'string' && v.length) charge(costLen(v), site, w);
  return v;
}
// `replace`: charged when something matched (F.replace sets REPLACED).
let REPLACED = false;
function fr(v, site, w) {
  v = fl(v, site, w);
  if (REPLACED && typeof v === 'string' && v.length) charge(costLen(v), site, w);
  return v;
}
const str = (v) => (typeof v === 'string' ? v : undefined);
const F = {
  lower: (v) => (typeof v === 'string' ? v.toLowerCase() : WRONG),
  upper: (v) => (typeof v === 'string' ? v.toUpperCase() : WRONG),
  trim: (v) => (typeof v === 'string' ? trim(v) : WRONG),
  title: (v) => {
    if (typeof v !== 'string') return WRONG;
    // As Rust: beyond a third of the limit, the largest possible size is counted first.
    const max = limit();
    if (v.length * 9 > max && utf8Len(v) * 3 > max) {
      let largest = 0;
      for (const c of v) largest += Math.max(utf8Len(c.toUpperCase()), utf8Len(c.toLowerCase()));
      if (largest > max) return TOO_LARGE;
    }
    return titleCase(v);
  },
  string: (v) => {
    if (typeof v === 'string') return v;
    const r = renderScalar(v);
    return r === undefined ? WRONG : r;
  },
  truncate: (v, n) => (typeof v === 'string' ? truncateChars(v, n) : WRONG),
  // `withBytes`: the UTF-8 length of the replacement as written; `refs`: its `$` count, or -1
  // when it has none. Built within the limit as Rust builds it: with `$` references, each
  // match is first checked against its largest expansion (exact UTF-8 sizes); without, the
  // text is abandoned once its UTF-16 length (never more than its UTF-8 length) passes the
  // limit, and the exact size is charged by `fr`.
  // Matches are taken one at a time (`exec`, `re` has the `gu` flags): String.prototype.replace
  // with a function collects every match before it calls the function, which for a pattern
  // that matches everywhere costs about 100 bytes of memory per character of the input.
  replace: (v, re, parts, withBytes, refs) => {
    if (typeof v !== 'string') return WRONG;
    const max = limit();
    let last = 0;
    let size = 0;
    REPLACED = false;
    const out = [];
    re.lastIndex = 0;
    for (let m = re.exec(v); m !== null; m = re.exec(v)) {
      const offset = m.index;
      REPLACED = true;
      if (refs >= 0) {
        size += utf8Len(v.slice(last, offset));
        if (size + withBytes + refs * utf8Len(m[0]) > max) return TOO_LARGE;
      } else size += offset - last;
      let piece = '';
      for (const part of parts) {
        if (typeof part === 'string') piece += part;
        else {
          const x = typeof part[0] === 'number' ? m[part[0]] : m.groups && m.groups[part[0]];
          if (typeof x === 'string') piece += x;
        }
      }
      size += refs >= 0 ? utf8Len(piece) : piece.length;
      if (size > max) return TOO_LARGE;
      out.push(v.slice(last, offset), piece);
      last = offset + m[0].length;
      // An empty match moves on by one code point, as String.prototype.replace does.
      if (m[0].length === 0) {
        const i = re.lastIndex;
        const c = v.charCodeAt(i);
        re.lastIndex = c >= 0xd800 && c <= 0xdbff && i + 1 < v.length && (v.charCodeAt(i + 1) & 0xfc00) === 0xdc00 ? i + 2 : i + 1;
      }
    }
    if (!REPLACED) return v;
    out.push(v.slice(last));
    return out.join('');
  },
  matches: (v, re) => (typeof v === 'string' ? re.test(v) : WRONG),
  split: (v, sep) => {
    if (typeof v !== 'string') return WRONG;
    // Counted before anything is built, as Rust counts: one element per part, plus the text.
    const max = limit();
    if ((v.length + 1) * ELEMENT_COST + v.length * 3 > max) {
      let count = 1;
      if (sep === '') count = charLen(v);
      else for (let i = v.indexOf(sep); i !== -1; i = v.indexOf(sep, i + sep.length)) count++;
      if (count * ELEMENT_COST + utf8Len(v) > max) return TOO_LARGE;
    }
    return sep === '' ? Array.from(v) : v.split(sep);
  },
  join: (v, sep) => {
    if (!isArr(v)) return WRONG;
    const max = limit();
    let out = '';
    let big = false;
    for (const item of v) {
      if (item === null) continue;
      if (isArr(item) || isObj(item)) return WRONG;
      const r = renderScalar(item);
      if (r === undefined) return WRONG;
      // A wrong element anywhere is `filter-failed`, whatever the size.
      if (r === '' || big) continue;
      if (out !== '') out += sep;
      out += r;
      if (out.length > max) big = true;
    }
    return big ? TOO_LARGE : out;
  },
  slice: (v, start, end) => {
    let items;
    if (typeof v === 'string') items = Array.from(v);
    else if (isArr(v)) items = v;
    else return WRONG;
    const len = items.length;
    const at = (i) => (i < 0 ? Math.max(0, len + i) : Math.min(i, len));
    const a = at(start);
    const b = Math.max(end === null ? len : at(end), a);
    return typeof v === 'string' ? items.slice(a, b).join('') : items.slice(a, b);
  },
  len: (v) => (v === null ? 0 : typeof v === 'string' ? charLen(v) : isArr(v) ? v.length : isObj(v) ? Object.keys(v).filter((k) => v[k] !== undefined).length : WRONG),
  first: (v) => (isArr(v) ? (v.length ? v[0] : null) : typeof v === 'string' ? (v === '' ? null : String.fromCodePoint(v.codePointAt(0))) : WRONG),
  last: (v) => {
    if (isArr(v)) return v.length ? v[v.length - 1] : null;
    if (typeof v !== 'string') return WRONG;
    if (v === '') return null;
    const c = v.charCodeAt(v.length - 1);
    return c >= 0xdc00 && c <= 0xdfff && v.length >= 2 ? v.slice(-2) : v.slice(-1);
  },
  number: (v) => {
    if (isNum(v)) return v;
    if (typeof v !== 'string') return WRONG;
    const x = parseNumber(v);
    if (x === undefined) return UNCONVERTIBLE;
    const r = numberValue(x);
    return r === undefined ? UNCONVERTIBLE : r;
  },
  int: (v) => {
    let x;
    if (isNum(v)) x = f64(v);
    else if (typeof v === 'string') x = parseNumber(v);
    else return WRONG;
    if (x === undefined) return UNCONVERTIBLE;
    if (isInt(v)) return v;
    const r = numberValue(Math.trunc(x));
    return r === undefined ? UNCONVERTIBLE : r;
  },
  round: (v, digits) => {
    if (!isNum(v)) return WRONG;
    const n = f64(v);
    const factor = 10 ** digits;
    const y = n * factor;
    const rounded = (y < 0 ? -Math.round(-y) : Math.round(y)) / factor;
    const r = numberValue(Number.isFinite(rounded) ? rounded : n);
    return r === undefined ? UNCONVERTIBLE : r;
  },
  clamp: (v, lo, hi) => {
    if (!isNum(v)) return WRONG;
    const x = f64(v);
    const r = numberValue(Number.isNaN(x) ? x : x < lo ? lo : x > hi ? hi : x);
    return r === undefined ? UNCONVERTIBLE : r;
  },
  seconds: (v, unit) => {
    if (!isNum(v) && typeof v !== 'string') return WRONG;
    const x = parseSeconds(v, unit);
    if (x === undefined) return UNCONVERTIBLE;
    const r = numberValue(x);
    return r === undefined ? UNCONVERTIBLE : r;
  },
  yes_no: (v) => {
    const flag = parseYesNo(v);
    if (flag === undefined) return isArr(v) || isObj(v) ? WRONG : UNCONVERTIBLE;
    return flag ? 'Yes' : 'No';
  },
  lookup: (v, table, fallback) => {
    if (isArr(v) || isObj(v)) return WRONG;
    const key = renderScalar(v);
    if (key === undefined) return WRONG;
    const hit = table.get(key);
    if (hit !== undefined) return hit;
    return fallback === undefined ? MISS : fallback;
  },
  in: (v, values) => values.some((x) => valuesEqual(x, v)),
  hierarchy: (v, sep) => {
    const levels = hierarchyLevels(v);
    if (levels === undefined) return WRONG;
    let size = levels.length > 1 ? (levels.length - 1) * sep.length : 0;
    for (const level of levels) size += level.length;
    return size > limit() ? TOO_LARGE : levels.join(sep);
  },
  phone: (v, country) => {
    let text;
    if (typeof v === 'string') text = v;
    else if (isNum(v)) text = renderNumber(v);
    else return WRONG;
    const r = normalizePhone(text, country);
    return r === undefined ? UNCONVERTIBLE : r;
  },
  email: (v) => {
    if (typeof v !== 'string') return WRONG;
    const r = normalizeEmail(v);
    return r === undefined ? UNCONVERTIBLE : r;
  },
  sha256: (v) => {
    if (isArr(v) || isObj(v)) return WRONG;
    const r = renderScalar(v);
    return r === undefined ? WRONG : sha256Hex(r);
  },
  date: (v, fmt) => {
    if (!isNum(v) && typeof v !== 'string') return WRONG;
    const r = parseDate(v, fmt);
    return r === OUT_OF_RANGE ? RANGE : r === UNPARSABLE ? UNCONVERTIBLE : r;
  },
};

// ---- coercion to the target kind (src/runtime/coerce.rs) ----
// MAX_TEXT_CHARS: from the catalog, declared by module.js.tera.
// `coerce` gives the value to write (undefined: nothing) and sets `CW`, the warning kind (-1:
// none), and `CANON`, whether an enum's documented spelling replaced the value.
let CW = -1;
let CANON = false;
function text(v) {
  let r = v;
  if (typeof v !== 'string') {
    if (isArr(v) || isObj(v)) {
      CW = W_DROPPED;
      return undefined;
    }
    r = renderScalar(v);
    if (r === undefined) {
      CW = W_DROPPED;
      return undefined;
    }
  }
  const cut = truncateChars(r, MAX_TEXT_CHARS);
  if (isBlank(cut)) return undefined;
  if (CUT) CW = W_TRUNCATED;
  return cut;
}
// `coerce('text', …)`, which most rules use.
function coerceText(v) {
  CW = -1;
  CANON = false;
  if (v === null || v === undefined || (typeof v === 'string' && isBlank(v))) return undefined;
  return text(v);
}
function coerce(kind, values, v) {
  CW = -1;
  CANON = false;
  if (v === null || v === undefined || (typeof v === 'string' && isBlank(v))) return undefined;
  switch (kind) {
    case null: return v;
    case 'text': return text(v);
    case 'enum': {
      const r = text(v);
      if (r === undefined) return r;
      const t = asciiLower(trim(r));
      for (const canonical of values) {
        if (asciiLower(canonical) === t && canonical.length === t.length) {
          CANON = true;
          return canonical;
        }
      }
      if (values.length !== 0 && CW === -1) CW = W_UNKNOWN_ENUM;
      return r;
    }
    case 'yes_no': {
      const flag = parseYesNo(v);
      if (flag === undefined) CW = W_DROPPED;
      return flag === undefined ? undefined : flag ? 'Yes' : 'No';
    }
    case 'measure': {
      if (isNum(v)) return v;
      if (typeof v === 'string') {
        const x = parseNumber(v);
        const r = x === undefined ? undefined : numberValue(x);
        if (r === undefined) CW = W_DROPPED;
        return r;
      }
      CW = W_DROPPED;
      return undefined;
    }
    case 'date': {
      const r = parseDate(v, null);
      if (r === OUT_OF_RANGE) CW = W_DATE_OUT_OF_RANGE;
      else if (r === UNPARSABLE) CW = W_DROPPED;
      else return r;
      return undefined;
    }
    case 'url':
      if (typeof v === 'string' && isHttpUrl(v)) return v;
      CW = W_DROPPED;
      return undefined;
    case 'list':
      if (isArr(v) && v.every(isObj)) return v;
      CW = W_DROPPED;
      return undefined;
    default:
      CW = W_DROPPED;
      return undefined;
  }
}

// ---- records: JSON as serde_json reads it ----
// JSON.parse is exact unless the line may hold an integral float (`5.0`, `1e3`), an integer
// beyond ±2^53, or an escaped surrogate; those lines go through `parseExact`.
const CAREFUL = /[:,[]\s*-?[0-9]+(?:\.0+(?![0-9])|(?:\.[0-9]+)?[eE])|[:,[]\s*-?[0-9]{16}|[:,[]\s*-0(?![0-9])|\\u[dD][89a-fA-F]/;
class JsonError extends Error {}
const STRING = /"[^"\\\u0000-\u001f]*(?:\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})[^"\\\u0000-\u001f]*)*"/y;
const NUMBER = /-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/y;
function parseExact(text) {
  let i = 0;
  const n = text.length;
  const fail = (what) => { throw new JsonError(what); };
  const ws = () => { while (i < n) { const c = text.charCodeAt(i); if (c === 32 || c === 9 || c === 10 || c === 13) i++; else break; } };
  const value = (depth) => {
    ws();
    if (i >= n) fail('EOF while parsing a value');
    const c = text[i];
    if (c === '{') {
      if (depth >= 127) fail('recursion limit exceeded');
      i++;
      const o = {};
      ws();
      if (text[i] === '}') { i++; return o; }
      for (;;) {
        ws();
        if (text[i] !== '"') fail('key must be a string');
        const k = string();
        ws();
        if (text[i] !== ':') fail('expected `:`');
        i++;
        const v = value(depth + 1);
        Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === '}') { i++; return o; }
        fail('expected `,` or `}`');
      }
    }
    if (c === '[') {
      if (depth >= 127) fail('recursion limit exceeded');
      i++;
      const a = [];
      ws();
      if (text[i] === ']') { i++; return a; }
      for (;;) {
        a.push(value(depth + 1));
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === ']') { i++; return a; }
        fail('expected `,` or `]`');
      }
    }
    if (c === '"') return string();
    if (text.startsWith('true', i)) { i += 4; return true; }
    if (text.startsWith('false', i)) { i += 5; return false; }
    if (text.startsWith('null', i)) { i += 4; return null; }
    NUMBER.lastIndex = i;
    const t = NUMBER.exec(text);
    if (!t) fail('expected value');
    i += t[0].length;
    if (t[1] === undefined && t[2] === undefined) {
      const b = BigInt(t[0]);
      if (t[0] === '-0') return new Flt(-0);
      // Every integer stays exact, beyond i64/u64 too (Rust: runtime/number.rs).
      return intVal(b);
    }
    const x = Number(t[0]);
    if (!Number.isFinite(x)) fail('number out of range');
    return Number.isInteger(x) && Math.abs(x) <= TWO53 ? new Flt(x) : x;
  };
  const string = () => {
    STRING.lastIndex = i;
    const t = STRING.exec(text);
    if (!t) fail('invalid string');
    const raw = t[0];
    i += raw.length;
    if (raw.indexOf('\\') < 0) return raw.slice(1, -1);
    const s = JSON.parse(raw);
    if (/\\u[dD][89a-fA-F]/.test(raw) && !s.isWellFormed()) fail('lone surrogate in hex escape');
    return s;
  };
  const v = value(0);
  ws();
  if (i < n) fail('trailing characters');
  return v;
}
// serde_json (as flexmap reads records) refuses 128 levels of nesting: a line with 128
// brackets or more goes through `parseExact`, which counts them (brackets inside strings only
// make the check more careful).
function mayBeTooDeep(text) {
  if (text.length < 256) return false;
  let n = 0;
  for (let i = text.indexOf('{'); i !== -1; i = text.indexOf('{', i + 1)) n++;
  for (let i = text.indexOf('['); i !== -1; i = text.indexOf('[', i + 1)) n++;
  return n >= 128;
}
// Any JSON text as serde_json reads it.
function parseRecord(text) {
  if (CAREFUL.test(text) || mayBeTooDeep(text)) return parseExact(text);
  let v;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new JsonError(e.message);
  }
  return v;
}
const CAREFUL_ALL = new RegExp(CAREFUL.source, 'g');
const isJsonWs = (c) => c === 32 || c === 9 || c === 10 || c === 13;
// A number of `v` inside an object or array (such a value read whole keeps its numbers as
// written, whatever their keys).
function holdsNumber(v) {
  if (v === null || typeof v !== 'object') return false;
  if (isArr(v)) {
    for (const x of v) if (typeof x === 'number' || holdsNumber(x)) return true;
    return false;
  }
  for (const k in v) {
    const x = v[k];
    if (typeof x === 'number' || holdsNumber(x)) return true;
  }
  return false;
}
// Whether a token `CAREFUL` found in `text` can reach what the rules read of `v` (the line as
// `JSON.parse` read it): a number under a key the rules read (READ_KEYS: the last key of every
// path they read), an array element when some path reads by index, a number inside a value
// read whole, or an escaped surrogate. Anything this cannot tell is taken as reachable.
function reachesReads(text, v) {
  if (readsHoldNumbers(v)) return true;
  CAREFUL_ALL.lastIndex = 0;
  for (let m = CAREFUL_ALL.exec(text); m !== null; m = CAREFUL_ALL.exec(text)) {
    const c = text.charCodeAt(m.index);
    if (c === 92) return true;
    if (c !== 58) {
      if (READ_INDEX) return true;
      continue;
    }
    // The key before `:`; a `:` after anything else is inside a string.
    let end = m.index - 1;
    while (end >= 0 && isJsonWs(text.charCodeAt(end))) end--;
    if (end < 0 || text.charCodeAt(end) !== 34) continue;
    const start = text.lastIndexOf('"', end - 1);
    if (start < 0 || (start > 0 && text.charCodeAt(start - 1) === 92)) return true;
    const key = text.slice(start + 1, end);
    if (key.indexOf('\\') !== -1 || READ_KEYS.has(key)) return true;
  }
  return false;
}
// Whether the number `x` that `JSON.parse` read under the key `quoted` (`"name"`, as JSON)
// is exact: a number that is not integral is the double serde_json reads too; an integral one
// is exact when every `"name":` token of the line is a plain integer of at most 15 digits
// (not `5.0`, `1e3`, `-0` or a 16-digit one). A line with a `\u` escape is not checked here
// (a key could be spelt with one).
function exactUnder(text, quoted, x) {
  if (!Number.isInteger(x)) return Number.isFinite(x);
  const n = text.length;
  for (let i = text.indexOf(quoted); i !== -1; i = text.indexOf(quoted, i + 1)) {
    let j = i + quoted.length;
    while (j < n && isJsonWs(text.charCodeAt(j))) j++;
    if (text.charCodeAt(j) !== 58) continue;
    j++;
    while (j < n && isJsonWs(text.charCodeAt(j))) j++;
    const minus = text.charCodeAt(j) === 45;
    if (minus) j++;
    const first = j;
    while (j < n && text.charCodeAt(j) >= 48 && text.charCodeAt(j) <= 57) j++;
    const digits = j - first;
    if (digits === 0) continue;
    const c = text.charCodeAt(j);
    if (digits >= 16 || c === 46 || c === 101 || c === 69 || (minus && digits === 1 && text.charCodeAt(first) === 48)) return false;
  }
  return true;
}
// One NDJSON line as `flexmap apply` reads it. `JSON.parse` cannot keep `5.0` apart from `5`
// or an integer beyond 2^53 exact, so a line holding such a token is read by `parseExact` when
// the token can reach what the rules read (or `merge` copies the attributes whole). When every
// path the rules read ends in a key (READS_BY_KEY), the values read are checked against their
// tokens (`readsExact`, generated); otherwise the line is searched for such tokens (`CAREFUL`).
function parseLine(text, merge) {
  if (!merge && READS_BY_KEY && text.indexOf('\\u') === -1) {
    let v;
    try {
      v = JSON.parse(text);
    } catch (e) {
      if (CAREFUL.test(text)) return parseExact(text);
      throw new JsonError(e.message);
    }
    return mayBeTooDeep(text) || !readsExact(v, text) ? parseExact(text) : v;
  }
  const careful = CAREFUL.test(text);
  if (careful && (merge || READ_KEYS === null)) return parseExact(text);
  let v;
  try {
    v = JSON.parse(text);
  } catch (e) {
    if (careful) return parseExact(text);
    throw new JsonError(e.message);
  }
  if (mayBeTooDeep(text) || (careful && reachesReads(text, v))) return parseExact(text);
  return v;
}
