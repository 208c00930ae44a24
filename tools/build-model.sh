#!/bin/sh
# Rebuild the shipped default model, models/default.db (`make model`).
#
# It learns from the corpora this project wrote (corpora/comments.csv, and the posts of
# corpora/posts.csv) and from the third-party corpora beside the checkout (../shared/corpora:
# sms.csv, youtube-dev.csv, datacamp-comments.csv; see their README for sources and licences;
# learnt with --foreign, for the spam stage only, so that relevance judges by the blog's own
# comments), drops their tokens seen fewer than PRUNE times (default 2) to keep the file
# small, and packs it (rollback journal, vacuumed) so that it can be read from a read-only
# directory. The third-party corpora are learnt and pruned first, the blog's own comments
# after, unpruned: pruning them too dropped the site's rarer words from relevance's site
# model (docs/BENCHMARKS-relevance.md, on-topic comments held 3.0% instead of 1.0%).
#
# FOREIGN (default "sms.csv youtube-dev.csv datacamp-comments.csv") names the third-party
# files learnt; a distributor who wants none whose licence is unstated builds with
# FOREIGN="sms.csv youtube-dev.csv", and one who wants only this project's own corpora (CC0)
# with FOREIGN= (docs/NOTICES.md). The same inputs give the same file: the posts' update
# time is $SOURCE_DATE_EPOCH, by default the time of the last commit that changed the files
# of corpora/ it reads, comments.csv or posts.csv (0 outside a git checkout; a shallow
# clone may not hold that commit, which is said), and so is the source of the model's
# identity (merge's check against merging a model twice; random otherwise), so `make model`
# rebuilds the committed file byte for byte.
#
# Usage: tools/build-model.sh [OUT]      (default models/default.db; KINDLY=/path/to/kindly,
#        KINDLY_SHARED=/path/to/shared, PRUNE=N, FOREIGN="FILE...")
set -eu
case ${1-} in
    -h|--help) sed -n '2,/^set -eu/{/^set -eu/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
    -*) echo "build-model: unknown option '$1' (usage: tools/build-model.sh [OUT]; see --help)" >&2; exit 2 ;;
esac
[ $# -le 1 ] || { echo "build-model: $# arguments, expected one OUT at most (see --help)" >&2; exit 2; }
root=$(cd "$(dirname "$0")/.." && pwd)
kindly=${KINDLY:-$root/kindly}
shared=${KINDLY_SHARED:-$root/../shared}/corpora
out=${1:-$root/models/default.db}
[ -d "$(dirname "$out")" ] || { echo "build-model: $(dirname "$out") is no directory (OUT is a model file in an existing directory)" >&2; exit 1; }
prune=${PRUNE:-2}
foreign=${FOREIGN-sms.csv youtube-dev.csv datacamp-comments.csv}
if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
    # the time of the last commit that changed the corpora it learns (not the others of
    # corpora/, which only benchmarks read), and its parents: a shallow clone's oldest commit
    # has none there and seems to add every file, so its time is not that change's
    last=$(git -C "$root" log -1 --format='%ct %P' -- corpora/comments.csv corpora/posts.csv 2>/dev/null || true)
    SOURCE_DATE_EPOCH=${last%% *}
    if [ -n "$last" ] && [ -z "${last#* }" ] &&
       [ "$(git -C "$root" rev-parse --is-shallow-repository)" = true ]; then
        echo "build-model: this clone is shallow: the time of its oldest commit stands for the last change" \
             "to corpora/comments.csv or posts.csv, which may be older, and the model may differ from the" \
             "committed one (git fetch --unshallow, or set SOURCE_DATE_EPOCH)" >&2
    fi
fi
SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-0}
export SOURCE_DATE_EPOCH
# where the corpora were looked for, said when one is missing: KINDLY_SHARED's directory when
# it is set (the hint said they sit beside the checkout, whatever KINDLY_SHARED named)
if [ -n "${KINDLY_SHARED:-}" ]; then
    where="KINDLY_SHARED=$KINDLY_SHARED: they are read from its corpora/"
else
    where="the shared corpora sit beside the checkout, in ../shared/corpora, or in DIR/corpora with KINDLY_SHARED=DIR"
fi
files=
for f in $foreign; do
    [ -r "$shared/$f" ] || { echo "build-model: $shared/$f is missing ($where; FOREIGN= builds a model of this project's corpora alone)" >&2; exit 1; }
    files="$files $shared/$f"
done
# built under OUT's own name (the model's identity is derived from it and SOURCE_DATE_EPOCH)
tmpdir=$(mktemp -d "${TMPDIR:-/tmp}/kindly-model.XXXXXX")
tmp=$tmpdir/$(basename "$out")
trap 'rm -rf "$tmpdir"' EXIT
# a signal ends the script through exit, so that the EXIT trap runs (sh runs none on a signal)
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
# The third-party corpora first, as --foreign, pruned: they teach the spam stage, but the
# relevance stage's "language of this site" stays the blog's own comments, learnt after.
# shellcheck disable=SC2086
[ -z "$files" ] || "$kindly" train -m "$tmp" --foreign --prune "$prune" $files
"$kindly" train -m "$tmp" "$root/corpora/comments.csv"
"$kindly" posts -m "$tmp" "$root/corpora/posts.csv"
KINDLY_MODEL=$tmp "$kindly" info --pack >/dev/null
mv "$tmp" "$out"
"$kindly" info -m "$out"
ls -l "$out"
