#!/usr/bin/env python3
"""Writes the seed corpora and dictionaries of the fuzz targets from the repository's own
examples, so no corpus is committed: fuzz/corpus/<target>/ and fuzz/corpus/<target>.dict.

    python3 fuzz/seed.py        # from anywhere; idempotent (existing files are kept)

Seeds: yaml_front_end gets every rule file under rules-examples/ and tests/cases/ (and the
rule tests); expression gets every rule value and `when:` of those files plus the filter
examples of docs/language.md; runtime gets `rules NUL record` for every example and apply
case with its inputs, and each input record on its own (for the fixed programs);
amplification gets the same `rules NUL record` pairs behind a scale byte, plus small rules
that grow text (`replace`, `++`, `split`, `join`, `hierarchy`, list literals).
"""

import hashlib
import json
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fuzz" / "corpus"

RULE_FILES = sorted(
    list((ROOT / "rules-examples").glob("**/*.yaml"))
    + list((ROOT / "tests" / "cases").glob("**/*.yaml"))
)


def write(target, data):
    folder = CORPUS / target
    folder.mkdir(parents=True, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()
    path = folder / name
    if not path.exists():
        path.write_bytes(data)


def unquote(text):
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] == "'":
        return text[1:-1].replace("''", "'")
    if len(text) >= 2 and text[0] == text[-1] == '"':
        try:
            return json.loads(text)
        except ValueError:
            return text[1:-1]
    return text


def expressions(text):
    for line in text.splitlines():
        match = re.match(r"^\s+(?:-\s+)?([A-Za-z_][A-Za-z0-9_.]*):\s+(.+?)\s*$", line)
        if not match or match.group(2).startswith(("{", "#", "|", ">")):
            continue
        value = re.sub(r"\s+#.*$", "", match.group(2))
        yield unquote(value)


def records(path):
    if not path.exists():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line:
            continue
        try:
            value = json.loads(line)
        except ValueError:
            continue
        if isinstance(value, dict) and "input" in value and "name" in value:
            value = value["input"]
        out.append(json.dumps(value, ensure_ascii=False))
    return out


def dict_escape(token):
    """A libFuzzer dictionary literal: printable ASCII as is, backslash and quote escaped,
    every other byte (UTF-8 included) as a hex escape."""
    out = []
    for byte in token.encode():
        if byte in (0x5C, 0x22):
            out.append("\\" + chr(byte))
        elif 0x20 <= byte < 0x7F:
            out.append(chr(byte))
        else:
            out.append("\\x%02X" % byte)
    return "".join(out)


def main():
    for path in RULE_FILES:
        text = path.read_text(encoding="utf-8")
        write("yaml_front_end", text.encode())
        for expression in expressions(text):
            write("expression", expression.encode())
        stem = path.name[: -len(".yaml")]
        inputs = records(path.with_name(stem + ".input.ndjson")) + records(
            path.with_name(stem + ".ndjson")
        )
        for record in inputs[:20]:
            write("runtime", text.encode() + b"\0" + record.encode())
            write("runtime", record.encode())
            write("amplification", b"\x01" + text.encode() + b"\0" + record.encode())
    growing = [
        'r.s | replace("a", "aaaa")',
        'r.s ++ r.s ++ r.s',
        'r.s | split(",") | join("--")',
        'r.d | hierarchy',
        "'[r.s, r.s, {k: r.s}]'",
        'r.s | upper | title | lower',
        "'r.l | slice(0, 3) | first'",
    ]
    for value in growing:
        rules = f"flexmap: 1\ntarget: task\nextra:\n  x: {value}\n"
        record = '{"r": {"s": "ab,c", "d": "12", "l": ["x", "yz"]}}'
        write("amplification", b"\x00" + rules.encode() + b"\0" + record.encode())
    docs = (ROOT / "docs" / "language.md").read_text(encoding="utf-8")
    for example in re.findall(r"`([^`]+)` →", docs):
        write("expression", example.replace("\\|", "|").encode())

    filters = sorted(set(re.findall(r"^\| `([a-z_0-9]+)[(`]", docs, re.M)))
    expression_tokens = filters + [
        "if", "then", "else", "and", "or", "not", "true", "false", "null",
        "??", "++", "==", "!=", "<=", ">=", "|", "(", ")", "[", "]", "{", "}",
        ",", ":", ".", "-", "\"", "'", "\\u{1F600}", "[-1]", "1e308", "▸",
    ]
    yaml_tokens = [
        "flexmap: 1", "target: task", "target: worker", "conversations:", "customers:",
        "worker:", "extra:", "custom:", "inputs:", "tables:", "value:", "const:", "when:",
        "allow:", "kind: attribute", "kind: label", "kind: measure", "description:",
        "type: string", "cardinality: high", "pii: true", "max_length:", "&a", "*a",
        "<<: *a", "---", "...", "!!str", "!!map", "? ", "- ", "|-", ">+", "{", "}", "[", "]",
        "# flexmap: allow(", "\t", "\r\n", "'", "\"",
    ]
    CORPUS.mkdir(parents=True, exist_ok=True)
    for target, tokens in [
        ("expression", expression_tokens),
        ("yaml_front_end", yaml_tokens + expression_tokens),
        ("runtime", yaml_tokens + expression_tokens),
        ("amplification", yaml_tokens + expression_tokens),
    ]:
        lines = ['"' + dict_escape(token) + '"' for token in tokens]
        (CORPUS / f"{target}.dict").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for target in ["yaml_front_end", "expression", "runtime", "amplification"]:
        count = len(list((CORPUS / target).iterdir()))
        print(f"fuzz/corpus/{target}: {count} seeds")


if __name__ == "__main__":
    main()
