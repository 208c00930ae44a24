# t_relevance.sh - posts and the relevance stage, end to end: `kindly posts` (kindly and
# WordPress columns), relevance on every scored comment, off-topic comments held with the
# reason off_topic, the threshold flag, generic praise; `kindly train --foreign` (other
# sites' comments teach Bayes, not the site's language). Sourced by run.sh.

# post_field DB POST_ID COLUMN FALLBACK: a column of a stored post (FALLBACK without sqlite3)
post_field() { sqlite3 "$1" "select $3 from posts where post_id='$2'" 2>/dev/null || echo "$4"; }

rel_model() {
    "$KINDLY" train -q -m m.db "$ROOT/corpora/comments.csv"
    "$KINDLY" posts -m m.db "$ROOT/corpora/posts.csv"
}
relevance_of() { sed -n "s/.*\"id\":\"$1\".*\"relevance\":\([0-9.e-]*\).*/\1/p" "$T/out"; }

test_posts_imports_and_updates() {
    expect_status 0 "$KINDLY" posts -m m.db "$ROOT/corpora/posts.csv"
    contains "$T/err" "imported 8 posts (8 new, 0 updated); the model now holds 8"
    "$KINDLY" info -m m.db | grep -q '"posts":8' || fail "info does not count the posts"
    printf 'ID,post_title,post_content,post_status\n8,Walking,"<p>Walk &amp; talk</p>",publish\n' >wp.csv
    expect_status 0 "$KINDLY" posts -m m.db wp.csv
    contains "$T/err" "imported 1 post (1 new, 0 updated); the model now holds 9"
    printf 'ID,post_title,post_content,post_status\n8,Walking,"<p>Walk &amp; talk with a friend</p>",publish\n' >wp.csv
    expect_status 0 "$KINDLY" posts -m m.db wp.csv
    contains "$T/err" "imported 1 post (0 new, 1 updated); the model now holds 9"
    [ "$(post_field m.db 8 text skip)" != "<p>Walk &amp; talk</p>" ] \
        || fail "HTML kept"
    # a post named twice: the later row, one post counted; an image-only post: kept, warned
    printf 'ID,post_title,post_content\n20,A,first\n21,,"<img src=x.jpg>"\n20,A,second\n' >twice.csv
    expect_status 0 "$KINDLY" posts -m m.db twice.csv
    contains "$T/err" "twice.csv:4: field 'ID': the post id is also on line 2: this row replaces that one"
    contains "$T/err" "twice.csv:3: the post has no words in its title or text"
    contains "$T/err" "imported 2 posts (2 new, 0 updated); the model now holds 10 and 1 retired (no title or text)"
    [ "$(sqlite3 m.db "select text from posts where post_id='20'" 2>/dev/null || echo second)" = second ] \
        || fail "the earlier row kept"
}

# The summary tells new posts from updated ones and from unchanged ones (a file imported again
# said "8 updated"); a post in two files is imported twice, new once.
test_posts_summary_counts_new_and_updated() {
    expect_status 0 "$KINDLY" posts -m again.db "$ROOT/corpora/posts.csv"
    expect_status 0 "$KINDLY" posts -m again.db "$ROOT/corpora/posts.csv"
    contains "$T/err" "kindly posts: imported 8 posts (0 new, 0 updated, 8 unchanged); the model now holds 8"
    printf 'post_id,title,text\np1,One,text one\np2,Two,text two\n' >a.csv
    printf 'post_id,title,text\np2,Two,text two again\np3,Three,text three\n' >b.csv
    expect_status 0 "$KINDLY" posts -m m.db a.csv b.csv
    contains "$T/err" "kindly posts: imported 4 posts (3 new, 1 updated); the model now holds 3"
    printf 'post_id,title,text\np3,Three,text three revised\np4,Four,text four\n' >c.csv
    expect_status 0 "$KINDLY" posts -m m.db c.csv
    contains "$T/err" "kindly posts: imported 2 posts (1 new, 1 updated); the model now holds 4"
    expect_status 0 "$KINDLY" posts -q -m m.db c.csv
    [ ! -s "$T/err" ] || fail "-q printed: $(cat "$T/err")"
    printf 'post_id,title,text\np3,Three,text three revised\np4,Four,text four revised\n' >c.csv
    expect_status 0 "$KINDLY" posts -m m.db c.csv
    contains "$T/err" "kindly posts: imported 2 posts (0 new, 1 updated, 1 unchanged); the model now holds 4"
}

# The same file given twice (by another name, a link, or as standard input) is refused before
# anything is written: its posts would be imported twice and counted as updated.
test_posts_refuses_the_same_file_twice() {
    printf 'post_id,title,text\np1,One,text one\n' >a.csv
    ln -s a.csv link.csv
    expect_status 3 "$KINDLY" posts -m m.db a.csv ./a.csv
    contains "$T/err" "kindly posts: a.csv and ./a.csv are the same file: its posts would be imported twice"
    expect_status 3 "$KINDLY" posts -m m.db a.csv link.csv
    contains "$T/err" "a.csv and link.csv are the same file"
    expect_status 3 "$KINDLY" posts -m m.db a.csv - <a.csv
    contains "$T/err" "a.csv and - (standard input) are the same file"
    expect_status 3 "$KINDLY" posts -m m.db - - <a.csv
    [ ! -e m.db ] || fail "a model was created"
    printf 'post_id,title,text\np2,Two,text two\n' >b.csv
    expect_status 0 "$KINDLY" posts -m m.db a.csv b.csv
    contains "$T/err" "imported 2 posts (2 new, 0 updated)"
}

# No command removes a post: the help and the README say how a deleted post is retired (its
# title and text imported empty), and so retired its comments are scored against the site
# (they said nothing of a deleted post).
test_posts_a_deleted_post_is_retired_as_the_help_says() {
    expect_status 0 "$KINDLY" help posts
    contains "$T/out" "No post is removed: one deleted from the blog is retired by importing it with"
    contains "$ROOT/README.md" "no post is removed: one deleted from the blog is retired by importing it with an empty title"
    rel_model
    printf 'ID,post_title,post_content\n123,Box breathing,"<p>Box breathing slows a panic attack: in for four, hold, out for four.</p>"\n' >wp.csv
    expect_status 0 "$KINDLY" posts -m m.db wp.csv
    printf 'The first birthday after my father died was so heavy, grief is exhausting.' >c.txt
    # grief on a post about breathing: held as off topic, the post's part below 1
    expect_status 2 sh -c '"$KINDLY" check -m m.db --post 123 --explain <c.txt'
    contains "$T/out" "off_topic (relevance"
    printf 'ID,post_title,post_content\n123,,\n' >gone.csv
    expect_status 0 "$KINDLY" posts -m m.db gone.csv
    contains "$T/err" "gone.csv:2: the post has no words in its title or text"
    expect_status 0 sh -c '"$KINDLY" check -m m.db --post 123 --explain <c.txt'
    contains "$T/out" "(post '123' has no words: scored against the site alone)"
}

# A comment naming a post the model does not hold is scored against the site, by design, but
# --explain said "x post 1.00", as for a post the comment fits perfectly, and score said
# nothing when every comment named an unknown post (a posts file of slugs, comments of
# numeric ids). --explain says so, and score and eval warn once (exit status unchanged);
# not when the model holds no posts at all, where every comment is scored against the site,
# nor for the shipped default model.
test_an_unknown_post_is_said() {
    rel_model
    printf 'Thanks, this helped' >c.txt
    expect_status 0 sh -c '"$KINDLY" check -m m.db --post nope --explain <c.txt'
    contains "$T/out" " = site language 0."
    contains "$T/out" " (post 'nope' unknown to the model: scored against the site alone)"
    not_contains "$T/out" "x post 1.00"
    expect_status 0 sh -c '"$KINDLY" check -m m.db --explain <c.txt'
    contains "$T/out" "(no post named: scored against the site alone)"
    expect_status 0 sh -c '"$KINDLY" check -m m.db --post sleep-and-anxiety --explain <c.txt'
    contains "$T/out" " x post 1.00"
    [ ! -s "$T/err" ] || fail "warned of a known post: $(cat "$T/err")"
    # check without --explain said nothing of it: one warning on stderr, as score's (exit
    # status unchanged), not for the shipped model nor a model without posts
    expect_status 0 sh -c '"$KINDLY" check -m m.db --post nope <c.txt'
    contains "$T/out" '"verdict":"approve"'
    [ "$(grep -c . "$T/err")" = 1 ] || fail "not one line: $(cat "$T/err")"
    contains "$T/err" "kindly check: warning: the comment names a post this model does not hold ('nope'); it was scored against the site: import the posts with kindly posts, or check that --post is the post's id"
    expect_status 0 sh -c '"$KINDLY" check -m m.db --post nope --explain <c.txt'
    contains "$T/err" "kindly check: warning: the comment names a post this model does not hold ('nope')"
    expect_status 0 sh -c '"$KINDLY" check -m m.db <c.txt'
    [ ! -s "$T/err" ] || fail "warned without a post: $(cat "$T/err")"
    expect_status 0 sh -c '"$KINDLY" check -m "$ROOT/models/default.db" --post nope <c.txt'
    [ ! -s "$T/err" ] || fail "warned with the shipped model: $(cat "$T/err")"
    # comments of numeric post ids, posts of slugs: one warning at the end, on stderr
    sed '1!s/^\([^,]*\),[^,]*,/\1,17,/' "$ROOT/corpora/comments.csv" >num.csv
    expect_status 0 "$KINDLY" score -m m.db num.csv
    n=$(wc -l <"$T/out") # comments scored (a comment may take lines of the file)
    [ "$(grep -c . "$T/err")" = 1 ] || fail "not one line: $(cat "$T/err")"
    contains "$T/err" "kindly score: warning: $n of $n comments name a post this model does not hold (first: '17', line 2); they were scored against the site: import the posts with kindly posts, or check that the comments' post ids are the posts' ids"
    "$KINDLY" score -m m.db "$ROOT/corpora/comments.csv" >known.jsonl 2>known.err || fail "score failed"
    [ ! -s known.err ] || fail "warned of known posts: $(cat known.err)"
    printf 'id,post_id,text\na,sleep-and-anxiety,I sleep better\nb,,No post\nc,nope,Sleep well\n' >mix.csv
    expect_status 0 "$KINDLY" score -m m.db mix.csv
    contains "$T/err" "warning: 1 of 3 comments names a post this model does not hold (first: 'nope', line 4); it was scored"
    expect_status 0 "$KINDLY" eval -m m.db num.csv
    contains "$T/err" "kindly eval: warning: $n of $n comments name a post this model does not hold (first: '17'); they were"
    # the exit status of bad rows is kept
    printf 'id,post_id,text\na,nope,Sleep well\nb,nope,"unterminated\n' >bad.csv
    expect_status 4 "$KINDLY" score -m m.db bad.csv
    contains "$T/err" "warning: 1 of 1 comment names a post"
    # nor for the shipped default model: its posts are the example blog's, and it is never
    # written to (a copy of it is a model of one's own)
    expect_status 0 "$KINDLY" score -m "$ROOT/models/default.db" num.csv
    [ ! -s "$T/err" ] || fail "warned with the shipped model: $(cat "$T/err")"
    cp "$ROOT/models/default.db" copy.db
    expect_status 0 "$KINDLY" score -m copy.db num.csv
    contains "$T/err" "kindly score: warning: $n of $n comments name a post this model does not hold"
    # a model that holds no posts scores every comment against the site: nothing to warn of
    "$KINDLY" train -q -m noposts.db "$ROOT/corpora/comments.csv"
    expect_status 0 "$KINDLY" score -m noposts.db num.csv
    [ ! -s "$T/err" ] || fail "warned without posts: $(cat "$T/err")"
    expect_status 0 sh -c '"$KINDLY" check -m noposts.db --post nope <c.txt'
    [ ! -s "$T/err" ] || fail "check warned without posts: $(cat "$T/err")"
}

# A retired post (imported with an empty title and text, as the README says a deleted post is
# retired) is not one the model holds: posts, info and merge said "the model now holds 3" of
# two posts and a retired one. They count it apart, in the same words.
test_posts_a_retired_post_is_counted_apart() {
    printf 'post_id,title,text\np1,One,text one\np2,Two,text two\np3,Three,text three\n' >a.csv
    expect_status 0 "$KINDLY" posts -m m.db a.csv
    grep -q 'the model now holds 3$' "$T/err" || fail "summary: $(cat "$T/err")"
    "$KINDLY" info -m m.db | grep -q '"posts":3,"retired_posts":0' || fail "info: $("$KINDLY" info -m m.db)"
    printf 'ID,post_title,post_content\np3,,\n' >gone.csv
    expect_status 0 "$KINDLY" posts -m m.db gone.csv
    contains "$T/err" "kindly posts: imported 1 post (0 new, 1 updated); the model now holds 2 and 1 retired (no title or text)"
    "$KINDLY" info -m m.db | grep -q '"posts":2,"retired_posts":1' || fail "info: $("$KINDLY" info -m m.db)"
    # blanks are no title or text; a post given words again is held again
    printf 'post_id,title,text\np4," "," "\np3,Three,back again\n' >b.csv
    expect_status 0 "$KINDLY" posts -m m.db b.csv
    contains "$T/err" "the model now holds 3 and 1 retired (no title or text)"
    expect_status 0 "$KINDLY" merge out.db m.db
    contains "$T/err" ", 3 posts and 1 retired"
}

# A post without words whose approved comments were learnt is scored against their words, as
# the README says ("approved comments count"): the warning said "scored against the site".
test_posts_an_empty_post_with_approved_comments_is_warned_about_truly() {
    printf 'post_id,title,text\np1,Box breathing,Box breathing slows a panic attack.\n' >p.csv
    expect_status 0 "$KINDLY" posts -m m.db p.csv
    printf 'id,post_id,label,text\nh1,p1,ham,Counting on my fingers while breathing helps me on the bus.\n' >h.csv
    expect_status 0 "$KINDLY" learn -m m.db h.csv
    printf 'post_id,title,text\np1,,\np2,,\n' >gone.csv
    expect_status 0 "$KINDLY" posts -m m.db gone.csv
    contains "$T/err" "gone.csv:2: the post has no words in its title or text: its comments are scored against the words of the approved comments learnt on it"
    contains "$T/err" "gone.csv:3: the post has no words in its title or text: its comments are scored against the site"
    printf 'post_id,text\np1,\n' >gone2.csv
    expect_status 0 "$KINDLY" posts -m m.db gone2.csv
    contains "$T/err" "gone2.csv:2: the post's text has no words: its comments are scored against its title, if it has one, and the approved comments learnt on it"
}

test_posts_bad_input_and_usage() {
    expect_status 3 "$KINDLY" posts "$ROOT/corpora/posts.csv"
    contains "$T/err" "name the model to write"
    expect_status 3 "$KINDLY" posts -m m.db
    printf 'name,body\nx,y\n' >bad.csv
    expect_status 4 "$KINDLY" posts -m m.db bad.csv
    contains "$T/err" "post_id"
    printf 'post_id,title,text\n,No id,x\np1,T,x\n' >noid.csv
    expect_status 4 "$KINDLY" posts -m m.db noid.csv
    contains "$T/err" "1 row without a post id"
    expect_status 5 "$KINDLY" posts -m m.db missing.csv
    # a comments file (kindly's own columns) is not taken for posts: its texts would replace them
    printf 'id,post_id,author,text,label\nc1,p9,Spammer,Buy cheap pills online,spam\n' >comments.csv
    expect_status 4 "$KINDLY" posts -m m.db comments.csv
    contains "$T/err" "comments.csv: this looks like a file of comments (it has the column 'label')"
    printf 'id,post_id,author,text\nc1,p9,Ann,Lovely post\n' >unlabelled.csv
    expect_status 4 "$KINDLY" posts -m m.db unlabelled.csv
    contains "$T/err" "it has a comment's id and its post's"
    # posts exports with an author or a content column are posts
    printf 'id,title,content,author\np8,Bread,How to bake sourdough bread at home,Ann\n' >authored.csv
    expect_status 0 "$KINDLY" posts -m m.db authored.csv
    [ "$(sqlite3 m.db "select count(*) from posts where post_id='p9'" 2>/dev/null || echo 0)" = 0 ] \
        || fail "the comment was stored as post p9"
    # wp post list without --fields has a title but no text: refused, the post's text kept
    printf 'ID,post_title,post_name,post_date,post_status\np8,Bread,bread,2024-01-01,publish\n' >notext.csv
    expect_status 4 "$KINDLY" posts -m m.db notext.csv
    contains "$T/err" "wp post list --fields=ID,post_title,post_content --format=csv"
    # a spreadsheet's ';' or a TSV's tabs: said, as score says it of comments
    printf 'post_id;title;text\np8;Bread;How to bake bread\n' >semi.csv
    expect_status 4 "$KINDLY" posts -m m.db semi.csv
    contains "$T/err" "(its header is one column separated by ';', not commas: save it as comma-separated CSV)"
    printf 'post_id\ttitle\ttext\np8\tBread\tHow to bake bread\n' >tabs.csv
    expect_status 4 "$KINDLY" posts -m m.db tabs.csv
    contains "$T/err" "separated by tabs, not commas"
    [ "$(post_field m.db p8 text skip)" != "" ] \
        || fail "the post's text was replaced by nothing"
    # a file of texts without titles keeps the titles
    printf 'ID,post_content\np8,How to bake rye bread at home\n' >texts.csv
    expect_status 0 "$KINDLY" posts -m m.db texts.csv
    [ "$(post_field m.db p8 title Bread)" = Bread ] \
        || fail "the post's title was replaced by nothing"
    # a bad row, a missing file or a file without the columns stops no other file
    rm -f multi.db
    printf 'post_id,title,text\nq2,Two,text two\nq3,Three,text three\n' >more.csv
    expect_status 5 "$KINDLY" posts -m multi.db noid.csv missing.csv bad.csv more.csv
    contains "$T/err" "noid.csv:2: field 'post_id': no post id (row skipped)"
    contains "$T/err" "missing.csv"
    contains "$T/err" "imported 3 posts (3 new, 0 updated); 1 bad row skipped; 2 files not read (named above); the model now holds 3"
    expect_status 4 "$KINDLY" posts -m multi.db noid.csv more.csv
    # the bad rows skipped are counted, as train counts its: a stray quote, a row of too many
    # fields and one without a post id (each named, and then the summary said nothing of them)
    printf 'post_id,title,text
r1,One,"never closed
r2,Two,text two,extra
r3,Three,text three
' >rows.csv
    expect_status 4 "$KINDLY" posts -m multi.db rows.csv noid.csv
    [ "$(grep -c '(row skipped)$' "$T/err")" = 3 ] || fail "not three rows named: $(cat "$T/err")"
    contains "$T/err" "kindly posts: imported 2 posts (1 new, 0 updated, 1 unchanged); 3 bad rows skipped; the model now holds 4"
    # every file named is counted: one of only a header row was read (it had no post); the
    # summary said "3 files not read (named above)" of four named
    rm -f multi.db
    printf 'post_id,title\na1,x\n' >notext.csv
    printf 'post_id,title,text\n' >header.csv
    : >empty.csv
    expect_status 5 "$KINDLY" posts -m multi.db more.csv notext.csv header.csv empty.csv missing.csv texts.csv
    [ "$(grep -c '^kindly posts: .*\(notext\|header\|empty\|missing\)\.csv' "$T/err")" = 4 ] \
        || fail "not four files named: $(cat "$T/err")"
    contains "$T/err" "imported 3 posts (3 new, 0 updated); 3 files not read, 1 file of only a header row (named above); the model now holds 3"
    expect_status 4 "$KINDLY" posts -m multi.db header.csv more.csv
    contains "$T/err" "imported 2 posts (0 new, 0 updated, 2 unchanged); 1 file of only a header row (named above); the model now holds 3"
    # posts without a word relevance can use are warned about, whatever markup they hold
    printf 'ID,post_title,post_content\n31,,<p><img src=x.jpg></p>\n32,,"[gallery ids=""1,2""]"\n33,,&nbsp;\n34,,Sleep\n' >img.csv
    expect_status 0 "$KINDLY" posts -m multi.db img.csv
    contains "$T/err" "img.csv:2: the post has no words"
    contains "$T/err" "img.csv:3: the post has no words"
    contains "$T/err" "img.csv:4: the post has no words"
    not_contains "$T/err" "img.csv:5:"
    expect_status 3 "$KINDLY" score --offtopic-threshold 2 "$ROOT/corpora/sample.csv"
}

test_every_scored_comment_has_a_relevance() {
    rel_model
    expect_status 0 "$KINDLY" score -m m.db "$ROOT/corpora/sample.csv"
    lines "$T/out" 30
    not_contains "$T/out" '"relevance":null'
    [ "$(grep -c '"relevance":[0-9]' "$T/out")" -eq 30 ] || fail "relevance missing"
}

test_off_topic_sample_comments_are_held() {
    rel_model
    expect_status 0 "$KINDLY" score -m m.db --no-rules "$ROOT/corpora/sample.csv"
    # s-11 football, s-17 tech support, s-24 music video: below the genuine comments
    for off in s-11 s-17 s-24; do
        r=$(relevance_of $off)
        for on in s-01 s-03 s-05 s-09; do
            awk -v a="$r" -v b="$(relevance_of $on)" 'BEGIN { exit !(a < b) }' || fail "$off ($r) not below $on"
        done
    done
    # held at the default threshold (0.30, measured in the benchmark)
    expect_status 0 "$KINDLY" score -m m.db --no-rules "$ROOT/corpora/sample.csv"
    grep '"id":"s-11"' "$T/out" | grep -q '"verdict":"hold"' || fail "s-11 not held: $(grep '"id":"s-11"' "$T/out")"
    grep '"id":"s-11"' "$T/out" | grep -q 'off_topic (relevance' || fail "s-11 has no off_topic reason"
    expect_status 0 "$KINDLY" score -m m.db --no-rules --offtopic-threshold 0 "$ROOT/corpora/sample.csv"
    not_contains "$T/out" "off_topic"
    expect_status 0 "$KINDLY" score -m m.db --offtopic-threshold off "$ROOT/corpora/sample.csv"
    [ "$(grep -c '"relevance":null' "$T/out")" -eq 30 ] || fail "off: relevance still computed"
}

# --explain's words line shows a word too long for the breakdown's 31 bytes cut and marked
# with "…": a word of 38 letters showed as its first 31 with no mark, a word the comment does
# not hold; a Russian word of 23 letters (46 bytes, not #long) is cut after its 14th letter
# (28 bytes), never inside a letter.
test_check_explain_marks_a_word_cut_to_fit() {
    printf 'buy pharmaceuticalsupercalifragilistic now' >c.txt
    expect_status 2 sh -c '"$KINDLY" check --explain <c.txt'
    contains "$T/out" "not the site's: buy -3.4, pharmaceuticalsupercalifragi… -"
    printf 'купить достопримечательностями' >ru.txt
    expect_status 2 sh -c '"$KINDLY" check --explain <ru.txt'
    contains "$T/out" " достопримечате… -"
    grep "words" "$T/out" | iconv -f UTF-8 -t UTF-8 >/dev/null || fail "the words line is not valid UTF-8"
}

# --explain says why a comment is held as off topic: relevance and its two factors (the site's
# language times the post's part), and the words that weighed most for and against it. With
# the shipped model s-11 (football chatter on a walking post) is held at 0.27; "saka" (a
# footballer) is among the words against it. Generic praise says it is exempt; a skipped
# stage prints no relevance line.
test_score_explain_says_why_a_comment_is_off_topic() {
    expect_status 0 "$KINDLY" score --explain "$ROOT/corpora/sample.csv"
    sed -n '/^s-11:/,/^  final/p' "$T/out" >s11.txt
    contains s11.txt "  relevance  0.27"
    contains s11.txt " off topic (below 0.30) = site language "
    line=$(grep '^  relevance  ' s11.txt) || fail "no relevance line: $(cat s11.txt)"
    # relevance = site x post, to the two decimals shown
    awk -v l="$line" 'BEGIN { n = split(l, f, " "); r = f[2]; s = f[n - 3]; p = f[n];
                               d = r - s * p; exit !(d < 0.01 && d > -0.01) }' ||
        fail "the factors do not multiply to the relevance: $line"
    grep -q "^  words      the site's: .*; not the site's: .*saka -[0-9]" s11.txt ||
        fail "saka is not among the words against s-11: $(grep words s11.txt)"
    # the README shows these two lines ("Why a comment is held"): as printed
    awk '/^\*\*Why a comment is held\.\*\*/ { f = 1 } f && /^```/ { if (++n == 2) exit; next }
         n == 1' "$ROOT/README.md" >readme.txt
    [ "$(wc -l <readme.txt)" -eq 2 ] || fail "the README's example of s-11 was not found"
    while IFS= read -r l; do contains s11.txt "$l"; done <readme.txt
    printf 'id,post_id,text\ng1,sleep-and-anxiety,Great post thanks!\n' >g.csv
    expect_status 0 "$KINDLY" score --explain g.csv
    contains "$T/out" "generic: never held as off topic"
    expect_status 0 "$KINDLY" score --explain --offtopic-threshold off "$ROOT/corpora/sample.csv"
    not_contains "$T/out" "  relevance  "
    not_contains "$T/out" "  words  "
}

# --explain shows the threshold as it was given: rounded to hundredths, 0.274 said "0.2715
# off topic (below 0.27)" of s-11, and 0.375 "0.3791 on topic (0.38 or above)".
test_score_explain_shows_the_threshold_as_given() {
    expect_status 0 "$KINDLY" score --explain --offtopic-threshold 0.274 "$ROOT/corpora/sample.csv"
    sed -n '/^s-11:/,/^  final/p' "$T/out" >s11.txt
    contains s11.txt "  relevance  0.2715  off topic (below 0.274) = site language "
    expect_status 0 "$KINDLY" score --explain --offtopic-threshold 0.27 "$ROOT/corpora/sample.csv"
    sed -n '/^s-11:/,/^  final/p' "$T/out" >s11.txt
    contains s11.txt "  relevance  0.2715  on topic (0.27 or above) = site language "
    # nor is a relevance just under the threshold rounded up to it (s-16's is 0.676862...:
    # it said "relevance 0.6769 off topic (below 0.676863)")
    expect_status 0 "$KINDLY" score --explain --offtopic-threshold 0.676863 "$ROOT/corpora/sample.csv"
    sed -n '/^s-16:/,/^  final/p' "$T/out" >s16.txt
    contains s16.txt "  relevance  0.67686  off topic (below 0.676863) = site language "
}

# The reason "off_topic (relevance X)" has X rounded down to hundredths, unless two decimals do
# not show it below a threshold of more: under 0.6769, s-16's 0.676862 said "relevance 0.67",
# as if the threshold were 0.67 or it were not below it: 0.6768 (0.676862 under 0.676863).
# The same reason in score's JSON and CSV, check's JSON and the server's; default: two.
test_off_topic_reason_shows_the_relevance_below_the_threshold() {
    expect_status 0 "$KINDLY" score --offtopic-threshold 0.6769 "$ROOT/corpora/sample.csv"
    grep '"id":"s-16"' "$T/out" >s16.json
    contains s16.json '"off_topic (relevance 0.6768)"'
    contains s16.json '"relevance":0.6769' # (the field keeps its four decimals)
    expect_status 0 "$KINDLY" score --offtopic-threshold 0.676863 "$ROOT/corpora/sample.csv"
    grep '"id":"s-16"' "$T/out" | grep -qF '"off_topic (relevance 0.676862)"' || fail "$(grep '"id":"s-16"' "$T/out")"
    expect_status 0 "$KINDLY" score --format csv --offtopic-threshold 0.6769 "$ROOT/corpora/sample.csv"
    grep '^s-16,' "$T/out" | grep -qF 'off_topic (relevance 0.6768)' || fail "csv: $(grep '^s-16,' "$T/out")"
    python3 -c 'import csv,sys; r=[r for r in csv.DictReader(open(sys.argv[1], encoding="utf-8")) if r["id"]=="s-16"][0]
open("s16.in","w",encoding="utf-8").write(r["text"])' "$ROOT/corpora/sample.csv"
    expect_status 2 sh -c '"$KINDLY" check --post digital-detox --offtopic-threshold 0.6769 <s16.in'
    contains "$T/out" '"off_topic (relevance 0.6768)"'
    # far below the threshold, or under the default one, two decimals (rounded down) say it
    expect_status 0 "$KINDLY" score --offtopic-threshold 0.674 "$ROOT/corpora/sample.csv"
    grep -q '"off_topic (relevance 0\.[0-9][0-9])"' "$T/out" || fail "no two-decimal reason under 0.674"
    expect_status 0 "$KINDLY" score "$ROOT/corpora/sample.csv"
    ! grep -q '"off_topic (relevance 0\.[0-9][0-9][0-9]' "$T/out" || fail "more than two decimals at 0.30"
    grep -q '"off_topic (relevance 0\.[0-9][0-9])"' "$T/out" || fail "no off-topic reason at 0.30"
    command -v curl >/dev/null || return 0
    start_server -m "$ROOT/models/default.db" --offtopic-threshold 0.6769
    local text
    text=$(python3 -c 'import json; print(json.dumps({"text": open("s16.in", encoding="utf-8").read(), "post_id": "digital-detox"}))')
    [ "$(post_json /v1/classify "$text")" = 200 ] || fail "HTTP: $(cat "$T/body")"
    contains "$T/body" '"off_topic (relevance 0.6768)"'
}

# check --explain prints the same breakdown for its one comment, instead of the JSON line,
# with the verdict as its exit status: s-11's text on its post, held (2); with --id its id
test_check_explain_prints_the_breakdown_with_the_verdict_as_exit_status() {
    expect_status 0 "$KINDLY" score --explain "$ROOT/corpora/sample.csv"
    sed -n '/^s-11:/,/^  final/p' "$T/out" | sed '1s/^s-11:/-:/' >s11.txt
    python3 -c 'import csv,sys; r=[r for r in csv.DictReader(open(sys.argv[1], encoding="utf-8")) if r["id"]=="s-11"][0]
open("s11.in","w",encoding="utf-8").write(r["text"]); open("s11.author","w").write(r["author"])' "$ROOT/corpora/sample.csv"
    expect_status 2 sh -c '"$KINDLY" check --post walking-for-mood --author "$(cat s11.author)" --explain < s11.in'
    diff s11.txt "$T/out" || fail "check --explain differs from score --explain of s-11"
    not_contains "$T/out" '"verdict"'
    expect_status 2 sh -c '"$KINDLY" check --id s-11 --post walking-for-mood --author "$(cat s11.author)" --explain < s11.in'
    grep -q '^s-11: hold (spam_score ' "$T/out" || fail "not named by its id: $(head -1 "$T/out")"
}

test_check_off_topic_exit_status_hold_and_generic() {
    rel_model
    # (a laptop that will not connect is not off topic here: the site's digital-detox and
    # burnout posts and their comments talk about laptops)
    echo "Football results: United three, City nil, a penalty in extra time." >c.txt
    expect_status 2 sh -c "\"$KINDLY\" check -m m.db --no-rules --post sleep-and-anxiety < c.txt"
    contains "$T/out" "off_topic"
    echo "Great post, thanks for sharing!" >g.txt
    "$KINDLY" check -m m.db --no-rules --post sleep-and-anxiety < g.txt >"$T/out" || true
    contains "$T/out" '"generic":true'
    not_contains "$T/out" "off_topic"
}

# comments of another site, to learn with --foreign
foreign_csv() {
    {
        echo 'id,post_id,author,email,url,label,text'
        echo 'f1,sleep-and-anxiety,Fan,,,ham,"What a match tonight, the striker scored twice in the second half!"'
        echo 'f2,sleep-and-anxiety,Fan,,,ham,"Anyone watching the football? Saka was unreal, what a second half"'
        echo 'f3,,Kev,,,ham,"My laptop will not connect to wifi after the Windows update, restarted the router"'
        echo 'f4,,Kev,,,ham,"Has anyone seen the new video for that song? The choreography is mad"'
        echo 'f5,,Promo,,,spam,"Free entry to win football tickets, text WIN to 80082 now"'
    } >foreign.csv
}
relevances() { grep -o '"id":"[^"]*"\|"relevance":[0-9.e-]*' "$1"; }

test_train_foreign_teaches_bayes_not_the_site() {
    rel_model
    foreign_csv
    expect_status 0 "$KINDLY" score -m m.db --no-rules "$ROOT/corpora/sample.csv"
    cp "$T/out" site.jsonl
    "$KINDLY" train -q -m f.db "$ROOT/corpora/comments.csv"
    expect_status 0 "$KINDLY" train -m f.db --foreign foreign.csv
    contains "$T/err" "learnt 5 comments (1 spam, 4 ham, foreign)"
    "$KINDLY" posts -m f.db "$ROOT/corpora/posts.csv" 2>/dev/null
    expect_status 0 "$KINDLY" score -m f.db --no-rules "$ROOT/corpora/sample.csv"
    cp "$T/out" foreign.jsonl
    # the site's language is its own comments: every relevance as without the foreign ones
    relevances site.jsonl >a; relevances foreign.jsonl >b
    cmp -s a b || fail "relevance changed by foreign comments: $(diff a b | head -4)"
    # the same comments learnt as this site's raise the off-topic ones' relevance
    "$KINDLY" train -q -m p.db "$ROOT/corpora/comments.csv" foreign.csv
    "$KINDLY" posts -m p.db "$ROOT/corpora/posts.csv" 2>/dev/null
    expect_status 0 "$KINDLY" score -m p.db --no-rules "$ROOT/corpora/sample.csv"
    cp "$T/out" plain.jsonl
    relevances plain.jsonl >c
    ! cmp -s a c || fail "ordinary ham did not change the site's language"
    # Bayes learnt them all the same
    grep -o '"bayes_score":[0-9.e-]*' foreign.jsonl >fb; grep -o '"bayes_score":[0-9.e-]*' plain.jsonl >pb
    cmp -s fb pb || fail "foreign ham did not count for Bayes like ordinary ham"
    "$KINDLY" info -m f.db | grep -q '"schema_version":8' || fail "schema"
    if command -v sqlite3 >/dev/null; then
        [ "$(sqlite3 f.db 'select count(*) > 0 from foreign_ham')" = 1 ] || fail "no foreign_ham rows"
        [ "$(sqlite3 p.db 'select count(*) from foreign_ham')" = 0 ] || fail "plain model has foreign rows"
        # foreign comments with a post id do not join that post's model
        [ "$(sqlite3 f.db 'select sum(n) from post_terms')" = "$(sqlite3 m.db 'select sum(n) from post_terms')" ] \
            || fail "foreign comments joined post_terms"
    fi
    expect_status 0 "$KINDLY" help train
    contains "$T/out" "--foreign"
    # learn --foreign: another site's comment is not recorded in this site's history
    echo "Penalties again, we never win a shoot-out" >other.txt
    expect_status 0 "$KINDLY" learn -m f.db --ham --raw --foreign <other.txt
    if command -v sqlite3 >/dev/null; then
        [ "$(sqlite3 f.db 'select count(*) from history')" = 0 ] || fail "a foreign comment was recorded in the history"
    fi
    expect_status 0 "$KINDLY" learn -m f.db --ham --raw --foreign --undo <other.txt
    # learn --undo --foreign takes them back out: the counts of the site's comments alone
    "$KINDLY" info -m m.db | grep -o '"spam_messages":[0-9]*,"ham_messages":[0-9]*,"tokens":[0-9]*' >want
    expect_status 0 "$KINDLY" learn -m f.db --undo --foreign foreign.csv
    contains "$T/err" "unlearnt 5 comments (1 spam, 4 ham, foreign)"
    "$KINDLY" info -m f.db | grep -o '"spam_messages":[0-9]*,"ham_messages":[0-9]*,"tokens":[0-9]*' >got
    cmp -s want got || fail "undo left $(cat got), expected $(cat want)"
    if command -v sqlite3 >/dev/null; then
        [ "$(sqlite3 f.db 'select count(*) from foreign_ham')" = 0 ] || fail "foreign_ham rows left after undo"
    fi
}

# The default model's recipe (tools/build-model.sh): the third-party corpora as --foreign
# leave the sample's off-topic comments held.
# info --prune on a model that has learnt the site's own comments drops their rare words,
# which relevance reads: the README says to prune before learning them. It did so silently;
# now one warning says so (exit status 0, the pruning as before). A model of foreign ham
# alone, or where nothing was pruned, gets none.
test_info_prune_after_the_sites_own_comments_warns() {
    foreign_csv
    "$KINDLY" train -q -m f.db --foreign foreign.csv
    expect_status 0 "$KINDLY" info -m f.db --prune 2
    lines "$T/err" 0
    contains "$T/out" '"pruned":'
    "$KINDLY" train -q -m own.db "$ROOT/corpora/comments.csv"
    expect_status 0 "$KINDLY" info -m own.db --prune 1
    lines "$T/err" 0
    cp own.db own2.db
    expect_status 0 "$KINDLY" info -m own.db --prune 2
    lines "$T/err" 1
    contains "$T/err" "kindly info: warning: own.db has learnt this site's own comments; pruning dropped rare words of them that relevance reads ("
    contains "$T/err" "prune before learning them: README, Comments of other sites)"
    # the pruning is the same as train --prune's
    "$KINDLY" train -q -m whole.db --prune 2 "$ROOT/corpora/comments.csv"
    "$KINDLY" info -m whole.db | sed 's/"model":"[^"]*"//' >want
    "$KINDLY" info -m own.db | sed 's/"model":"[^"]*"//' >got
    cmp -s want got || fail "pruned differently: $(cat want got)"
    # foreign first, then the site's own: pruned after them, warned
    "$KINDLY" learn -q -m f.db --ham --raw <<<"The breathing exercise helped me sleep, thank you"
    expect_status 0 "$KINDLY" info -m f.db --prune 3
    lines "$T/err" 1
    contains "$T/err" "kindly info: warning: f.db has learnt this site's own comments"
    # train --prune dropped them silently: the same warning, once (exit status 0, the summary
    # after it); --foreign corpora pruned before the site's own get none
    rm -f t.db
    "$KINDLY" train -q -m t.db "$ROOT/corpora/comments.csv"
    expect_status 0 "$KINDLY" train -m t.db --foreign --prune 3 foreign.csv
    contains "$T/err" "kindly train: warning: t.db has learnt this site's own comments; pruning dropped rare words of them that relevance reads ("
    [ "$(grep -c warning "$T/err")" = 1 ] || fail "not one warning: $(cat "$T/err")"
    contains "$T/err" "kindly train: t.db now has"
    rm -f ff.db
    expect_status 0 "$KINDLY" train -m ff.db --foreign --prune 2 foreign.csv
    not_contains "$T/err" "warning"
}

test_train_foreign_shared_corpora_keep_off_topic_held() {
    need_shared
    "$KINDLY" train -q -m d.db "$ROOT/corpora/comments.csv"
    "$KINDLY" train -q -m d.db --foreign "$SHARED/corpora/sms.csv" "$SHARED/corpora/youtube-dev.csv" \
        "$SHARED/corpora/datacamp-comments.csv"
    "$KINDLY" posts -m d.db "$ROOT/corpora/posts.csv" 2>/dev/null
    expect_status 0 "$KINDLY" score -m d.db --no-rules "$ROOT/corpora/sample.csv"
    for off in s-11 s-17 s-24; do
        grep "\"id\":\"$off\"" "$T/out" | grep -q 'off_topic (relevance' || fail "$off not held off topic"
    done
}

test_relevance_benchmark_runs() {
    need_shared
    command -v python3 >/dev/null || skip "python3 is absent"
    python3 "$ROOT/tools/bench_relevance.py" --kindly "$KINDLY" --only wellness --out "$T/b" >"$T/out"
    python3 -c "import json,sys; d=json.load(open('$T/b/results.json'))['wellness']; sys.exit(0 if d['offtopic.csv']['auc']>0.9 and d['on-topic']['held']<=0.02 and d['short replies']['n']==120 else 1)" \
        || fail "wellness figures regressed: $(cat "$T/out")"
}

# A WordPress post's scripts, styles and shortcode markers are not its words: a comment made
# of them is off topic, one about the post's subject is not.
test_posts_drop_scripts_styles_and_shortcodes() {
    "$KINDLY" train -q -m m.db "$ROOT/corpora/comments.csv"
    cat >wp.csv <<'CSV'
ID,post_title,post_content
101,Pruning roses in winter,"<!-- wp:paragraph --><p>Pruning roses in late winter keeps the bush healthy and full of blooms.</p><!-- /wp:paragraph -->[caption id=""attachment_5"" align=""alignnone"" width=""300""]<img src=""r.jpg""> Pruned rosebush[/caption]<script>var trackingpixelzzz = analyticsqqq();</script><style>.entryzzz{colorzzz:red}</style>[gallery ids=""1,2,3""]"
CSV
    "$KINDLY" posts -q -m m.db wp.csv
    printf 'id,post_id,text\na,101,caption attachment alignnone width gallery ids\nb,101,var trackingpixelzzz analyticsqqq entryzzz colorzzz\nc,101,My rosebush bloomed after pruning in winter\n' >c.csv
    expect_status 0 "$KINDLY" score -m m.db c.csv
    python3 - "$T/out" <<'PY' || fail "relevance: $(cat "$T/out")"
import json, sys
r = {o["id"]: o["relevance"] for o in map(json.loads, open(sys.argv[1]))}
assert r["a"] < 0.3 and r["b"] < 0.3 and r["c"] > 0.7, r
PY
}
