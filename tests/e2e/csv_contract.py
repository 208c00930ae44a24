#!/usr/bin/env python3
"""csv_contract.py - kindly's output contract under random hostile input (standard library only).

usage: csv_contract.py [--no-big] KINDLY MODEL [ITERATIONS] [SEED]

Generates CSV files in the three schemas (kindly's, YouTube's, WordPress's), in any column
order, with unknown columns and columns named like kindly's output, fields holding newlines,
CR, quotes, commas, tabs, invalid UTF-8, NUL bytes, encoded surrogates, overlong encodings,
BOMs, emoji, RTL marks, long fields, empty fields, duplicate ids, and bad rows whose lines are
known (a field too many or too few, a stray quote, a quote never closed). For each file,
`kindly score` (JSON Lines and --format csv, from the file and from standard input, some
runs with --spreadsheet or --remember) must:
 - write one record per good row, in order, with its id; name every bad row on stderr as
   FILE:LINE, one line per message, and exit 4 then (else 0);
 - write JSON that Python's strict parser reads (no NaN, no raw control characters, valid
   UTF-8, no lone surrogates), and CSV that reads back to the input's fields as read (byte
   for byte where they were valid UTF-8; each invalid byte or NUL becomes U+FFFD) followed by
   kindly's ten columns, an input column named like one of them dropped; the two formats
   agree on each row's verdict, score and duplicate.
The same file, damaged at random, must still give exit 0 or 4, strict JSON and rectangular CSV,
never a crash or a hang. `kindly check` gets random comments and flags: one JSON line whose
verdict is the exit status (0 approve, 1 spam, 2 hold), 3 for a usage error, 4 for a comment
over 16 MiB, 5 for a missing model. A failing case is written to ./failures/ (input, command, outputs); the exit
status is 1 when any failed. --no-big leaves out the two 16 MiB inputs.
"""
import csv
import io
import json
import os
import random
import re
import subprocess
import sys
import tempfile

ARGS = [a for a in sys.argv[1:] if a != "--no-big"]
BIG = len(ARGS) == len(sys.argv) - 1
KINDLY = ARGS[0]
MODEL = ARGS[1]
ITER = int(ARGS[2]) if len(ARGS) > 2 else 100
SEED = int(ARGS[3]) if len(ARGS) > 3 else random.randrange(1 << 30)
TIMEOUT = 120
csv.field_size_limit(sys.maxsize)
OUT_COLS = ["verdict", "spam_score", "bayes_score", "rules", "duplicate_of", "similarity",
            "duplicate_scope", "relevance", "generic", "reasons"]
SCHEMAS = {
    "kindly": dict(cols=["id", "post_id", "author", "label", "text"], id="id", text="text",
                   label=("label", ["spam", "ham", "1", "0", "true", "false", "", " spam "])),
    "youtube": dict(cols=["COMMENT_ID", "AUTHOR", "DATE", "CONTENT", "CLASS"], id="COMMENT_ID", text="CONTENT",
                    label=("CLASS", ["1", "0", ""])),
    "wp": dict(cols=["comment_ID", "comment_post_ID", "comment_author", "comment_author_email",
                     "comment_author_url", "comment_author_IP", "comment_date_gmt", "comment_content",
                     "comment_approved", "comment_agent", "comment_parent"],
               id="comment_ID", text="comment_content",
               label=("comment_approved", ["spam", "1", "0", "trash", "post-trashed"])),
}
EXTRA = ["extra", "notes", "x y", "Score", "tokens", "similarity2", "", "weird,name", 'q"uote', "multi\nline", "cr\rname", "t\tab", "\u00e9t\u00e9 \U0001F600", "\u202eRTL", "=cmd", "id2"]

PIECES = [b"a", b"hello world", b"buy cheap pills", b"http://spam.example.com/x", b",", b'"', b'""',
          b"\n", b"\r", b"\r\n", b"\t", b" ", "\u00e9".encode(), "\U0001F600".encode(),
          "\u05e9\u05dc\u05d5\u05dd \u05e2\u05d5\u05dc\u05dd".encode(), "\u202e\u2066".encode(),
          b"\xff", b"\x00", b"\xed\xa0\x80", b"\xed\xbf\xbf", b"\xc0\x80", b"\xc1\xbf", b"\xe0\x80\x80",
          b"\xf0\x80\x80\x80", b"\xef\xbb\xbf", b"\x80", b"\xf4\x90\x80\x80", b"\xe2\x82", b"=HYPERLINK(1)",
          b"\x01", b"\x1b[31m", "\u2028\u2029".encode(), b"\x7f", b"\\", b"\\u0000", b"</script>",
          b"NaN", b"Infinity", b"-", b"\xc2\x85", "\ufffe\uffff".encode(), b"\xf4\x8f\xbf\xbf", b";"]


def utf8_seq(s, i):
    """kindly's validator (csv.c utf8_seq): length of the valid sequence at s[i], or 0."""
    n = len(s) - i
    c = s[i]
    if c < 0xC2 or c > 0xF4:
        return 0
    if c < 0xE0:
        return 2 if n >= 2 and s[i + 1] & 0xC0 == 0x80 else 0
    if c < 0xF0:
        if n < 3 or s[i + 1] & 0xC0 != 0x80 or s[i + 2] & 0xC0 != 0x80:
            return 0
        if (c == 0xE0 and s[i + 1] < 0xA0) or (c == 0xED and s[i + 1] >= 0xA0):
            return 0
        return 3
    if n < 4 or any(s[i + k] & 0xC0 != 0x80 for k in (1, 2, 3)):
        return 0
    if (c == 0xF0 and s[i + 1] < 0x90) or (c == 0xF4 and s[i + 1] >= 0x90):
        return 0
    return 4


def repair(b):
    """Each invalid byte and each NUL becomes U+FFFD (the README's contract)."""
    out = bytearray()
    i = 0
    while i < len(b):
        c = b[i]
        if 0 < c < 0x80:
            out.append(c)
            i += 1
            continue
        k = utf8_seq(b, i) if c else 0
        if k:
            out += b[i:i + k]
            i += k
        else:
            out += "\ufffd".encode()
            i += 1
    return bytes(out)


def rand_field(rng, big=False):
    r = rng.random()
    if r < 0.15:
        return b""
    if r < 0.45:
        return rng.choice([b"hi", b"nice post", b"great article thanks", b"check my site",
                           b"spam spam", b"ok"])
    n = rng.randint(1, 12)
    f = b"".join(rng.choice(PIECES) for _ in range(n))
    if big and rng.random() < 0.5:
        f += b"x" * rng.randint(1, 300000) + rng.choice(PIECES)
    return f


def needs_quote(f):
    return any(c in f for c in (b",", b'"', b"\r", b"\n")) or f[:1] in (b" ", b"\t") or f[-1:] in (b" ", b"\t")


def quote(f):
    return b'"' + f.replace(b'"', b'""') + b'"'


def enc(rng, f):
    """(bytes written, value kindly should read)."""
    if needs_quote(f):
        # an unquoted field with blanks around it (and nothing else special) reads trimmed
        if not any(c in f for c in (b",", b'"', b"\r", b"\n")) and rng.random() < 0.3:
            return f, f.strip(b" \t")
        return quote(f), f
    if rng.random() < 0.3:
        return quote(f), f
    return f, f


class Case:
    pass


def gen_case(rng, idx):
    c = Case()
    schema = rng.choice(list(SCHEMAS))
    sc = SCHEMAS[schema]
    cols = list(sc["cols"])
    if rng.random() < 0.2:
        cols.remove(sc["id"])
    if rng.random() < 0.05:
        cols.remove(sc["text"])
    for _ in range(rng.randint(0, 3)):
        cols.append(rng.choice(EXTRA))
    for _ in range(rng.randint(0, 3)):
        n = rng.choice(OUT_COLS)
        n = rng.choice([n, n.upper(), n.capitalize(), " " + n + " "])
        cols.append(n)
    rng.shuffle(cols)
    ncol = len(cols)
    c.schema, c.cols = schema, cols
    c.has_text = sc["text"] in cols
    idcol = cols.index(sc["id"]) if sc["id"] in cols else -1
    labcol = cols.index(sc["label"][0]) if sc["label"][0] in cols else -1
    nl = rng.choice([b"\r\n", b"\n", b"\r\n", b"\n", b"\r"])  # \r: a CR-only file, counted at CR
    eol = nl[-1:]
    data = bytearray()
    if rng.random() < 0.2:
        data += b"\xef\xbb\xbf" * rng.choice([1, 1, 1, 2, 3])
    hdr = []
    for h in cols:
        hb = h.encode()
        hdr.append(quote(hb) if needs_quote(hb) or rng.random() < 0.2 else hb)
    data += b",".join(hdr) + nl
    line = 1 + data.count(eol)
    c.rows = []  # (line, kind, id, fields read) kind: good / bad
    opens = []
    nrows = rng.randint(0, 40)
    ids_pool = [b"c%d" % i for i in range(nrows + 1)]
    for r in range(nrows):
        if rng.random() < 0.05:
            data += nl  # a blank line
            line += 1
        fields = [rand_field(rng, big=rng.random() < 0.03) for _ in range(ncol)]
        if idcol >= 0:
            fields[idcol] = rng.choice(ids_pool) if rng.random() < 0.85 else rand_field(rng)
        if labcol >= 0 and rng.random() < 0.9:
            fields[labcol] = rng.choice(sc["label"][1]).encode()
        encs = [enc(rng, f) for f in fields]
        raw = [e[0] for e in encs]
        single = not any(b"\n" in x or b"\r" in x for x in raw)
        kind = "good"
        why = None
        br = rng.random()
        if single and br < 0.06:
            kind, why = "bad", "fields"
            if rng.random() < 0.5 or ncol == 1:
                raw.append(b"extra")
            else:
                del raw[rng.randrange(ncol)]
        elif single and br < 0.09:
            kind, why = "bad", "quote"
            k = rng.randrange(ncol)
            raw[k] = rng.choice([b'ab"cd', b'"ab"cd"'])
        elif single and br < 0.11:
            kind, why = "bad", "open"
            raw[-1] = b'"never closed ' + raw[-1].replace(b'"', b"")
        rowb = b",".join(raw)
        start = line
        line += rowb.count(eol)
        last = r == nrows - 1
        term = nl if not last or rng.random() < 0.7 else b""
        data += rowb + term
        if why == "open":
            opens.append(len(data))
        line += term.count(eol)
        if kind == "good":
            read = [repair(e[1]) for e in encs]
            rid = read[idcol] if idcol >= 0 else str(start).encode()
            c.rows.append((start, "good", rid, read, fields))
        else:
            c.rows.append((start, "bad", why, None, fields))
    c.data = bytes(data)
    # A quote opened by mistake swallows the lines after it up to a quote it cannot accept.
    # When the quote that closes it is followed by a comma or a line end, the swallowed
    # lines may form a record of the right size: legitimate CSV, so no exact oracle.
    c.fuzzy = False
    for o in opens:
        i = o
        while True:
            i = c.data.find(b'"', i)
            if i < 0:
                break
            if i + 1 >= len(c.data):
                c.fuzzy = True
                break
            if c.data[i + 1:i + 2] == b'"':
                i += 2
                continue
            j = i + 1  # libcsv accepts blanks after a closing quote
            while j < len(c.data) and c.data[j:j + 1] in (b" ", b"\t"):
                j += 1
            c.fuzzy = c.fuzzy or j >= len(c.data) or c.data[j:j + 1] in (b",", b"\r", b"\n")
            break
    c.ncol = ncol
    c.has_id = idcol >= 0
    return c


def out_header(cols):
    """The --format csv header: the input's names (trimmed, as read) without kindly's own."""
    keep = []
    mask = []
    for h in cols:
        n = h.strip(" \t")
        drop = n.lower() in OUT_COLS
        mask.append(not drop)
        if not drop:
            keep.append(n)
    return keep + OUT_COLS, mask


def strict_json(line):
    def bad_const(x):
        raise ValueError("non-standard constant " + x)
    obj = json.loads(line, parse_constant=bad_const)

    def walk(v):
        if isinstance(v, str):
            v.encode("utf-8")  # raises on a lone surrogate from a \\uD800 escape
        elif isinstance(v, dict):
            for k, x in v.items():
                walk(k)
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)
    walk(obj)
    return obj


def run(args, stdin=None, env=None):
    try:
        p = subprocess.run(args, input=stdin, capture_output=True, timeout=TIMEOUT, env=env)
    except subprocess.TimeoutExpired:
        return None
    return p


FAIL = []


CUR = None


def failure(what, case_bytes, cmd, p, name):
    os.makedirs("failures", exist_ok=True)
    n = len(FAIL)
    base = "failures/%03d" % n
    with open(base + ".csv", "wb") as f:
        f.write(case_bytes)
    with open(base + ".txt", "w") as f:
        f.write(what + "\n" + " ".join(cmd) + "\n")
        if CUR is not None and hasattr(CUR, "rows"):
            f.write("expected: %s\n" % [(r[0], r[1], r[2]) for r in CUR.rows])
        if p is not None:
            f.write("rc=%d\n--- stderr\n" % p.returncode)
            f.write(p.stderr.decode("utf-8", "replace"))
            with open(base + ".out", "wb") as o:
                o.write(p.stdout)
    FAIL.append("%s: %s (%s)" % (base, what, name))
    print("FAIL", base, what, file=sys.stderr)


SAN = re.compile(rb"AddressSanitizer|runtime error|LeakSanitizer|UndefinedBehavior")


def check_common(c, p, cmd, path):
    """Exit status and stderr: every bad row named once as FILE:LINE, nothing else skipped, and
    counted in the last line, "kindly score: N bad rows skipped"."""
    if p is None:
        return "timeout (hang)"
    if p.returncode < 0 or SAN.search(p.stderr):
        return "crash or sanitizer report: rc %d" % p.returncode
    err = p.stderr.decode("utf-8", "strict") if True else ""
    if not c.has_text:
        if p.returncode != 4 or p.stdout:
            return "no text column: rc %d, %d bytes out" % (p.returncode, len(p.stdout))
        return None
    bad = [r for r in c.rows if r[1] == "bad"]
    want_rc = 4 if bad else 0
    if p.returncode != want_rc:
        return "exit %d, expected %d" % (p.returncode, want_rc)
    skipped = [l for l in err.split("\n")[:-1] if l.endswith("(row skipped)")]
    lines = []
    for l in skipped:
        m = re.match(re.escape(path) + r":(\d+): ", l)
        if not m:
            return "skip message without FILE:LINE: " + l
        lines.append(int(m.group(1)))
    want = [r[0] for r in bad]
    if lines != want:
        return "skip messages at lines %s, expected %s" % (lines, want)
    summary = "kindly score: %d bad row%s skipped" % (len(skipped), "" if len(skipped) == 1 else "s")
    if skipped and err.split("\n")[-2:] != [summary, ""]:
        return "stderr does not end in the summary: " + summary
    for l in err.split("\n")[:-1]:
        if l.startswith(path + ":") or l.startswith("kindly score: the input's column"):
            continue
        if skipped and l == summary:
            continue
        return "unexpected stderr line: " + l
    return None


def check_json(c, p):
    try:
        text = p.stdout.decode("utf-8", "strict")
    except UnicodeDecodeError as e:
        return "stdout is not UTF-8: %s" % e
    if text and not text.endswith("\n"):
        return "output does not end in a newline"
    recs = []
    for i, l in enumerate(text.split("\n")[:-1] if text else []):
        for ch in l:
            if ord(ch) < 0x20:
                return "raw control character in JSON line %d" % (i + 1)
        try:
            recs.append(strict_json(l))
        except Exception as e:
            return "JSON line %d does not parse: %s: %r" % (i + 1, e, l[:200])
    good = [r for r in c.rows if r[1] == "good"]
    if len(recs) != len(good):
        return "%d records for %d good rows" % (len(recs), len(good))
    for rec, g in zip(recs, good):
        want = g[2].decode("utf-8")
        got = rec.get("id")
        if want == "" and c.has_id:
            if got is not None and got != "":
                return "line %d: id %r for an empty id" % (g[0], got)
        elif got != want:
            return "line %d: id %r, expected %r" % (g[0], got, want)
        if rec.get("verdict") not in ("approve", "hold", "spam"):
            return "bad verdict %r" % rec.get("verdict")
        for k in ("spam_score", "bayes_score"):
            v = rec.get(k)
            if not isinstance(v, (int, float)) or not 0 <= v <= 1:
                return "bad %s %r" % (k, v)
    c.json_recs = recs
    return None


def sheet(v):
    return "'" + v if v[:1] in ("=", "+", "-", "@", "\t", "\r") else v


def same_dup(jd, kd, remember):
    """Whether two runs name the same earlier comment: with --remember, an earlier comment
    without an id is found in the history (history:N, its row there) where a run that records
    nothing finds it among this run's comments (input:N); the model copy's history starts
    empty, so N is the same."""
    if jd == kd:
        return True
    a, b = re.fullmatch(r"input:(\d+)", jd), re.fullmatch(r"history:(\d+)", kd)
    return bool(remember and a and b and a.group(1) == b.group(1))


def check_csv(c, p, spreadsheet=False, remember=False):
    try:
        text = p.stdout.decode("utf-8", "strict")
    except UnicodeDecodeError as e:
        return "stdout is not UTF-8: %s" % e
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as e:
        return "CSV output does not parse: %s" % e
    hdr, mask = out_header(c.cols)
    if spreadsheet:
        hdr = [sheet(h) for h in hdr]
    if not rows:
        return "no header"
    if rows[0] != hdr:
        return "header %r, expected %r" % (rows[0], hdr)
    if len(set(h.lower() for h in rows[0][-len(OUT_COLS):])) != len(OUT_COLS):
        return "kindly's columns repeat"
    good = [r for r in c.rows if r[1] == "good"]
    if len(rows) - 1 != len(good):
        return "%d CSV rows for %d good rows" % (len(rows) - 1, len(good))
    for i, (row, g) in enumerate(zip(rows[1:], good)):
        want = [f.decode("utf-8") for f, k in zip(g[3], mask) if k]
        if spreadsheet:
            want = [sheet(w) for w in want]
        if len(row) != len(want) + len(OUT_COLS):
            return "line %d: %d fields out, expected %d" % (g[0], len(row), len(want) + len(OUT_COLS))
        if row[:len(want)] != want:
            for j, (a, b) in enumerate(zip(row, want)):
                if a != b:
                    return "line %d field %d: %r, expected %r" % (g[0], j, a[:80], b[:80])
        k = dict(zip(OUT_COLS, row[len(want):]))
        if k["verdict"] not in ("approve", "hold", "spam"):
            return "line %d: verdict %r" % (g[0], k["verdict"])
        if not re.fullmatch(r"[01]\.\d{6}", k["spam_score"]):
            return "line %d: spam_score %r" % (g[0], k["spam_score"])
        js = getattr(c, "json_recs", None)
        if js:  # differential: the same comment, the same verdict in both formats
            j = js[i]
            if j["verdict"] != k["verdict"] or "%.6f" % j["spam_score"] != k["spam_score"]:
                return "line %d: csv %s %s, json %s %s" % (g[0], k["verdict"], k["spam_score"],
                                                           j["verdict"], j["spam_score"])
            jd = j["duplicate_of"] or ""
            if not same_dup(sheet(jd) if spreadsheet else jd, k["duplicate_of"], remember):
                return "line %d: duplicate_of csv %r json %r" % (g[0], k["duplicate_of"], j["duplicate_of"])
    return None


def mutate(rng, data):
    """Random damage: bytes flipped, inserted, deleted; line ends changed."""
    b = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        if not b:
            break
        i = rng.randrange(len(b))
        op = rng.random()
        if op < 0.3:
            b[i] = rng.randrange(256)
        elif op < 0.6:
            b[i:i] = rng.choice([b'"', b",", b"\r", b"\n", b"\r\n", b"\x00", b"\xef\xbb\xbf", b" "])
        elif op < 0.8:
            del b[i:i + rng.randint(1, 4)]
        else:
            b = b.replace(b"\n", b"\r", rng.randint(1, 3))
    return bytes(b)


def chaos_case(rng, c, tmp, n, damage=True):
    """Damaged input: no exact oracle, only the invariants that hold for any input."""
    data = mutate(rng, c.data) if damage else c.data
    path = os.path.join(tmp, "chaos%d.csv" % n)
    with open(path, "wb") as f:
        f.write(data)
    outs = {}
    for fmt in ("json", "csv"):
        cmd = [KINDLY, "score", "-m", MODEL, "--format", fmt, path]
        p = run(cmd)
        what = None
        if p is None:
            what = "timeout (hang)"
        elif p.returncode < 0 or SAN.search(p.stderr):
            what = "crash or sanitizer report: rc %d" % p.returncode
        elif p.returncode not in (0, 4):
            what = "exit %d" % p.returncode
        else:
            err = p.stderr.decode("utf-8", "replace").split("\n")[:-1]
            nskip = sum(1 for l in err if l.endswith("(row skipped)"))
            fatal = [l for l in err if not l.startswith(path + ":") and not l.startswith("kindly score: the input's")]
            if p.returncode == 0 and (nskip or fatal):
                what = "exit 0 with %d skipped rows, %s" % (nskip, fatal[:1])
            elif p.returncode == 4 and not nskip and not fatal:
                what = "exit 4 without a message"
            try:
                text = p.stdout.decode("utf-8")
                if fmt == "json":
                    recs = []
                    for l in text.split("\n")[:-1]:
                        if any(ord(ch) < 0x20 for ch in l):
                            raise ValueError("raw control character")
                        recs.append(strict_json(l))
                    outs[fmt] = [r["id"] for r in recs]
                else:
                    rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
                    if rows and any(len(r) != len(rows[0]) for r in rows):
                        raise ValueError("ragged CSV output")
                    outs[fmt] = rows
            except Exception as e:
                what = what or "output: %s" % e
        if what:
            failure("chaos: " + what, data, cmd, p, "chaos " + fmt)
            return
    if "json" in outs and "csv" in outs and outs["csv"]:
        if len(outs["csv"]) - 1 != len(outs["json"]):
            failure("chaos: %d JSON records, %d CSV rows" % (len(outs["json"]), len(outs["csv"]) - 1),
                    data, ["score", path], None, "chaos")


def score_case(c, tmp, n):
    if getattr(c, "fuzzy", False):
        return chaos_case(random.Random(n), c, tmp, n, damage=False)
    path = os.path.join(tmp, "in%d.csv" % n)
    with open(path, "wb") as f:
        f.write(c.data)
    runs = [("json", "file"), ("json", "stdin"), ("csv", "file"), ("csv", "stdin")]
    if rng.random() < 0.15:
        runs.append((rng.choice(["json", "csv"]), "remember"))
    for fmt, src in runs:
        if True:
            cmd = [KINDLY, "score", "-m", MODEL, "--format", fmt]
            ss = fmt == "csv" and rng.random() < 0.3
            if ss:
                cmd.append("--spreadsheet")
            if src == "file":
                p = run(cmd + [path])
                shown = path
            elif src == "remember":  # the history stage: ids and texts recorded in the model
                m = os.path.join(tmp, "rem.db")
                with open(MODEL, "rb") as f, open(m, "wb") as o:
                    o.write(f.read())
                cmd = [KINDLY, "score", "-m", m, "--format", fmt, "--remember", path]
                ss = False
                p = run(cmd)
                shown = path
                if p is not None and c.has_text and c.has_id is False:
                    # the warning that line-number ids are not stable across files
                    p.stderr = b"".join(l + b"\n" for l in p.stderr.split(b"\n")[:-1]
                                        if not l.startswith(b"kindly score: warning"))
                if p is not None and c.has_text:
                    # the count of rows with an unreadable date (each named as FILE:LINE)
                    p.stderr = b"".join(l + b"\n" for l in p.stderr.split(b"\n")[:-1]
                                        if not re.match(rb"kindly score: \d+ comments? remembered as of now: ", l))
            else:
                if rng.random() < 0.7:
                    continue
                p = run(cmd + ["-"], stdin=c.data)
                shown = "<stdin>"
            what = check_common(c, p, cmd, shown)
            if not what and c.has_text:
                what = check_json(c, p) if fmt == "json" else check_csv(c, p, ss, src == "remember")
            if what:
                failure(what, c.data, cmd + [src], p, "score %s %s" % (fmt, src))


def check_case(rng, n):
    text = b"".join(rng.choice(PIECES) for _ in range(rng.randint(0, 20)))
    cmd = [KINDLY, "check", "-m", MODEL]
    for flag in ("--id", "--author", "--url", "--email", "--post", "--ip", "--date"):
        if rng.random() < 0.3:
            v = rand_field(rng).replace(b"\x00", b"")
            cmd += [flag, v]
    want = None
    r = rng.random()
    if r < 0.05:
        cmd += ["--bogus"]
        want = 3
    elif r < 0.08:
        cmd += ["--spam-cutoff", "2"]
        want = 3
    elif r < 0.10:
        cmd += ["extra-file"]
        want = 3
    elif r < 0.12:
        cmd[3] = os.path.join(os.path.dirname(os.path.abspath(MODEL)), "no-such-model.db")
        want = 5
    p = run(cmd, stdin=text)
    what = None
    if p is None:
        what = "timeout"
    elif p.returncode < 0 or SAN.search(p.stderr):
        what = "crash/sanitizer rc %d" % p.returncode
    elif want is not None:
        if p.returncode != want or p.stdout:
            what = "error: rc %d (expected %d), %d bytes out" % (p.returncode, want, len(p.stdout))
    else:
        try:
            out = p.stdout.decode("utf-8")
            lines = out.split("\n")
            if len(lines) != 2 or lines[1] != "":
                what = "check printed %d lines" % (len(lines) - 1)
            else:
                if any(ord(ch) < 0x20 for ch in lines[0]):
                    raise ValueError("raw control char")
                o = strict_json(lines[0])
                rc = {"approve": 0, "spam": 1, "hold": 2}.get(o.get("verdict"))
                if rc != p.returncode:
                    what = "verdict %s but exit %d" % (o.get("verdict"), p.returncode)
                idv = [cmd[i + 1] for i in range(len(cmd) - 1) if cmd[i] == "--id"]
                if idv and idv[-1] and o["id"] != repair(idv[-1]).decode():
                    what = "id %r for --id %r" % (o["id"], idv[-1])
        except Exception as e:
            what = "check output: %s" % e
    if what:
        failure(what, text, [x if isinstance(x, str) else repr(x) for x in cmd], p, "check")


rng = random.Random(SEED)
print("seed", SEED, file=sys.stderr)
with tempfile.TemporaryDirectory() as tmp:
    for i in range(ITER):
        c = gen_case(rng, i)
        CUR = c
        score_case(c, tmp, i)
        chaos_case(rng, c, tmp, i)
        check_case(rng, i)
        check_case(rng, i)
    if BIG:
        # the field limit: one field over 16 MiB, the rows around it kept
        c = Case()
        c.cols, c.has_text, c.has_id, c.ncol = ["id", "text"], True, True, 2
        c.data = b"id,text\r\nb1,before\r\nb2,\"" + b"y" * (16 * 1024 * 1024 + 10) + b"\"\r\nb3,after\r\n"
        c.rows = [(2, "good", b"b1", [b"b1", b"before"], None), (3, "bad", "long", None, None),
                  (4, "good", b"b3", [b"b3", b"after"], None)]
        CUR = c
        score_case(c, tmp, 9999)
        # check: a comment over 16 MiB is refused with 4
        p = run([KINDLY, "check", "-m", MODEL], stdin=b"z" * (16 * 1024 * 1024 + 1))
        if p is None or p.returncode != 4:
            FAIL.append("check: over-long comment rc %s" % (p and p.returncode))
print("%d cases, %d failures" % (ITER, len(FAIL)))
for f in FAIL:
    print(" ", f)
sys.exit(1 if FAIL else 0)
