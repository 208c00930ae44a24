# t_docs.sh - the README against the binary: the flags each command's help lists and takes, the flags
# the README's command lines pass, its links, and the output it shows. Sourced by run.sh.
README=$ROOT/README.md

# commands as `kindly help` lists them
docs_commands() { "$KINDLY" help | sed -n 's/^  \([a-z][a-z]*\)  .*/\1/p'; }

# Every flag a command's help lists is in the README (`kindly help` points there for the
# input, the output and the file formats; a flag missing there is one a reader never meets)
test_the_readme_names_every_flag_of_every_command() {
    missing=
    for c in $(docs_commands); do
        "$KINDLY" help "$c" >help.txt
        for f in $(grep -oE -- '(^|[][ ,|])--[a-z][a-z-]*[a-z]' help.txt | sed 's/^[][ ,|]*//' | sort -u); do
            grep -qE -- "(^|[^a-z-])$f([^a-z-]|\$)" "$README" || missing="$missing $c:$f"
        done
        for f in $(sed -n 's/^  \(-[a-z]\), --.*/\1/p' help.txt); do
            grep -qE -- "(^|[^a-z0-9-])$f([^a-z0-9-]|\$)" "$README" || missing="$missing $c:$f"
        done
    done
    [ -z "$missing" ] || fail "flags the help lists but the README never names:$missing"
}

# Every flag the README passes to a kindly command on a command line, or names after the
# command in prose (`learn --raw`, `info --prune/--pack`), long or short (-m, -q), is one
# that command's help lists (a renamed or removed flag leaves examples a reader cannot run)
test_the_readme_command_lines_pass_only_real_flags() {
    for c in $(docs_commands); do "$KINDLY" help "$c" >"help-$c.txt"; done
    python3 - "$README" "$(docs_commands | tr '\n' ' ' | sed 's/ $//')" <<'PY' >used.txt
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
# command lines: shell code blocks, and inline code that starts with "kindly CMD"
lines, fence = [], None
for line in text.splitlines():
    if line.startswith("```"):
        fence = None if fence is not None else line[3:]
    elif fence in ("sh", "ini", ""):
        lines.append(line)
lines += re.findall(r"`(kindly [a-z]+ [^`]*)`", text)
# and inline code that starts with a command and a flag, as prose names them (`learn --raw`)
lines += ["kindly " + c for c in re.findall(r"`((?:%s) -[^`]*)`" % sys.argv[2].replace(" ", "|"), text)]
for line in lines:
    for m in re.finditer(r"(?:^|[\s/])kindly\s+([a-z]+)((?:\s+[^\s#|;&<>]+)*)", line):
        for flag in re.findall(r"(?<![\w-])(--[a-z][a-z-]*|-[a-z](?![\w-]))", m.group(2)):
            print(m.group(1), flag)
PY
    [ -s used.txt ] || fail "no kindly command line found in the README"
    bad=
    while read -r c f; do
        [ -f "help-$c.txt" ] || { bad="$bad $c(no such command)"; continue; }
        grep -qE -- "(^|[^a-z-])$f([^a-z-]|\$)" "help-$c.txt" || bad="$bad $c:$f"
    done <used.txt
    [ -z "$bad" ] || fail "the README passes flags the commands do not take:$bad"
}

# Every command `kindly help` lists is in the README's list of commands (the first code
# block of "Using kindly") and in its contents line, and the README lists no other
test_the_readme_lists_every_command() {
    docs_commands | sort >commands.txt
    sed -n '/^## Using kindly/,/^## /p' "$README" | sed -n '/^```sh$/,/^```$/p' |
        sed -n '1,/^```$/{s/^kindly \([a-z][a-z]*\).*/\1/p}' | sort -u >block.txt
    diff commands.txt block.txt >block.diff || fail "the README's command block differs from kindly help (< help, > README): $(tr '\n' ' ' <block.diff)"
    sed -n '/^- \[Using kindly\]/,/^- /p' "$README" | sed '$d' | tr '\n' ' ' | sed 's/.*): //' | tr -d ' ' |
        tr ',' '\n' | sort >contents.txt
    grep -vxE 'help|version' commands.txt | diff - contents.txt >contents.diff ||
        fail "the README's contents line differs from kindly help (< help, > README): $(tr '\n' ' ' <contents.diff)"
}

# The README's table of the classification flags "shared by score, check and eval, and but
# for --remember by serve" is what their helps list: each flag of the table in each help,
# and each flag the three helps share (but -m) in the table
test_the_readme_flag_table_is_the_classification_flags() {
    awk '/^Classification flags shared by/ { on = 1; next } on && /^\|/ { print; t = 1; next } t { exit }' "$README" |
        grep '^| `' | cut -d'|' -f2 |
        grep -oE -- '--[a-z][a-z-]*' | sort -u >table.txt
    [ "$(wc -l <table.txt)" -ge 10 ] || fail "the README's table of classification flags was not found"
    bad=
    for c in score check eval serve; do
        "$KINDLY" help "$c" | grep -oE -- '(^|[][ ,|])--[a-z][a-z-]*[a-z]' | sed 's/^[][ ,|]*//' | sort -u >"flags-$c.txt"
        while read -r f; do
            [ "$c:$f" = serve:--remember ] && continue
            grep -qxF -- "$f" "flags-$c.txt" || bad="$bad $c:$f"
        done <table.txt
    done
    comm -12 flags-score.txt flags-check.txt | comm -12 - flags-eval.txt | grep -vx -- --model >shared.txt
    missing=$(comm -23 shared.txt table.txt | tr '\n' ' ')
    [ -z "$bad" ] || fail "flags of the README's table that the help does not list:$bad"
    [ -z "$missing" ] || fail "flags score, check and eval share that the README's table leaves out: $missing"
}

# The README's layout names every source file of the library, the CLI and the server (a
# file added without a word there is one a reader of the tree cannot place)
test_the_readme_layout_names_every_source_file() {
    sed -n '/^## Layout/,/^## /p' "$README" >layout.txt
    missing=
    for f in "$ROOT"/classifier/*.c "$ROOT"/classifier/cli/*.c "$ROOT"/classifier/server/*.c; do
        n=$(basename "$f" .c)
        case $n in cmd_*) n='cmd_\*' ;; esac
        grep -qE "(^|[^a-z_])$n([^a-z_]|\$)" layout.txt || missing="$missing ${f#"$ROOT"/}"
    done
    [ -z "$missing" ] || fail "source files the README's layout does not name:$missing"
}

# ... and every script of tools/ and every file of docs/ (it named neither docs/NOTICES.md nor
# the BENCHMARKS files, and of the benchmarks only those of relevance, duplicates, rules and
# naive-Bayes variants)
test_the_readme_layout_names_every_tool_and_doc() {
    sed -n '/^## Layout/,/^## /p' "$README" >layout.txt
    missing=
    for f in "$ROOT"/tools/* "$ROOT"/docs/*; do
        n=$(basename "$f"); n=${n%.sh}; n=${n%.py}
        case $n in BENCHMARKS*) n='BENCHMARKS\*\.md' ;; *) n=$(printf '%s' "$n" | sed 's/\./\\./g') ;; esac
        grep -qE "(^|[^a-zA-Z_-])$n([^a-zA-Z_-]|\$)" layout.txt || missing="$missing ${f#"$ROOT"/}"
    done
    [ -z "$missing" ] || fail "files the README's layout does not name:$missing"
}

# Links inside the README lead somewhere: #anchors to its headings (as GitHub writes them),
# relative paths to files of the checkout, and FILE.md#anchor to a heading of that file
test_the_readme_links_resolve() {
    python3 - "$README" <<'PY' || fail "broken links in the README"
import os, re, sys
def anchors(path):
    out = set()
    for line in open(path, encoding="utf-8"):
        m = re.match(r"#+\s+(.*)", line)
        if m:
            out.add(re.sub(r"[^\w\- ]", "", m.group(1).strip().lower()).replace(" ", "-"))
    return out
src = sys.argv[1]
root = os.path.dirname(src)
text = re.sub(r"```.*?```", "", open(src, encoding="utf-8").read(), flags=re.S)
bad = []
for link in re.findall(r"\]\(([^)\s]+)\)", text):
    if re.match(r"[a-z]+:", link):
        continue
    path, _, frag = link.partition("#")
    target = os.path.join(root, path) if path else src
    if not os.path.exists(target):
        bad.append(link)
    elif frag and target.endswith(".md") and frag not in anchors(target):
        bad.append(link)
for b in bad:
    print("    broken link:", b, file=sys.stderr)
sys.exit(1 if bad else 0)
PY
}

# The output the README shows (s-21 of the sample, scored by the shipped default model) is
# the output kindly gives: the scores and fields it prints, the reasons before the tokens
test_the_readme_output_example_is_real() {
    expect_status 0 "$KINDLY" score "$ROOT/corpora/sample.csv"
    grep '^{"id":"s-21",' "$T/out" >s21.json || fail "no s-21 in the sample's output"
    sed -n '/^```json$/,/^```$/p' "$README" | sed '1d;$d' >readme.json
    grep -q '"id":"s-21"' readme.json || fail "the README's output example is not s-21"
    python3 - readme.json s21.json <<'PY' || fail "the README's s-21 differs from kindly's"
import json, re, sys
shown = open(sys.argv[1], encoding="utf-8").read()
real = json.load(open(sys.argv[2], encoding="utf-8"))
bad = []
# scalar fields as shown: "key":value
for key, val in re.findall(r'"(id|verdict|spam_score|bayes_score|duplicate_of|similarity|duplicate_scope|relevance|generic)":("[^"]*"|[^,}\s]+)', shown):
    if json.loads(val) != real[key]:
        bad.append("%s: README %s, kindly %s" % (key, val, json.dumps(real[key])))
# the reasons and tokens shown are the first ones kindly gives, in order
for key in ("reasons", "tokens", "rules"):
    m = re.search(r'"%s":\[(.*?)(?:, \.\.\.)?\]' % key, shown, re.S)
    items = json.loads("[" + re.sub(r"\s+", " ", m.group(1)) + "]")
    if items != real[key][:len(items)]:
        bad.append("%s: README %s, kindly %s" % (key, items, real[key][:len(items)]))
for b in bad:
    print("    " + b, file=sys.stderr)
sys.exit(1 if bad else 0)
PY
}

# The relevance the README gives for the sample's off-topic comments (and the one on-topic
# comment held) is what the shipped default model gives, and each of them is held
test_the_readme_relevance_figures_are_real() {
    expect_status 0 "$KINDLY" score "$ROOT/corpora/sample.csv"
    python3 - "$README" "$T/out" <<'PY' || fail "the README's relevance figures differ from kindly's"
import json, re, sys
text = re.sub(r"\s+", " ", open(sys.argv[1], encoding="utf-8").read())
m = re.search(r"on `corpora/sample.csv` the three off-topic comments are held \((.*?)\bcomment is held too \((.*?)\)", text)
if not m:
    sys.exit("the README's paragraph on the sample's off-topic comments was not found")
real = {d["id"]: d for d in map(json.loads, open(sys.argv[2], encoding="utf-8"))}
# the first figure after each id is the default model's (later ones are other models')
shown = dict(re.findall(r"\b(s-\d+)\b[^0-9]*?(\d\.\d+)", m.group(1) + " " + m.group(2)))
bad = []
for cid, rel in sorted(shown.items()):
    d = real[cid]
    if "%.2f" % d["relevance"] != rel or d["verdict"] != "hold":
        bad.append("%s: README %s held, kindly %.4f %s" % (cid, rel, d["relevance"], d["verdict"]))
if len(shown) != 4:
    bad.append("expected 4 comments with figures, found %s" % sorted(shown))
for b in bad:
    print("    " + b, file=sys.stderr)
sys.exit(1 if bad else 0)
PY
}

# The shipped model's token count the README gives (beside the server figures measured on an
# earlier build of it) is the one `kindly info` prints for models/default.db: it said 31,028,
# the count before the model was rebuilt for the tokenizer's review, which has 31,026
test_the_readme_shipped_model_token_count_is_real() {
    shown=$(tr '\n' ' ' <"$README" | grep -oE 'it has [0-9,]+ since a later rebuild' | grep -oE '[0-9,]+' | tr -d ,)
    [ -n "$shown" ] || fail "the README's token count of the shipped model was not found"
    expect_status 0 "$KINDLY" info -m "$ROOT/models/default.db"
    real=$(grep -oE '"tokens":[0-9]+' "$T/out" | cut -d: -f2)
    [ "$shown" = "$real" ] || fail "the README says the shipped model has $shown tokens, kindly info says $real"
}

# The environment variables the README says kindly reads are in kindly(1) too (the man page
# is the help's text, plus ENVIRONMENT and FILES written in tools/gen-man.sh)
test_the_man_page_names_the_environment_the_readme_names() {
    "$ROOT/tools/gen-man.sh" "$KINDLY" >kindly.1 || fail "tools/gen-man.sh failed"
    sed -n '/^\.SH ENVIRONMENT/,/^\.SH /p' kindly.1 >env.txt
    for v in KINDLY_MODEL SOURCE_DATE_EPOCH TZ; do
        contains "$README" "$v"
        contains env.txt ".B $v"
    done
}

# kindly(1)'s ENVIRONMENT says all that each variable does, as the README does: SOURCE_DATE_EPOCH
# is also the time a merge records and, with a new model's file name, its identity, so that
# two shards of one name trained under one value are one model to merge (refused as copies:
# a packaging job that exports it met that with nothing in the man page but the posts' update
# time); TZ is also the date a rule on `date` sees, remembered or not
test_the_man_page_environment_says_what_each_variable_does() {
    "$ROOT/tools/gen-man.sh" "$KINDLY" >kindly.1 || fail "tools/gen-man.sh failed"
    sed -n '/^\.B SOURCE_DATE_EPOCH/,/^\.TP/p' kindly.1 | tr '\n' ' ' >sde.txt
    sed -n '/^\.B TZ/,/^\.S[HS]/p' kindly.1 | tr '\n' ' ' >tz.txt
    for w in "kindly posts" "kindly merge" identity "file name" "unset it, or name the files apart"; do
        contains sde.txt "$w"
    done
    contains tz.txt "rule on"
    printf 'id,text,label\n1,cheap pills order now,spam\n2,thank you for this post,ham\n' >c.csv
    mkdir a b
    SOURCE_DATE_EPOCH=1700000000 "$KINDLY" train -q -m a/shard.db c.csv
    SOURCE_DATE_EPOCH=1700000000 "$KINDLY" train -q -m b/shard.db c.csv
    expect_status 3 "$KINDLY" merge all.db a/shard.db b/shard.db
    contains "$T/err" "b/shard.db is the same model as a/shard.db"
}

# Every command's help lists exit status 6 (out of memory or another internal error), as the
# README's table has it for all of them: train, merge, info, posts, serve, rules and history
# left it out, so a script writer reading only the help met an undocumented status
test_every_command_help_names_exit_status_6() {
    missing=
    for c in $(docs_commands); do
        case $c in help|version) continue ;; esac
        "$KINDLY" help "$c" | sed -n '/^Exit status/,$p' | tr '\n' ' ' | grep -qE '[;,] 6 (out of memory|internal)' ||
            missing="$missing $c"
    done
    [ -z "$missing" ] || fail "help without exit status 6:$missing"
}

# Every line of every help, and of `kindly --help`, is at most 79 columns wide as a terminal
# shows it (characters, not bytes: "é" takes one column, "中" two, a combining mark none),
# so that it reads unwrapped in an 80-column terminal, which wraps a line that fills its last
# column in many setups, and in the man page built from it (tools/gen-man.sh); 27 lines of
# 11 helps were 80 wide
test_every_help_line_fits_79_columns() {
    "$KINDLY" --help >help--help.txt
    for c in $(docs_commands); do "$KINDLY" help "$c" >"help-$c.txt"; done
    python3 - help-*.txt <<'PY' || fail "help lines wider than 79 columns"
import sys, unicodedata
def width(line):
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1
               for c in line)
bad = 0
for path in sys.argv[1:]:
    for n, line in enumerate(open(path, encoding="utf-8").read().splitlines(), 1):
        if width(line) > 79:
            bad += 1
            print("    %s:%d: %d columns: %s" % (path, n, width(line), line), file=sys.stderr)
sys.exit(1 if bad else 0)
PY
}

# Every flag a command takes is one its help lists (in its usage lines or its list of
# options) and the README names, and every flag its help lists is one it takes: each flag
# any command's source or help names is given to each command (followed by two words that
# are no flag), and taken unless kindly calls it unknown or refuses it a value; info took
# --model, which its help (no list of options) never named
test_every_flag_a_command_takes_is_in_its_help_and_back() {
    python3 - "$KINDLY" "$ROOT" <<'PY' || fail "flags taken and flags documented differ"
import glob, os, re, subprocess, sys
kindly, root = sys.argv[1], sys.argv[2]
env = dict(os.environ)
env.pop("KINDLY_MODEL", None)
def run(*args):
    p = subprocess.run((kindly,) + args, stdin=subprocess.DEVNULL, capture_output=True, env=env, timeout=20)
    return p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")
FLAG = r"(?<![\w-])(--[a-z][a-z-]*[a-z]|-[a-z])(?![\w-])"
def listed(text):
    # the usage lines (up to the first blank line) and the option lines ("  -m, --model ...")
    usage, _, rest = text.partition("\n\n")
    out = set(re.findall(FLAG, usage))
    for line in rest.splitlines():
        if re.match(r" +-", line):
            out |= set(re.findall(FLAG, line))
    return out
cmds = [c for c in re.findall(r"^  ([a-z]+)  ", run("help")[0], re.M) if c not in ("help", "version")]
helps = {c: listed(run("help", c)[0]) for c in cmds}
flags = set().union(*helps.values())
for f in glob.glob(root + "/classifier/cli/*.c"):
    flags |= set(re.findall(r'"(--[a-z][a-z-]*[a-z]|-[a-z])"', open(f, encoding="utf-8").read()))
flags -= {"--help", "-h", "--version"}
readme = open(root + "/README.md", encoding="utf-8").read()
bad = []
for c in cmds:
    taken = set()
    for f in sorted(flags):
        err = run(c, f, "--zz-no-flag-1", "--zz-no-flag-2")[1]
        if not re.search(r"unknown (or incomplete )?option '%s'|option '%s' takes no value" % (re.escape(f), re.escape(f)), err):
            taken.add(f)
    # serve refuses --remember by name (its history is always kept): a usage error of its own
    if c == "serve":
        taken.discard("--remember")
    bad += ["help %s lists %s, which %s does not take" % (c, f, c) for f in sorted(helps[c] - taken)]
    bad += ["%s takes %s, which its help does not list" % (c, f) for f in sorted(taken - helps[c])]
    bad += ["%s takes %s, which the README never names" % (c, f) for f in sorted(taken)
            if not re.search(r"(?<![\w-])%s(?![\w-])" % re.escape(f), readme)]
for b in bad:
    print("    " + b, file=sys.stderr)
sys.exit(1 if bad else 0)
PY
}

# The JSON objects info and history print have the fields their help and the README name, in
# the order they name them (info named "messages", neither model nor schema_version, and
# history no model)
test_info_and_history_print_the_fields_they_document() {
    cp "$ROOT/models/default.db" m.db
    "$KINDLY" info -m m.db >info.json || fail "kindly info failed"
    "$KINDLY" info -m m.db --prune 2 >info-prune.json 2>/dev/null || fail "kindly info --prune failed"
    "$KINDLY" history -m m.db >history.json || fail "kindly history failed"
    "$KINDLY" history -m m.db --prune >history-prune.json || fail "kindly history --prune failed"
    "$KINDLY" help info >help-info.txt
    "$KINDLY" help history >help-history.txt
    python3 - "$ROOT/README.md" <<'PY' || fail "fields printed and fields documented differ"
import json, re, sys
readme = re.sub(r"\s+", " ", open(sys.argv[1], encoding="utf-8").read())
def keys(path):
    return list(json.loads(open(path, encoding="utf-8").read()))
def named(text, fields):
    # the fields in the order the text first names each: `name` in the README, in the help
    # a name then a parenthesis or punctuation ("model (its path)", not "model file")
    pat = r"`%s`" if "`" in text else r"(?<![\w-])%s(?= ?[(,;:.)]| and )"
    pos = {f: m.start() for f in fields for m in [re.search(pat % f, text)] if m}
    return sorted(pos, key=pos.get), [f for f in fields if f not in pos]
bad = []
m = re.search(r"`kindly info -m MODEL` prints (.*?)\. ", readme)
info_readme = m.group(1) if m else ""
m = re.search(r"`kindly history -m MODEL` prints counts (.*?)(?:; `--prune` deletes|`kindly history -m MODEL --id)", readme)
history_readme = m.group(1) if m else ""
def json_paragraph(path):
    # the help's paragraph that says what the JSON holds
    text = open(path, encoding="utf-8").read()
    start = text.index(" JSON")
    return re.sub(r"\s+", " ", text[start:text.find("\n\n", start)])
help_info = json_paragraph("help-info.txt")
help_history = json_paragraph("help-history.txt")
for what, printed, texts in (
        ("info", keys("info-prune.json"), {"help": help_info, "README": info_readme}),
        ("history", keys("history-prune.json"), {"help": help_history, "README": history_readme})):
    for where, text in texts.items():
        order, missing = named(text, printed)
        if missing:
            bad.append("%s prints %s, which its %s does not name" % (what, missing, where))
        elif what == "info" and order != printed:
            bad.append("info prints %s, its %s names them in the order %s" % (printed, where, order))
if keys("info.json") + ["pruned"] != keys("info-prune.json"):
    bad.append("info --prune's fields are not info's and pruned")
for b in bad:
    print("    " + b, file=sys.stderr)
sys.exit(1 if bad else 0)
PY
}

# The defaults the README's table of classification flags states are the ones kindly uses:
# the sample scored with each stated default given explicitly is scored as without (with
# --scorer fisher too, for its tuning flags), and each default is the one the helps state
test_the_stated_classification_defaults_are_the_ones_used() {
    "$KINDLY" help score >help-score.txt
    python3 - "$ROOT/README.md" help-score.txt "$ROOT" <<'PY' >args.txt || fail "the README's defaults were not read"
import re, sys
readme, helptext, root = open(sys.argv[1], encoding="utf-8").read(), open(sys.argv[2]).read(), sys.argv[3]
rows = re.findall(r"^\| `(--[^|]*)` \| ([^|]*) \|", readme.split("Classification flags shared by", 1)[1], re.M)
helpflat = re.sub(r"\s+", " ", helptext)
plain, fisher = [], []
for flags, default in rows:
    names = re.findall(r"--[a-z-]+", flags)
    values = [v.strip().strip("`") for v in default.split(",")]
    if names[0] in ("--remember",):
        continue
    if names[0] == "--rules":
        plain += ["--rules", root + "/" + values[0]]
        continue
    if len(names) != len(values):
        sys.exit("README row %s: %d flags, %d defaults" % (flags, len(names), len(values)))
    for n, v in zip(names, values):
        (fisher if names[0] == "--robinson-s" else plain).extend([n, v])
    # the help states the same default for them
    shown = re.escape(default.replace("`", "").strip())
    if not re.search(r"%s\b.{0,120}(\(defaults? %s|%s \(default\))" % (re.escape(names[0]), shown, shown), helpflat):
        sys.exit("help score does not state %s's default %s as the README does" % (names[0], default))
print(" ".join(plain))
print(" ".join(fisher))
PY
    read -r plain <args.txt; fisher=$(sed -n 2p args.txt)
    { [ -n "$plain" ] && [ -n "$fisher" ]; } || fail "no defaults read"
    "$KINDLY" score "$ROOT/corpora/sample.csv" >default.jsonl
    # shellcheck disable=SC2086
    "$KINDLY" score $plain "$ROOT/corpora/sample.csv" >explicit.jsonl
    cmp -s default.jsonl explicit.jsonl || fail "score with the stated defaults ($plain) differs from score"
    "$KINDLY" score --scorer fisher "$ROOT/corpora/sample.csv" >fisher.jsonl
    # shellcheck disable=SC2086
    "$KINDLY" score --scorer fisher $fisher "$ROOT/corpora/sample.csv" >fisher-explicit.jsonl
    cmp -s fisher.jsonl fisher-explicit.jsonl || fail "fisher with the stated defaults ($fisher) differs from fisher"
    # and the check is not blind: another value of a flag changes the output
    "$KINDLY" score --scorer fisher --robinson-s 0.9 "$ROOT/corpora/sample.csv" >other.jsonl
    ! cmp -s fisher.jsonl other.jsonl || fail "--robinson-s 0.9 scored as the default"
}

# The defaults serve's help states are those cmd_serve.c sets (--listen, --max-body,
# --max-connections, --max-per-ip, --timeout, --discard, --snapshot-interval, --threads' cap of
# the CPUs: the help said 'CPUs', the code takes 64 at most), and history's
# --keep-days 90 is the one history --prune uses: of comments 1, 89, 91 and 200 days old, two pruned
test_the_stated_serve_and_history_defaults_are_the_ones_used() {
    "$KINDLY" help serve >help-serve.txt
    python3 - help-serve.txt "$ROOT/classifier/cli/cmd_serve.c" <<'PY' || fail "serve's stated defaults differ from its code's"
import re, sys
helpflat = re.sub(r"\s+", " ", open(sys.argv[1]).read())
src = open(sys.argv[2]).read()
def stated(flag, pat):
    m = re.search(r"%s [A-Z:]+ .*?\(%s" % (re.escape(flag), pat), helpflat)
    return m.group(1) if m else None
code = {
    "--listen": re.search(r'\*listen = "([^"]+)"', src).group(1),
    "--max-body": {"(size_t)1 << 20": "1M"}.get(re.search(r"cfg\.max_body = ([^;]+);", src).group(1)),
    "--max-connections": re.search(r"cfg\.max_connections = (\d+);", src).group(1),
    "--max-per-ip": re.search(r"cfg\.max_per_ip = (\d+);", src).group(1),
    "--timeout": re.search(r"cfg\.timeout = (\d+);", src).group(1),
    "--discard": re.search(r"cfg\.discard = ([\d.]+);", src).group(1),
    "--snapshot-interval": re.search(r"cfg\.keep_interval = (\d+);", src).group(1),
    # the CPUs, capped (the help said "CPUs": 64 at most)
    "--threads": re.search(r"cfg\.threads = ncpu < 1 \? 1 : ncpu > (\d+) \?", src).group(1),
}
shown = {
    "--listen": stated("--listen", r"default ([^;)]+)"),
    "--max-body": stated("--max-body", r"default ([^;)]+)"),
    "--max-connections": stated("--max-connections", r"default (\d+)"),
    "--max-per-ip": stated("--max-per-ip", r"default (\d+)"),
    "--timeout": re.search(r"--timeout S .*?\(default (\d+)\)", helpflat).group(1),
    "--discard": stated("--discard", r"([\d.]+)\)"),
    "--snapshot-interval": stated("--snapshot-interval", r"default (\d+)"),
    "--threads": stated("--threads", r"[^)]*default: the CPUs, at most (\d+)"),
}
bad = ["%s: help says %s, cmd_serve.c sets %s" % (f, shown[f], code[f]) for f in code if shown[f] != code[f]]
for b in bad:
    print("    " + b, file=sys.stderr)
sys.exit(1 if bad else 0)
PY
    contains <("$KINDLY" help history | tr '\n' ' ' | tr -s ' ') "(default 90,"
    python3 -c '
import datetime as d
now = d.datetime.now(d.timezone.utc)
print("id,text,date")
for i, days in enumerate((1, 89, 91, 200)):
    print("c%d,comment number %d about bread,%s" % (i, i, (now - d.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")))
' >dated.csv
    "$KINDLY" train -q -m m.db "$ROOT/tests/e2e/data/train.csv"
    "$KINDLY" score -m m.db --remember dated.csv >/dev/null || fail "score --remember failed"
    cp m.db m2.db
    expect_status 0 "$KINDLY" history -m m.db --prune
    contains "$T/out" '"comments":2,'
    contains "$T/out" '"pruned":2}'
    expect_status 0 "$KINDLY" history -m m2.db --prune --keep-days 90
    contains "$T/out" '"pruned":2}'
}

# Every exit status a command gives, in runs on good and bad input (files of no text column,
# no label, only a header, UTF-16, a directory, missing, an empty or a non-model as the
# model), is one its help names, and the README's table has a row for it; and each of check's
# verdict statuses and the usage, input and model ones are met at least once
test_every_exit_status_a_command_gives_is_in_its_help() {
    statuses() { "$KINDLY" help "$1" | sed -n '/^Exit status/,$p' | tr '\n' ' ' | grep -oE '(^|[:;,] )[0-9] ' | grep -oE '[0-9]' | sort -u | tr '\n' ' '; }
    for c in $(docs_commands); do echo "$c $(statuses "$c")"; done >statuses.txt
    grep -oE '^\| [0-9] \|' "$README" | grep -oE '[0-9]' | sort -u | tr '\n' ' ' >table.txt
    printf 'id,text,label\n1,cheap pills order now,spam\n2,thank you for this post,ham\n' >good.csv
    printf 'id,body\n1,hello\n' >notext.csv
    printf 'id,text\n1,hello\n' >nolabel.csv
    printf 'id,text,label\n' >header.csv
    printf 'post_id,title,text\n1,Bread,baking bread at home\n' >posts.csv
    printf '\xff\xfeh\0i\0' >utf16.txt
    : >empty.db
    mkdir dir.db
    "$KINDLY" train -q -m m.db good.csv
    "$KINDLY" train -q -m m2.db good.csv
    bad=; seen=
    t() {
        local c=$1 rc=0; shift
        "$KINDLY" "$c" "$@" <"${IN:-/dev/null}" >/dev/null 2>err.txt || rc=$?
        seen="$seen $c:$rc"
        case " $(grep "^$c " statuses.txt) " in
            *" $rc "*) ;;
            *) bad="$bad
      kindly $c $* -> $rc, not in its help ($(grep "^$c " statuses.txt)): $(head -1 err.txt)" ;;
        esac
        grep -q " $rc " <(echo " $(cat table.txt)") || bad="$bad
      kindly $c $* -> $rc, not in the README's table"
    }
    for c in $(docs_commands); do t "$c" --zz-no-such-flag; done
    for m in missing/x.db empty.db dir.db good.csv utf16.txt; do
        for c in score check eval info history; do t "$c" -m "$m"; done
        t train -m "$m" good.csv; t learn -m "$m" good.csv; t posts -m "$m" posts.csv
        t merge "out-${m%%/*}.db" "$m"; t merge "$m" m.db
    done
    for f in good.csv notext.csv nolabel.csv header.csv utf16.txt posts.csv missing.csv dir.db; do
        cp m.db w.db
        t train -q -m w.db "$f"; t score -m w.db "$f"; t eval -m w.db "$f"; t learn -q -m w.db "$f"
        t posts -q -m w.db "$f"; t rules --stats "$f"; t rules --check "$f"
        [ -f "$f" ] || continue
        IN=$f t check -m w.db; IN=$f t learn -m w.db --raw --spam; IN=$f t rules --test
    done
    cp m.db w.db
    t info -m w.db; t info -m w.db --prune 2; t info -m w.db --pack; t history -m w.db; t history -m w.db --prune
    t merge out.db m.db m2.db; t merge out.db m.db; t serve -m missing/x.db
    IN=good.csv t check -m m.db --ham-cutoff 0 --spam-cutoff 1
    IN=good.csv t check -m m.db --ham-cutoff 0 --spam-cutoff 0
    t help score; t help nosuch; t version; t version x
    [ -z "$bad" ] || fail "exit statuses the docs do not name:$bad"
    for want in check:0 check:1 check:2 check:3 check:4 check:5 score:4 train:4 posts:4 rules:4 learn:4 eval:4 info:5 history:5 merge:5 serve:5; do
        case " $seen " in *" $want "*) ;; *) fail "no run gave $want (the check would be blind to it)" ;; esac
    done
}

# The fields of the README's output table are those score and check print, in that order, and
# so are the objects the server's /v1/classify answers; /v1/feedback's and /healthz's answers
# have the fields the README's table of endpoints shows, in its order
test_the_json_fields_the_readme_documents_are_the_ones_printed() {
    sed -n '/^| field | meaning |$/,/^$/p' "$README" | grep -oE '^\| `[a-z_]+` \|' | cut -d'`' -f2 | tr '\n' ' ' >table.txt
    [ "$(wc -w <table.txt)" -ge 10 ] || fail "the README's table of output fields was not found"
    fields() { python3 -c 'import json,sys
for line in sys.stdin:
    d = json.loads(line)
    for o in (d if isinstance(d, list) else [d]):
        print(" ".join(o), end=" \n")' | sort -u; }
    "$KINDLY" score "$ROOT/corpora/sample.csv" | fields >score.txt
    echo "great post, thank you" | "$KINDLY" check | fields >check.txt
    "$KINDLY" train -q -m m.db "$ROOT/tests/e2e/data/train.csv"
    "$KINDLY" serve -m m.db --listen 127.0.0.1:0 --threads 1 2>server.log &
    pid=$!
    trap 'kill $pid 2>/dev/null || true' EXIT
    wait_for grep -q 'listening on' server.log
    url=http://127.0.0.1:$(sed -n 's/.*listening on http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' server.log)
    curl -s -H 'Content-Type: application/json' --data-binary '[{"id":"a","text":"great post"},{"id":"b","text":"cheap pills"}]' \
        "$url/v1/classify" | fields >classify.txt
    curl -s -H 'Content-Type: application/json' --data-binary '{"id":"c","text":"thank you","label":"ham"}' \
        "$url/v1/feedback" | fields >feedback.txt
    curl -s "$url/healthz" | fields >healthz.txt
    for f in score check classify; do
        [ "$(cat $f.txt)" = "$(cat table.txt)" ] || fail "$f prints the fields '$(cat $f.txt)', the README's table has '$(cat table.txt)'"
    done
    grep -oE '`\{"learnt":N[^`]*\}`' "$README" | head -1 | grep -oE '"[a-z_]+"' | tr -d '"' | tr '\n' ' ' >feedback-readme.txt
    grep -oE '`\{"status":"ok"[^`]*\}`' "$README" | head -1 | grep -oE '"[a-z_]+":' | tr -d '":' | tr '\n' ' ' >healthz-readme.txt
    { [ -s feedback-readme.txt ] && [ -s healthz-readme.txt ]; } || fail "the README's /v1/feedback or /healthz answer was not found"
    [ "$(cat feedback.txt)" = "$(cat feedback-readme.txt)" ] || fail "/v1/feedback answers '$(cat feedback.txt)', the README shows '$(cat feedback-readme.txt)'"
    [ "$(cat healthz.txt)" = "$(cat healthz-readme.txt)" ] || fail "/healthz answers '$(cat healthz.txt)', the README shows '$(cat healthz-readme.txt)'"
}
