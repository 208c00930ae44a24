#!/bin/sh
# gen-man.sh - write kindly(1) to standard output, from the built binary's own help.
#
# Usage: tools/gen-man.sh ./kindly > kindly.1        (make man; make install installs it)
#
# The command table and every command's help live in one place, classifier/cli/main.c;
# this turns `kindly help` and `kindly help COMMAND` into a man page (each command's help
# as preformatted text, as it reads in a terminal), so the two never disagree. No tool
# beyond POSIX sh and sed is needed.
set -eu
case ${1-} in
    -h|--help) sed -n '2,/^set -eu/{/^set -eu/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
    -*) echo "gen-man.sh: unknown option '$1' (usage: tools/gen-man.sh PATH/TO/kindly)" >&2; exit 2 ;;
esac
[ $# -eq 1 ] || { echo "gen-man.sh: $# arguments, expected one: the kindly binary (usage: tools/gen-man.sh PATH/TO/kindly)" >&2; exit 2; }
KINDLY=$1
command -v "$KINDLY" >/dev/null || { echo "gen-man.sh: no kindly binary at $KINDLY (run make first)" >&2; exit 1; }
version=$("$KINDLY" version) || { echo "gen-man.sh: cannot run $KINDLY" >&2; exit 1; }
version=${version#kindly }
cmds=$("$KINDLY" help | sed -n 's/^  \([a-z][a-z]*\)  .*/\1/p')
[ -n "$cmds" ] || { echo "gen-man.sh: $KINDLY help lists no command" >&2; exit 1; }

# troff-escape preformatted text: backslashes, and a leading '.' or "'" (control lines)
esc() { sed -e 's/\\/\\e/g' -e "s/^\\([.']\\)/\\\\\\&\\1/"; }

cat <<EOF
.TH KINDLY 1 "" "kindly $version" "User Commands"
.SH NAME
kindly \\- self-hosted comment moderation classifier: spam, duplicates, off-topic
.SH SYNOPSIS
.B kindly
.I COMMAND
.RI [ ARGS ]
.SH DESCRIPTION
kindly classifies blog comments with naive Bayes, rules, near-duplicate detection and a
relevance score against the post, and answers with a verdict (approve, hold, spam),
scores and reasons: as a Unix filter over CSV, one comment at a time, or as an HTTP server
with an Akismet-compatible API. The README (installed in PREFIX/share/doc/kindly) describes the input columns, the output, the
rule-file format and how each stage decides.
EOF
# the conventions every command shares: the overview's lines after its pointer to the
# commands' own help (options and files, '--', '-')
echo .PP
"$KINDLY" help | sed -n "/^Run 'kindly help COMMAND'/,\${/^Run 'kindly help COMMAND'/d;p}" | esc
echo '.SH COMMANDS'
for cmd in $cmds; do
    help=$("$KINDLY" help "$cmd") || { echo "gen-man.sh: $KINDLY help $cmd failed" >&2; exit 1; }
    # the help is written for 79 columns: set it at the page's left margin, without the
    # 7 columns man indents a section's text by (else an 80-column terminal wraps it)
    printf '.SS %s\n.nf\n.in -7n\n' "$cmd"
    printf '%s\n' "$help" | esc
    printf '.in\n.fi\n'
done
cat <<'EOF'
.SH ENVIRONMENT
.TP
.B KINDLY_MODEL
the model used when
.B \-m
is not given (set but empty, it counts as unset).
.TP
.B SOURCE_DATE_EPOCH
when set (seconds since 1970),
.B kindly posts
records it as the imported posts' update time and
.B kindly merge
as the time of a merge, instead of the current time, and a new model's identity is derived
from it and the model's file name (without its directory) instead of chosen at random, so
that a model built twice from the same files is the same file (reproducible builds). Two
models of one file name created under one value (shard.db in two directories) then have one
identity, and
.B kindly merge
refuses the second as a copy of the first: unset it, or name the files apart.
.TP
.B TZ
the time zone in which a WordPress export's
.B comment_date
(the site's local time) is read when the file has no
.B comment_date_gmt
and the date no offset: the time a remembered comment is kept under in the history, and the
date a rule on
.B date
sees, remembered or not; as
.BR date (1)
takes it (unset: the machine's zone).
.SH FILES
.TP
.I PREFIX/share/kindly/default.db
the shipped default model, used when neither
.B \-m
nor
.B KINDLY_MODEL
names one (or
.I models/default.db
next to the binary in a build tree); never written to.
.TP
.I PREFIX/share/kindly/default.rules
the shipped default rule set.
.TP
.I PREFIX/share/kindly/default.rules.compiled
its patterns compiled
.RB ( "kindly rules \-\-compile" ),
read instead of compiling them while it belongs to that text, this kindly and this PCRE2.
.SH EXIT STATUS
Each command's section lists its own; in general 0 done, 3 usage error, 4 bad input: some
rows were bad and skipped (named on standard error as FILE:LINE), or a file is no CSV or has
no text column, 5 a file, the model or standard output could not be read or written, or a
rule file has an error (named as FILE:LINE:COLUMN), 6 out of memory or another internal
error.
.B kindly check
exits 0 for approve, 1 for spam and 2 for hold.
.SH SEE ALSO
.BR sqlite3 (1),
.BR bogofilter (1)
EOF
