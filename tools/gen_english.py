#!/usr/bin/env python3
"""gen_english.py - write classifier/english_words.inc, kindly's general-English word table.

The table is P(w) in general English, the mean of two independent estimates that Debian
ships under free licences (the package versions and licences go into the file's header):

  pocketsphinx-en-us  the unigram probabilities of CMU Sphinx's generic US-English language
                      model (/usr/share/pocketsphinx/model/en-us/en-us.lm.bin, 72,000 words;
                      BSD-2-clause, Carnegie Mellon University / Alpha Cephei). Read straight
                      from the binary trie file (the format of sphinxbase's ngram_model_trie.c);
                      no sphinx tool is needed.
  fortunes, fortunes-min
                      word counts of the English fortune-cookie files of fortune-mod
                      (/usr/share/games/fortunes: quotations, jokes, dialogue, about 420,000
                      words; BSD-3-clause), less the two ASCII-art files.

Each estimate alone has a bias (the speech model's training text is news-like, the fortunes
are quips); their mean measured best of the licence-clean candidates
(docs/BENCHMARKS-relevance.md).

Both sources spell American ("color", "realize"), so a British blog's "colour" or "realise"
would fall to the floor and look hundreds of times likelier on the site than in English.
So British spellings get the probability of their word (the sum of both spellings' estimates,
given to each), paired by SCOWL's word lists (Debian `scowl`, /usr/share/dict/scowl: the
British-only and American-only spellings, size classes up to 70): a British-only word is
paired with the American-only word that one of RULES turns it into ("our" -> "or", "is" ->
"iz", "tre" -> "ter", ...). No pairing is made by hand; --no-variants leaves it out. Words are lower-cased; only plain words the tokenizer can
produce ([a-z0-9'] runs) are kept, and only those with P(w) of at least --floor per million:
english.c gives every rarer word that floor, so they need no entry.

usage: apt-get install pocketsphinx-en-us fortunes fortunes-min scowl    # regeneration only
       tools/gen_english.py -o classifier/english_words.inc
       tools/gen_english.py --only sphinx|fortunes ...      # one source (the benchmark)
Without -o the table goes to standard output. A package missing is named before anything is
read, and -o replaces FILE only when the table is complete (`> FILE` would empty it first).
"""
import argparse, math, os, re, struct, subprocess, sys
from collections import Counter

LM = "/usr/share/pocketsphinx/model/en-us/en-us.lm.bin"
FORTUNES = "/usr/share/games/fortunes"
FORTUNE_PKGS = ("fortunes", "fortunes-min")
NOT_TEXT = {"art", "ascii-art"}
WORD = re.compile(r"[a-z0-9][a-z0-9']*")
SCALE = 10 ** 9  # the table holds P(w) in parts per billion
SCOWL = "/usr/share/dict/scowl"
SCOWL_SIZES = (10, 20, 35, 40, 50, 55, 60, 70)  # SCOWL's size classes up to "large"
# British -> American spelling rules (one substitution at one place): colour, favourite;
# realise, organisation, analyse; centre, metres; catalogue; defence, licence; travelled,
# cancelling; programme; paediatric, oestrogen, anaemia; practise
RULES = (("our", "or"), ("is", "iz"), ("ys", "yz"), ("tre", "ter"), ("ogue", "og"), ("ence", "ense"),
         ("ll", "l"), ("amme", "am"), ("ae", "e"), ("oe", "e"), ("ise", "ice"))


def sphinx_unigrams(path=LM):
    """{word: P(word)} from a sphinxbase binary trie LM ("Trie Language Model" magic, the
    order, the n-gram counts, the quantisation type and tables, the unigram array of
    (float prob, float backoff, uint32 next), the higher-order tries and, last, the
    vocabulary: a uint32 byte size and NUL-terminated words in unigram order). Probabilities
    are stored as log base 1.0001 (sphinxbase's logmath)."""
    d = open(path, "rb").read()
    magic = b"Trie Language Model"
    if not d.startswith(magic):
        sys.exit("gen_english.py: %s: not a sphinx trie language model" % path)
    off = len(magic)
    order = d[off]
    off += 1
    counts = struct.unpack_from("<%dI" % order, d, off)
    off += 4 * order
    qtype = struct.unpack_from("<I", d, off)[0]
    off += 4
    if qtype != 1:
        sys.exit("gen_english.py: %s: quantisation %d, expected 1 (16 bits)" % (path, qtype))
    # 16-bit tables of 65536 floats: probability and backoff for each middle order,
    # probability for the highest
    off += (2 * (order - 2) + 1) * 65536 * 4
    n = counts[0]
    logs = struct.unpack_from("<%df" % (3 * (n + 1)), d, off)[0::3][:n]
    pos = len(d) - 8  # the vocabulary's size field: the last one that spans to the end
    while pos > 0 and struct.unpack_from("<I", d, pos)[0] != len(d) - pos - 4:
        pos -= 1
    words = d[pos + 4:].split(b"\0")[:n]
    if pos <= 0 or len(words) != n:
        sys.exit("gen_english.py: %s: vocabulary not found" % path)
    k = math.log10(1.0001)
    p = {}
    for w, lg in zip(words, logs):
        w = w.decode("utf-8", "replace").lower()
        if not w.startswith("<"):  # <s>, </s>, <UNK>
            p[w] = p.get(w, 0.0) + 10 ** (lg * k)
    total = sum(p.values())
    if not 0.8 < total < 1.01 or max(p, key=p.get) != "the":
        sys.exit("gen_english.py: %s: unexpected probabilities (sum %.3f)" % (path, total))
    return p


def fortune_files():
    out = subprocess.run(["dpkg-query", "-L", *FORTUNE_PKGS], capture_output=True, text=True, check=True).stdout
    files = sorted(f for f in out.split() if os.path.dirname(f) == FORTUNES and "." not in os.path.basename(f)
                   and os.path.basename(f) not in NOT_TEXT and os.path.isfile(f))
    if not files:
        sys.exit("gen_english.py: no fortune files: apt-get install %s" % " ".join(FORTUNE_PKGS))
    return files


def fortune_counts():
    c = Counter()
    for f in fortune_files():
        t = open(f, encoding="utf-8", errors="replace").read()
        t = re.sub(r".\x08", "", t).lower().replace("\u2019", "'")  # overstriking (underline, bold)
        c.update(w.strip("'") for w in re.findall(r"[a-z0-9']+", t) if w.strip("'"))
    return c


def scowl_words(kind):
    """The words of SCOWL's british-words.N or american-words.N lists (the spellings of one
    variety only), up to size class 70."""
    out = set()
    for n in SCOWL_SIZES:
        f = os.path.join(SCOWL, "%s-words.%d" % (kind, n))
        if os.path.exists(f):
            out.update(w.strip().lower() for w in open(f, encoding="latin-1") if w.strip())
    if not out:
        sys.exit("gen_english.py: no SCOWL word lists in %s: apt-get install scowl (or --no-variants)" % SCOWL)
    return out


def variants():
    """{British spelling: American spelling} for the British-only words of SCOWL whose
    American form, by one of RULES, is an American-only word of SCOWL."""
    br, am = scowl_words("british"), scowl_words("american")
    out = {}
    for b in sorted(br):
        for old, new in RULES:
            i = b.find(old)
            while i >= 0:
                a = b[:i] + new + b[i + len(old):]
                if a in am:
                    out[b] = a
                    break
                i = b.find(old, i + 1)
            if b in out:
                break
    return out


def installed(pkg):
    """Whether dpkg has the Debian package installed."""
    try:
        st = subprocess.run(["dpkg-query", "-W", "-f=${Status}", pkg], capture_output=True, text=True).stdout
    except OSError:  # no dpkg-query: not Debian
        return False
    return st.endswith(" installed")


def version(pkg):
    return subprocess.run(["dpkg-query", "-W", "-f=${Version}", pkg], capture_output=True, text=True,
                          check=True).stdout


SLOTS = 8192  # english.c's table: a power of two, more than twice the words


def kd_hash64(b):
    """classifier/tokmap.c's kd_hash64 (FNV-1a, then a splitmix64 finaliser): english.c searches
    the table by these, so that a lookup hashes no word of it (test_english checks each)."""
    m = (1 << 64) - 1
    h = 0xcbf29ce484222325
    for c in b:
        h = ((h ^ c) * 0x100000001b3) & m
    h ^= h >> 30
    h = (h * 0xbf58476d1ce4e5b9) & m
    h ^= h >> 27
    h = (h * 0x94d049bb133111eb) & m
    h ^= h >> 31
    return h or 1


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--floor", type=float, default=20.0, help="per million (default 20)")
    ap.add_argument("--only", choices=("sphinx", "fortunes"), help="one source alone")
    ap.add_argument("--no-variants", dest="variants", action="store_false",
                    help="leave out the British spellings (SCOWL) of the table's words")
    ap.add_argument("-o", "--output", metavar="FILE",
                    help="write the table to FILE (replaced only once complete), not to standard output")
    a = ap.parse_args()
    need = ((["pocketsphinx-en-us"] if a.only in (None, "sphinx") else [])
            + (list(FORTUNE_PKGS) if a.only in (None, "fortunes") else []) + (["scowl"] if a.variants else []))
    missing = [p for p in need if not installed(p)]
    if missing:
        sys.exit("gen_english.py: the Debian packages %s are not installed (apt-get install %s)"
                 % (", ".join(missing), " ".join(missing)))
    sources, credits = [], []
    if a.only in (None, "sphinx"):
        sources.append(sphinx_unigrams())
        credits.append("pocketsphinx-en-us %s (en-us.lm.bin unigrams, BSD-2-clause)" % version("pocketsphinx-en-us"))
    if a.only in (None, "fortunes"):
        c = fortune_counts()
        n = sum(c.values())
        sources.append({w: k / n for w, k in c.items()})
        credits.append("%s %s (word counts of %d words, BSD-3-clause)"
                       % (" + ".join(FORTUNE_PKGS), version(FORTUNE_PKGS[0]), n))
    words = set().union(*sources)
    p = {w: sum(s.get(w, 0.0) for s in sources) / len(sources) for w in words if WORD.fullmatch(w)}
    floor = a.floor / 1e6
    if a.variants:
        # one word, two spellings: both get the word's probability (the sum of the two)
        pairs = [(b, am) for b, am in variants().items() if b in p or am in p]
        for b, am in pairs:
            p[b] = p[am] = p.get(b, 0.0) + p.get(am, 0.0)
        kept = sum(1 for b, _ in pairs if p[b] >= floor)
        credits.append("scowl %s (to pair %d British spellings with American ones; SCOWL's\n"
                       " *     permissive licence, (c) Kevin Atkinson)" % (version("scowl"), kept))
    keep = [(w, v) for w, v in p.items() if v >= floor]
    # each word with the slot of english.c's open-addressing table (SLOTS, linear probing)
    # where a lookup finds it: the table is compiled as written here, so that a process
    # builds nothing at start (a one-comment `kindly check` filled a 96 KB table, 24 fresh
    # pages, to look up a dozen words), and a lookup is one or two probes. Words are placed
    # in the order of their hashes, the order they are written in.
    keep.sort(key=lambda x: kd_hash64(x[0].encode()))
    if len({kd_hash64(w.encode()) for w, _ in keep}) != len(keep):
        sys.exit("gen_english.py: two words of the table have the same kd_hash64")
    if 2 * len(keep) >= SLOTS:
        sys.exit("gen_english.py: %d words fill more than half of %d slots: raise SLOTS here and in english.c"
                 % (len(keep), SLOTS))
    taken, slot = set(), {}
    for w, _ in keep:
        j = kd_hash64(w.encode()) & (SLOTS - 1)
        while j in taken:
            j = (j + 1) & (SLOTS - 1)
        taken.add(j)
        slot[w] = j
    out = open(a.output + ".tmp", "w", encoding="utf-8") if a.output else sys.stdout
    out.write("/* Generated by tools/gen_english.py; do not edit. P(w) in general English, in parts per\n"
              " * billion: %s\n" % ("the mean of" if len(credits) > 1 else "from"))
    for c in credits:
        out.write(" *   Debian %s\n" % c)
    out.write(" * %d words of at least %g per million (rarer words: that floor), in the order of their\n"
              " * kd_hash64, each with its slot in english.c's table of %d. */\n" % (len(keep), a.floor, SLOTS))
    out.write("#define KD_ENGLISH_TOTAL %dLL /* the unit of the counts below */\n" % SCALE)
    out.write("#define KD_ENGLISH_MIN %d /* the floor */\n" % round(floor * SCALE))
    out.write("#define KD_ENGLISH_SLOTS %d /* the size of english.c's table */\n" % SLOTS)
    for w, v in keep:
        out.write('W("%s", %d, 0x%016xULL, %d)\n' % (w, round(v * SCALE), kd_hash64(w.encode()), slot[w]))
    if a.output:
        out.close()
        os.replace(a.output + ".tmp", a.output)


if __name__ == "__main__":
    main()
