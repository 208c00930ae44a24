# t_rules.sh - rule files end to end: kindly rules --check/--test/--stats, the default rule
# set on score/check/eval, --rules/--no-rules, --explain, broken rule files refused with
# FILE:LINE:COLUMN. Sourced by run.sh; each test_* runs in a fresh directory $T.
RD=$ROOT/tests/e2e/data

rules_model() { "$KINDLY" train -q -m "$T/m.db" "$RD/train.csv"; }

test_rules_check_accepts_the_default_and_names_errors() {
    expect_status 0 "$KINDLY" rules --check
    contains "$T/out" "default.rules: ok"
    expect_status 0 "$KINDLY" rules --check "$ROOT/models/default.rules"
    printf 'text OK /a/ 1\n# comment\ntext BAD /(unclosed/ 2 broken\n' >bad.rules
    expect_status 5 "$KINDLY" rules --check bad.rules
    contains "$T/err" "bad.rules:3:20: missing closing parenthesis"
    printf 'text A /a/ 1\nmeta M (A && !NOPE) 1\n' >meta.rules
    expect_status 5 "$KINDLY" rules --check meta.rules
    contains "$T/err" "meta.rules:2:15: no rule 'NOPE' is defined above this line"
    expect_status 5 "$KINDLY" rules --check missing.rules
    contains "$T/err" "cannot open rule file missing.rules: No such file or directory"
    printf 'id,text\n1,hello\n' >one.csv
    expect_status 5 "$KINDLY" score --rules missing.rules one.csv
    contains "$T/err" "kindly score: cannot open rule file missing.rules: No such file or directory"
    expect_status 5 "$KINDLY" check --rules missing.rules </dev/null
    contains "$T/err" "kindly check: cannot open rule file missing.rules: No such file or directory"
    expect_status 3 "$KINDLY" rules
    expect_status 3 "$KINDLY" rules --check --test
}

# No rule runs on an empty field, from a CSV cell or a flag alike: a pattern that matches only
# an empty field is refused, and the README's "no website" meta rule is what fires.
test_rules_check_refuses_a_pattern_for_an_empty_field() {
    printf 'text OK /a/ 1\nurl NO_URL /^$/ 1 no website\n' >empty.rules
    expect_status 5 "$KINDLY" rules --check empty.rules
    contains "$T/err" 'empty.rules:2:12: the pattern matches only an empty field or a lone line break'
    contains "$T/err" 'write `meta NAME (!__HAS)` over `url __HAS /\S/`'
    printf 'url __HAS_URL /\\S/ 0\nmeta NO_URL (!__HAS_URL) 1 no website\nurl BLANK /^\\s*$/ 1\n' >meta.rules
    expect_status 0 "$KINDLY" rules --check meta.rules
    echo "hello" >c.txt
    expect_status 0 sh -c "\"$KINDLY\" rules --test meta.rules --url '' < c.txt"
    contains "$T/out" "NO_URL"
    not_contains "$T/out" "BLANK"
}

test_broken_rule_file_stops_score_check_and_eval() {
    rules_model
    printf 'text BAD /a{2,1}/ 1\n' >bad.rules
    expect_status 5 "$KINDLY" score -m m.db --rules bad.rules "$RD/score.csv"
    contains "$T/err" "bad.rules:1:"
    [ ! -s "$T/out" ] || fail "score wrote output with a broken rule file"
    echo "hello" >c.txt
    expect_status 5 sh -c "\"$KINDLY\" check -m m.db --rules bad.rules < c.txt"
    expect_status 5 "$KINDLY" eval -m m.db --rules bad.rules "$RD/train.csv"
    expect_status 3 "$KINDLY" score -m m.db --rules
}

test_rules_test_shows_what_fires() {
    printf 'Buy cheap xanax online, no prescription needed! WhatsApp +1 555 0100 123\n' >c.txt
    expect_status 0 sh -c "\"$KINDLY\" rules --test < c.txt"
    contains "$T/out" "PHARMA_SALE"
    contains "$T/out" "PHARMA_NO_RX"
    contains "$T/out" "MESSENGER_CONTACT"
    contains "$T/out" "total of"
    printf 'moderate lottery\nallow email ann@example.com\n' >mine.rules
    echo "I won the LOTTERY of friends" >c.txt
    expect_status 0 sh -c "\"$KINDLY\" rules --test mine.rules --email Ann@Example.com < c.txt"
    contains "$T/out" "moderate:lottery"
    contains "$T/out" "allow:email=ann@example.com"
    contains "$T/out" "a moderation word holds the comment"
    echo "a quiet thank you" >c.txt
    expect_status 0 sh -c "\"$KINDLY\" rules --test mine.rules < c.txt"
    contains "$T/out" "no rule fired"
}

# A moderator reads the description of a rule that fired (rules --test, score --explain):
# it says what the rule saw, not only the case the rule was first written for.
test_default_rules_describe_what_they_saw() {
    echo "Nice post. Visit my site for the best sleep aids" >c.txt
    expect_status 0 sh -c "\"$KINDLY\" rules --test < c.txt"
    grep MY_CHANNEL "$T/out" | grep -q 'my channel, site or shop' || fail "MY_CHANNEL: $(grep MY_CHANNEL "$T/out")"
}

# A reader who points another to a crisis line is approved with the shipped model and rules
# (the model alone holds it: "call or text" and a phone number are SMS spam's words), while a
# scam "helpline" in the same words is not helped: it names no crisis service, and "crisis"
# as a state ("relationship crisis?") does not excuse its number from PHONE_CALL.
test_default_rules_approve_a_crisis_line_not_a_scam_helpline() {
    printf 'If you are struggling tonight, please call or text 988, the Suicide and Crisis Lifeline. You are not alone.\n' >c.txt
    expect_status 0 sh -c "\"$KINDLY\" check --post burnout-recovery < c.txt"
    contains "$T/out" '"verdict":"approve"'
    contains "$T/out" '"rule:CRISIS_SERVICE=-1.5"'
    printf 'Relationship crisis? Call the Love Helpline now, +44 7700 900123. Our psychics see your future and reunite lovers.\n' >s.txt
    expect_status 2 sh -c "\"$KINDLY\" check --post burnout-recovery < s.txt"
    contains "$T/out" '"rule:PHONE_CALL=+1.0"'
    not_contains "$T/out" 'CRISIS_SERVICE'
}

# "Thanks for sharing" is what link droppers write, so the default model leans spam on it and
# held it; with no link, website or contact it has nothing to sell: the shipped rules approve
# it (GENERIC_PLAIN), and the same words with a link are still not approved.
test_default_rules_approve_plain_thanks_not_thanks_with_a_link() {
    printf 'Thanks for sharing\n' >c.txt
    expect_status 2 sh -c "\"$KINDLY\" check --no-rules < c.txt"
    expect_status 0 sh -c "\"$KINDLY\" check < c.txt"
    contains "$T/out" '"rule:GENERIC_PLAIN=-1.0"'
    printf 'Thanks for sharing https://seo-links.example/offer\n' >l.txt
    expect_status 2 sh -c "\"$KINDLY\" check < l.txt"
    contains "$T/out" '"rule:GENERIC_WITH_LINK=+1.0"'
    not_contains "$T/out" 'GENERIC_PLAIN'
    # a phone number is no content word, so the thanks stays generic: it is a way to be
    # contacted all the same, and the rule approved it (0.439; held at 0.68 without it)
    printf 'Thanks sir 0300 1234567\n' >p.txt
    expect_status 2 sh -c "\"$KINDLY\" check < p.txt"
    not_contains "$T/out" 'GENERIC_PLAIN'
}

# A crisis line named in other words than the site's ("Trans Lifeline", "active rescue") is
# below the off-topic threshold, yet the rules vouch for it (CRISIS_SERVICE, their sum below
# 0): approved, its relevance reported, no off_topic reason; Bayes alone holds it off topic.
test_a_comment_the_rules_vouch_for_is_not_held_off_topic() {
    printf "Adding Trans Lifeline for the trans folks here - they don't do non-consensual active rescue, which is why a lot of my friends trust them.\n" >c.txt
    expect_status 2 sh -c "\"$KINDLY\" check --post sleep-and-anxiety --no-rules < c.txt"
    contains "$T/out" '"off_topic (relevance 0.'
    expect_status 0 sh -c "\"$KINDLY\" check --post sleep-and-anxiety < c.txt"
    contains "$T/out" '"rule:CRISIS_SERVICE=-1.5"'
    not_contains "$T/out" 'off_topic'
    expect_status 0 sh -c "\"$KINDLY\" check --post sleep-and-anxiety --explain < c.txt"
    contains "$T/out" 'not held: the rules vouch for it (-1.5)'
}

# The stock "is your theme custom made?" from a slimming-tea shop's website: Bayes, which has
# seen neither, approves it; the default rules make it spam (STOCK_WITH_URL, AUTHOR_URL_SALES).
test_default_rules_catch_a_stock_question_from_a_shop_website() {
    rules_model
    echo "Is your theme custom made or did you download it from somewhere? A design like yours with a few simple tweeks would really make my blog shine." >c.txt
    expect_status 0 sh -c "\"$KINDLY\" check -m m.db --no-rules --url https://slimtea-official.example < c.txt"
    expect_status 1 sh -c "\"$KINDLY\" check -m m.db --url https://slimtea-official.example < c.txt"
    contains "$T/out" '"name":"STOCK_WITH_URL"'
    contains "$T/out" '"name":"AUTHOR_URL_SALES"'
}

test_score_output_carries_rules_and_no_rules_turns_them_off() {
    rules_model
    cat >c.csv <<'CSV'
id,author,url,text
r1,Ann,,"Thank you, the breathing exercise helped me sleep"
r2,Cheap Pills,,"[url=http://rx.example]buy cheap xanax online[/url] no prescription"
CSV
    expect_status 0 "$KINDLY" score -m m.db c.csv
    sed -n 2p "$T/out" | grep -q '"rules":\[{"name":"PHARMA_SALE"' || fail "no rules in: $(sed -n 2p "$T/out")"
    sed -n 2p "$T/out" | grep -q '"rule:BBCODE_LINK=+3.0"' || fail "no rule reason in: $(sed -n 2p "$T/out")"
    sed -n 1p "$T/out" | grep -q '"rules":\[\]' || fail "a rule fired on ham: $(sed -n 1p "$T/out")"
    expect_status 0 "$KINDLY" score -m m.db --no-rules c.csv
    not_contains "$T/out" '"name":"PHARMA_SALE"'
    printf 'text MINE /breathing/ 1.5 my rule\n' >mine.rules
    expect_status 0 "$KINDLY" score -m m.db --rules mine.rules c.csv
    sed -n 1p "$T/out" | grep -q '"rules":\[{"name":"MINE","score":1.5}\]' || fail "own rule: $(sed -n 1p "$T/out")"
}

test_score_explain_breaks_the_score_down() {
    rules_model
    printf 'id,text\ne1,"Check out my channel and subscribe to my channel http://a.example http://b.example"\n' >c.csv
    expect_status 0 "$KINDLY" score -m m.db --explain c.csv
    contains "$T/out" "e1: "
    contains "$T/out" "  bayes "
    contains "$T/out" "MY_CHANNEL"
    contains "$T/out" "(\"check out my channel, site or shop\")"
    contains "$T/out" "SITES_2"
    contains "$T/out" "  rules "
    contains "$T/out" "  final "
}

# A campaign adds its log-odds to the final score (1.5 for 2 authors or posts): --explain shows
# them as it shows the rules' (the breakdown went from Bayes to a final score its lines did
# not add up to, with only "other campaign:2")
test_score_explain_shows_a_campaigns_log_odds() {
    rules_model
    printf 'id,post_id,author,email,text\nc1,p1,Ann,a@x.org,"Great tips on sleep, see more at http://sleepy.example for details"\nc2,p2,Bob,b@y.org,"Great tips on sleep, see more at http://sleepy.example for details"\n' >c.csv
    expect_status 0 "$KINDLY" score -m m.db --no-rules --explain c.csv
    contains "$T/out" "  campaign    +1.50  2 authors or posts"
    not_contains "$T/out" "other      campaign:"
    expect_status 0 "$KINDLY" score -m m.db --no-rules c.csv
    sed -n 2p "$T/out" | grep -q '"campaign:2"' || fail "no campaign: $(sed -n 2p "$T/out")"
}

# --explain is text for a terminal: an id with a newline or an escape sequence in it (and a
# reason that names it, duplicate_of:ID) shows them as escapes, one breakdown line each; they
# were printed raw, a line that read as another comment's and a sequence the terminal ran
test_score_explain_escapes_control_characters_in_ids() {
    rules_model
    printf 'id,author,text
"a\033[2J\nb: spam",x,Buy cheap watches at replica-shop today best price
c,y,Buy cheap watches at replica-shop today best price
' >c.csv
    expect_status 0 "$KINDLY" score -m m.db --explain c.csv
    not_contains "$T/out" "$(printf '\033')"
    contains "$T/out" 'a\x1b[2J\nb: spam: '
    contains "$T/out" '  other      duplicate_of:a\x1b[2J\nb: spam (site'
    [ "$(grep -c '^[^ ]' "$T/out")" -eq 2 ] || fail "comment lines: $(grep '^[^ ]' "$T/out")"
}

# rules --test, --stats and --explain are text for a terminal, and so are the messages on
# stderr: a rule file's description, a word-list entry (moderate:ENTRY) and a broken line's
# keyword show their control characters as escapes; they were printed raw, an escape sequence
# the terminal ran (a title set, the screen cleared) and a CR that rewrote the line
test_rules_text_output_escapes_control_characters() {
    rules_model
    printf 'text SPAM_X /replica/ 2 buy \033]0;pwned\007 now\302\233\nmoderate rep\033[31mlica\n' >esc.rules
    printf 'replica rep\033[31mlica\n' >c.txt
    expect_status 0 sh -c "\"$KINDLY\" rules --test esc.rules <c.txt"
    not_contains "$T/out" "$(printf '\033')"
    contains "$T/out" 'buy \x1b]0;pwned\x07 now\u009b (line 1)'
    contains "$T/out" 'moderate:rep\x1b[31mlica'
    printf 'label,text\nspam,replica rep\033[31mlica\nham,hello\n' >s.csv
    expect_status 0 "$KINDLY" rules --stats --rules esc.rules s.csv
    not_contains "$T/out" "$(printf '\033')"
    contains "$T/out" 'moderate:rep\x1b[31mlica'
    printf 'id,text\nc1,replica rep\033[31mlica\n' >e.csv
    expect_status 0 "$KINDLY" score -m m.db --rules esc.rules --explain e.csv
    not_contains "$T/out" "$(printf '\033')"
    contains "$T/out" '  (buy \x1b]0;pwned\x07 now\u009b)'
    contains "$T/out" 'moderate:rep\x1b[31mlica'
    printf 'text OK /a/ 1\nte\033[2Jxt\rkindly rules: ok BAD /a/ 1\n' >bad.rules
    expect_status 5 "$KINDLY" rules --check bad.rules
    not_contains "$T/err" "$(printf '\033')"
    not_contains "$T/err" "$(printf '\r')"
    contains "$T/err" "unknown keyword 'te\x1b[2Jxt' (" # (the CR ends the line: a CR alone is a line end)
    lines "$T/err" 1
}

test_check_rules_change_the_verdict() {
    rules_model
    # unknown words: Bayes has no evidence (0.5, hold); the rules make it spam
    echo "zorblax [url=zorb]zorblax[/url] plz sub4sub" >c.txt
    expect_status 1 sh -c "\"$KINDLY\" check -m m.db < c.txt"
    expect_status 2 sh -c "\"$KINDLY\" check -m m.db --no-rules < c.txt"
    # a trusted e-mail gets a score far below the ham cut-off whatever the text (later
    # stages, e.g. off-topic, may still hold it)
    printf 'allow email ann@example.com\n' >trust.rules
    echo "cheap xanax no prescription order now" >c.txt
    "$KINDLY" check -m m.db --rules trust.rules --email ann@example.com <c.txt >out.json && true
    score=$(sed -n 's/.*"spam_score":\([0-9.e-]*\).*/\1/p' out.json)
    awk -v s="$score" 'BEGIN { exit !(s < 0.01) }' || fail "trusted e-mail scored $score: $(cat out.json)"
    contains out.json '"name":"allow:email=ann@example.com","score":-20'
    # a moderation word holds a comment whatever its score (here: ham, approved without it)
    printf 'moderate journal\n' >mod.rules
    echo "The breathing exercise and the journal helped me sleep, thank you" >c.txt
    "$KINDLY" check -m m.db --no-rules < c.txt >plain.json || true
    grep -q '"verdict":"approve"' plain.json || skip "the comment is not approved without rules: $(cat plain.json)"
    expect_status 2 sh -c "\"$KINDLY\" check -m m.db --rules mod.rules < c.txt"
    contains "$T/out" '"rules":[{"name":"moderate:journal","score":0}]'
    # and so it does with no band between the cut-offs (it was lifted to the ham cut-off, there
    # the spam cut-off: spam)
    expect_status 2 sh -c "\"$KINDLY\" check -m m.db --rules mod.rules --spam-cutoff 0.5 < c.txt"
}

# A trusted commenter (allow) is approved whatever Bayes says, but a moderation word still
# holds the comment, as WordPress's moderation keys come before its approved authors, and so
# do a duplicate and an off-topic comment: the README's rule table said only a disallowed key
# kept an allowed comment from approval
test_allow_approves_unless_a_later_stage_or_a_moderation_word_holds() {
    rules_model
    printf 'allow email ann@example.com\nmoderate journal\n' >trust.rules
    echo "The breathing exercise and the journal helped me sleep, thank you" >c.txt
    expect_status 2 sh -c "\"$KINDLY\" check -m m.db --rules trust.rules --email ann@example.com < c.txt"
    contains "$T/out" '"name":"allow:email=ann@example.com","score":-20'
    row=$(grep '^| `allow FIELD VALUE`' "$ROOT/README.md")
    for w in "a moderation word" "a duplicate" "off topic"; do
        case $row in *"$w"*) ;; *) fail "the README's allow row does not say that $w still holds: $row" ;; esac
    done
}

test_rules_stats_counts_spam_and_ham_hits() {
    expect_status 0 "$KINDLY" rules --stats "$ROOT/corpora/comments.csv"
    contains "$T/out" "comments.csv: 329 spam, 373 ham"
    contains "$T/out" "S/O"
    grep -q "PHARMA_SALE" "$T/out" || fail "no PHARMA_SALE line"
    expect_status 0 "$KINDLY" rules --stats --json "$ROOT/corpora/comments.csv"
    contains "$T/out" '"name":"PHARMA_SALE"'
    contains "$T/out" '"ham":373'
    expect_status 3 "$KINDLY" rules --stats
    # a rule that never fired has no S/O (0/0): n/a and null, not 0 ("fires only on ham")
    expect_status 0 "$KINDLY" rules --stats "$ROOT/tests/e2e/data/train.csv"
    grep -q '^ *0.000 *0.000 *n/a *2.00 *PHARMA_ONLINE$' "$T/out" || fail "S/O of a rule without hits: $(grep PHARMA_ONLINE "$T/out")"
    expect_status 0 "$KINDLY" rules --stats --json "$ROOT/tests/e2e/data/train.csv"
    contains "$T/out" '"name":"PHARMA_ONLINE","score":2,"spam_hits":0,"ham_hits":0,"spam_pct":0.0000,"ham_pct":0.0000,"so":null}'
}

# an export in two files (approved, spam): each file's table, then both together, whose S/O
# is the one that means something (each file alone has only one class)
test_rules_stats_of_several_files_adds_them_up() {
    head -1 "$ROOT/corpora/comments.csv" >h.csv
    cp h.csv s.csv
    python3 -c "
import csv,sys
r=list(csv.reader(open(sys.argv[1], newline='')))
i=r[0].index('label')
w={'ham':csv.writer(open('h.csv','a',newline='')),'spam':csv.writer(open('s.csv','a',newline=''))}
for row in r[1:]: w[row[i]].writerow(row)
" "$ROOT/corpora/comments.csv"
    expect_status 0 "$KINDLY" rules --stats "$ROOT/corpora/comments.csv"
    sed -n '2,$p' "$T/out" >whole.txt
    expect_status 0 "$KINDLY" rules --stats h.csv s.csv
    contains "$T/out" "h.csv: 0 spam, 373 ham"
    contains "$T/out" "s.csv: 329 spam, 0 ham"
    contains "$T/out" "all 2 files together: 329 spam, 373 ham"
    sed -n '/^all 2 files together/,$p' "$T/out" | sed -n '2,$p' >together.txt
    cmp -s whole.txt together.txt || fail "together differs from the whole file: $(diff whole.txt together.txt | head -4)"
    expect_status 0 "$KINDLY" rules --stats --json h.csv s.csv
    lines "$T/out" 3
    tail -1 "$T/out" | grep -q '^{"file":null,"files":2,"spam":329,"ham":373,' || fail "json total: $(tail -1 "$T/out" | cut -c1-80)"
    # a file not read, or without a labelled row, is not counted among those added up
    printf 'text,label\nhello,\n' >nolabel.csv
    expect_status 5 "$KINDLY" rules --stats h.csv nolabel.csv missing.csv
    not_contains "$T/out" "together"
    expect_status 5 "$KINDLY" rules --stats h.csv s.csv nolabel.csv missing.csv
    contains "$T/out" "2 of the 4 files together: 329 spam, 373 ham"
    expect_status 5 "$KINDLY" rules --stats --json h.csv s.csv missing.csv
    tail -1 "$T/out" | grep -q '^{"file":null,"files":2,"spam":329,"ham":373,' || fail "json total: $(tail -1 "$T/out" | cut -c1-80)"
}

test_default_rules_stay_clear_of_shared_ham() {
    need_shared
    for f in sms.csv youtube-dev.csv datacamp-comments.csv; do
        "$KINDLY" rules --stats "$SHARED/corpora/$f" >stats.txt || fail "stats on $f"
        # columns: SPAM% HAM% S/O SCORE NAME; sub-rules (__NAME) score nothing; a ham rule (a
        # negative score: CRISIS_SERVICE, GENERIC_PLAIN) is held to the same target on spam
        awk 'NR > 2 && $5 !~ /^__/ && (($4 > 0 && $2 > 0.5) || ($4 < 0 && $1 > 0.5)) { print; bad = 1 }
             END { exit bad }' stats.txt ||
            fail "a default spam rule hits more than 0.5% of the ham of $f, or a ham rule of its spam"
    done
}

test_eval_reports_bayes_and_final_with_rules() {
    rules_model
    expect_status 0 "$KINDLY" eval -m m.db --json "$ROOT/corpora/comments.csv"
    contains "$T/out" '"bayes":{'
    contains "$T/out" '"final":{'
    expect_status 0 "$KINDLY" eval -m m.db --no-rules --json "$ROOT/corpora/comments.csv"
}

test_rule_files_that_hung_the_prefilter_load() {
    for p in '/a]bc/' '/x{/' '/{{.*}}/' '/abc}/' '/[[:alpha:]]abc/'; do
        printf 'text R1 %s 1.0 t\n' "$p" >r.rules
        expect_status 0 timeout 10 "$KINDLY" rules --check r.rules || fail "rules --check hung on $p"
    done
    printf 'text ACC /abc(*ACCEPT)xyz/ 1\n' >acc.rules
    echo "hello abc there" >c.txt
    expect_status 0 sh -c "timeout 10 \"$KINDLY\" rules --test acc.rules < c.txt"
    contains "$T/out" "ACC"
}

# check interprets the patterns; score and rules --test JIT-compile them and match ASCII
# fields in byte mode: the same rules must fire on both paths.
test_check_and_score_fire_the_same_rules() {
    cat >d.rules <<'RULES'
text PILLS /cheap\s*💊*\s*pills/i 2.0 emoji, quantified
text ACUTE /café{0,2}\b/ 1
text POKE /poké?mon/i 1
text ALT1 /(?:a|b)+c/ 1
text WORD /\bfree\b/i 1
moderate pokémon
disallow cheap pills
RULES
    long=$(awk 'BEGIN { while (n++ < 4999) printf "a"; print "c" }')
    i=0
    for t in "cheap pills" "CHEAP 💊💊 pills" "caf" "pokmon" "Pokemon" "POKÉMON" "free stuff" "$long" "nothing"; do
        i=$((i + 1))
        printf '%s\n' "$t" >c.txt
        "$KINDLY" check --rules d.rules <c.txt >check.json || true
        printf 'id,text\n%s,"%s"\n' "$i" "$t" >c.csv
        "$KINDLY" score --rules d.rules c.csv >score.json || true
        a=$(sed 's/.*"rules":\(\[[^]]*\]\).*/\1/' check.json)
        b=$(sed 's/.*"rules":\(\[[^]]*\]\).*/\1/' score.json)
        [ -n "$a" ] && [ "$a" = "$b" ] || fail "on '$(printf %.40s "$t")': check $a, score $b"
        "$KINDLY" rules --test d.rules <c.txt >test.txt
        ! grep -q "limit" test.txt || fail "rules --test reached a limit on '$(printf %.40s "$t")'"
    done
    printf 'cheap pills\n' >c.txt
    "$KINDLY" check --rules d.rules <c.txt >check.json || true
    contains check.json '"name":"PILLS"'
}

# A comment file ends with a line end, as every text file does (`echo hello > c.txt`): it ends
# the comment's last line, it is not a second one. `check` and `rules --test` of the file count
# the lines and characters that `score` counts for the same text in a CSV field.
test_a_comment_on_standard_input_ends_at_its_last_line_end() {
    cat >q.rules <<'RULES'
count ONE_LINE  lines == 1    1  one line
count TWO_LINES lines == 2    1  two lines
count LEN_5     length == 5   1  five characters
count EMPTY     length == 0   1  no text
RULES
    for t in 'hello' 'a\nbcd'; do
        printf "$t\n" >c.txt
        printf 'id,text\n1,"%s"\n' "$(cat c.txt)" >c.csv
        "$KINDLY" check --rules q.rules <c.txt >check.json 2>/dev/null || true
        "$KINDLY" score --rules q.rules c.csv >score.json || true
        a=$(sed 's/.*"rules":\(\[[^]]*\]\).*/\1/' check.json)
        b=$(sed 's/.*"rules":\(\[[^]]*\]\).*/\1/' score.json)
        [ -n "$a" ] && [ "$a" = "$b" ] || fail "on '$t': check $a, score $b"
    done
    echo hello >c.txt
    expect_status 0 sh -c "\"$KINDLY\" rules --test q.rules < c.txt"
    contains "$T/out" ONE_LINE
    contains "$T/out" LEN_5
    not_contains "$T/out" TWO_LINES
    printf 'hello\r\nworld\r\n' >c.txt
    expect_status 0 sh -c "\"$KINDLY\" rules --test q.rules < c.txt"
    contains "$T/out" TWO_LINES
    echo >c.txt
    expect_status 0 sh -c "\"$KINDLY\" rules --test q.rules < c.txt"
    contains "$T/out" EMPTY
}

test_word_list_with_a_byte_order_mark() {
    printf '\357\273\277casino\r\nviagra\r\n' >bom.txt
    printf 'disallow-list bom.txt\n' >bom.rules
    echo "best casino" >c.txt
    expect_status 0 sh -c "\"$KINDLY\" rules --test bom.rules < c.txt"
    contains "$T/out" "disallow:casino"
}

# What the README's Rules table says of `repeats`, of a list file's lines and of a comment both
# disallowed and allowed: `repeats` counts "soooo" and "!!!" (one each), not links or "...";
# a list file's line is an entry whole, " # " and all, as WordPress reads it; a disallowed key
# wins over a trusted author, as in WordPress (the two added +20 and -20, which cancelled, and
# Bayes decided: "essay writing" from the trusted author was held or approved, not spam).
test_rules_table_repeats_list_lines_and_disallow_with_allow() {
    printf 'count R2 repeats == 2 1 two repeats\ncount R0 repeats == 0 1 none\n' >r.rules
    echo 'soooo good!!! ... see http://a.example and http://b.example' >c.txt
    expect_status 0 sh -c "\"$KINDLY\" rules --test r.rules < c.txt"
    contains "$T/out" R2
    printf 'online poker # not a comment\n' >list.txt
    printf 'disallow-list list.txt # a comment\n' >l.rules
    echo 'online poker' >c.txt
    expect_status 0 sh -c "\"$KINDLY\" rules --test l.rules < c.txt"
    contains "$T/out" "no rule fired"
    echo 'online poker # not a comment' >c.txt
    expect_status 0 sh -c "\"$KINDLY\" rules --test l.rules < c.txt"
    contains "$T/out" "disallow:online poker # not a comment"
    printf 'disallow essay writing\nallow author Jo Editor\n' >a.rules
    echo 'essay writing' >c.txt
    expect_status 0 sh -c "\"$KINDLY\" rules --test a.rules --author 'jo editor' < c.txt"
    contains "$T/out" "+20.00  disallow:essay writing"
    contains "$T/out" "-20.00  allow:author=Jo Editor"
    contains "$T/out" "[not counted: a disallowed key outweighs it]"
    contains "$T/out" "+20.00  total of 1 rule"
    expect_status 1 sh -c "\"$KINDLY\" check --rules a.rules --author 'Jo Editor' < c.txt"
    contains "$T/out" '"verdict":"spam"'
    contains "$T/out" '"rules":[{"name":"disallow:essay writing","score":20}]'
    echo 'an essay on writing well' >c.txt
    expect_status 0 sh -c "\"$KINDLY\" check --rules a.rules --offtopic-threshold off --author 'Jo Editor' < c.txt"
    contains "$T/out" '"rules":[{"name":"allow:author=Jo Editor","score":-20}]'
}

# A word list that cannot be read says why, as one that cannot be opened does: a directory
# (opened, then refused on read) was "cannot read the word list lists", and no reason.
test_a_word_list_that_is_a_directory_says_so() {
    mkdir lists
    printf 'text A /a/ 1\nmoderate-list lists\n' >dir.rules
    expect_status 5 "$KINDLY" rules --check dir.rules
    contains "$T/err" "kindly rules: dir.rules:2:15: cannot read the word list lists: Is a directory"
}

# rules --test names the word list an entry comes from, and its line there (the line alone
# was taken for a line of the rule file); a list next to a rule file elsewhere is named as
# kindly found it.
test_rules_test_names_the_word_list_of_an_entry() {
    mkdir lists sub
    printf 'casino\nessay writing\n' >lists/bad.txt
    printf '# hold\nmoderate-list ../lists/bad.txt\n' >sub/hold.rules
    printf '# lists\ndisallow-list lists/bad.txt\nmoderate cheap\n' >w.rules
    echo "cheap essay writing at the casino" >c.txt
    expect_status 0 sh -c "\"$KINDLY\" rules --test w.rules < c.txt"
    grep -q 'disallow:casino .*(line 1 of lists/bad.txt)$' "$T/out" || fail "$(cat "$T/out")"
    grep -q 'disallow:essay writing .*(line 2 of lists/bad.txt)$' "$T/out" || fail "$(cat "$T/out")"
    grep -q 'moderate:cheap .*(line 3)$' "$T/out" || fail "$(cat "$T/out")"
    expect_status 0 sh -c "\"$KINDLY\" rules --test sub/hold.rules < c.txt"
    grep -q 'moderate:essay writing .*(line 2 of sub/../lists/bad.txt)$' "$T/out" || fail "$(cat "$T/out")"
}

test_rules_stats_json_escapes_control_characters() {
    printf 'moderate cheap\tpills\ndisallow a"b\\c\n' >js.rules
    expect_status 0 "$KINDLY" rules --stats --json --rules js.rules "$ROOT/corpora/comments.csv"
    contains "$T/out" '"name":"moderate:cheap\tpills"'
    if command -v python3 >/dev/null; then
        python3 -m json.tool "$T/out" >/dev/null || fail "invalid JSON: $(cat "$T/out")"
    fi
}

test_deep_meta_negation_is_an_error() {
    python3 -c "print('text A /abc/ 1'); print('meta M (' + '!'*400000 + 'A) 1')" >bang.rules ||
        skip "no python3"
    expect_status 5 "$KINDLY" rules --check bang.rules
    contains "$T/err" "bang.rules:2:72: '!' and parentheses are nested too deeply"
}

# A 40,000-line WordPress list loads and works: every line a rule, a listed word fires, the
# others do not. That loading is linear and scoring uses the word index is measured by
# tools/bench_rules.py (d: instructions at 4,000 and 40,000 words), not by a wall clock here.
test_large_word_list_loads_and_fires() {
    awk 'BEGIN { srand(7); for (i = 0; i < 40000; i++) { w = ""; n = 4 + int(rand() * 7);
         for (k = 0; k < n; k++) w = w sprintf("%c", 97 + int(rand() * 26)); print w } }' >big.txt
    printf 'disallow-list big.txt\n' >big.rules
    expect_status 0 "$KINDLY" rules --check big.rules
    n=$(sort -u big.txt | wc -l)
    contains "$T/out" "big.rules: ok, $n rules"
    echo "zzqx best casino" >c.txt
    expect_status 0 sh -c "\"$KINDLY\" rules --test big.rules < c.txt"
    contains "$T/out" "no rule fired"
    w=$(sed -n 20000p big.txt)
    echo "a comment with $w in it" >c.txt
    expect_status 0 sh -c "\"$KINDLY\" rules --test big.rules < c.txt"
    contains "$T/out" "disallow:$w "
    "$KINDLY" score "$ROOT/corpora/comments.csv" >plain.jsonl
    expect_status 0 "$KINDLY" score --rules big.rules "$ROOT/corpora/comments.csv"
    lines "$T/out" "$(wc -l <plain.jsonl)"
}

# The README's example rule file, as printed there, loads, and its word-list and allow lines
# (with trailing comments) fire: a pasted example must work
test_the_readme_rule_example_works_as_printed() {
    sed -n '/^# FIELD  NAME  *\/PATTERN\/FLAGS/,/^```/p' "$ROOT/README.md" | sed '$d' >readme.rules
    [ -s readme.rules ] || fail "the README's rule example was not found"
    expect_status 0 "$KINDLY" rules --check readme.rules
    echo "I won big at the casino" >c.txt
    expect_status 0 "$KINDLY" rules --test readme.rules <c.txt
    contains "$T/out" "moderate:casino "
    echo "hello" >c.txt
    expect_status 0 "$KINDLY" rules --test readme.rules --email editor@example.org <c.txt
    contains "$T/out" "allow:email=editor@example.org "
    echo "we sell essay writing help" >c.txt
    expect_status 0 "$KINDLY" rules --test readme.rules <c.txt
    contains "$T/out" "disallow:essay writing "
}

# PCRE2's match limit bounds each start position, not the whole match: interpreted, a pattern
# with adjacent unbounded repeats ran 16 s over 4,000 spaces. `check` JIT-compiles the rules
# for a long comment (the JIT took 0.01 s).
test_check_of_a_long_comment_is_bounded_with_a_pathological_rule() {
    printf 'text X /x|\\s+\\s+:/i 1 a pathological pattern\n' >p.rules
    head -c 4000 /dev/zero | tr '\0' ' ' >c.txt
    echo "the end" >>c.txt
    local t0 t1
    t0=$(date +%s%N)
    local rc=0
    timeout 30 "$KINDLY" check --rules p.rules -m "$ROOT/models/default.db" <c.txt >out 2>err || rc=$?
    [ "$rc" -lt 3 ] || fail "exit $rc: $(cat err)"
    t1=$(date +%s%N)
    [ $(( (t1 - t0) / 1000000 )) -lt 3000 ] || fail "check took $(( (t1 - t0) / 1000000 )) ms"
}

# rules --check counts in English: one rule, one sub-rule (it said "1 rules (1 sub-rules)")
test_rules_check_counts_one_rule_and_one_sub_rule_in_the_singular() {
    printf 'text ONE /one/ 1.0\n' >one.rules
    expect_status 0 "$KINDLY" rules --check one.rules
    contains "$T/out" "one.rules: ok, 1 rule (0 sub-rules), patterns"
    printf 'text __SUB /one/ 0\nmeta TWO (__SUB) 1.0\n' >two.rules
    expect_status 0 "$KINDLY" rules --check two.rules
    contains "$T/out" "two.rules: ok, 2 rules (1 sub-rule), patterns"
}

# A rule on `date` sees the date as kindly reads it: WordPress's comment_date without an offset
# (the site's local time) with TZ's offset appended, whether or not the command remembers; it
# had the offset under --remember only, so a rule fired on a row scored and not on the same row
# remembered (score, eval), and rules --stats counted the other one.
test_rules_see_comment_date_as_read_with_or_without_remember() {
    rules_model
    printf 'comment_ID,comment_date,comment_content,comment_approved\n' >wp.csv
    printf 'w1,2024-01-15 12:00:00,I started journaling after reading this and I sleep better now,1\n' >>wp.csv
    printf 'date BARE /12:00:00$/ 1.0 as exported\ndate ZONED /12:00:00-05:00$/ 1.0 as read\n' >d.rules
    for remember in "" --remember; do
        cp m.db n.db
        TZ=America/New_York expect_status 0 "$KINDLY" score -m n.db $remember --rules d.rules wp.csv
        contains "$T/out" '"rules":[{"name":"ZONED","score":1}]'
    done
    printf 'label,comment_date,comment_content\nham,2024-01-15 12:00:00,I sleep better now\n' >l.csv
    printf 'spam,2024-01-15 12:00:00,buy cheap pills now\n' >>l.csv
    TZ=America/New_York expect_status 0 "$KINDLY" rules --stats --rules d.rules l.csv
    contains "$T/out" '   0.000    0.000    n/a    1.00  BARE'
    contains "$T/out" ' 100.000  100.000  0.500    1.00  ZONED'
    printf 'date BARE /12:00:00$/ 9.0 as exported\n' >bare.rules
    cp m.db n.db
    TZ=America/New_York expect_status 0 "$KINDLY" eval -m n.db --rules bare.rules l.csv
    cp "$T/out" plain.out
    TZ=America/New_York expect_status 0 "$KINDLY" eval -m n.db --remember --rules bare.rules l.csv
    cmp -s plain.out "$T/out" || fail "eval differs with --remember: $(diff plain.out "$T/out")"
}

# WordPress writes comment_parent 0 for a comment that replies to none, in its exports and in
# the form its Akismet plugin posts: no parent, as an empty field, so a rule on parent fires on
# replies alone. It fired on every comment of an export (160 of 160 in a blog's, 22 replies).
# kindly's own parent column, and check --parent, keep a 0 as the id it may be.
test_rules_on_parent_fire_on_wordpress_replies_only() {
    rules_model
    printf 'parent REPLY /./ 1.0 a reply to another comment\n' >p.rules
    printf 'comment_ID,comment_parent,comment_content,comment_approved\n' >wp.csv
    printf '1001,0,I started journaling after reading this,1\n1002,1001,Same here and it helps,1\n' >>wp.csv
    expect_status 0 "$KINDLY" score -m m.db --rules p.rules wp.csv
    grep '"id":"1001"' "$T/out" | grep -q '"rules":\[\]' || fail "a rule on parent fired on comment_parent 0: $(head -1 "$T/out")"
    grep '"id":"1002"' "$T/out" | grep -q '"rules":\[{"name":"REPLY"' || fail "the reply: $(tail -1 "$T/out")"
    printf 'label,comment_parent,comment_content\nham,0,I sleep better now\nspam,7,buy cheap pills now\n' >l.csv
    expect_status 0 "$KINDLY" rules --stats --rules p.rules l.csv
    contains "$T/out" ' 100.000    0.000'
    # the output echoes the field as it came
    expect_status 0 "$KINDLY" score -m m.db --rules p.rules --format csv wp.csv
    contains "$T/out" '1001,0,I started journaling after reading this,1,'
    # kindly's own column: a 0 is an id
    printf 'id,parent,text\nk1,0,I started journaling after reading this\n' >k.csv
    expect_status 0 "$KINDLY" score -m m.db --rules p.rules k.csv
    contains "$T/out" '"rules":[{"name":"REPLY"'
    echo "I started journaling" | "$KINDLY" check -m m.db --rules p.rules --parent 0 >check.json || true
    contains check.json '"rules":[{"name":"REPLY"'
}

# kindly rules --compile FILE writes FILE.compiled, which check and score then read instead of
# compiling the patterns: the same verdicts, byte for byte. An edited, truncated or damaged
# one is noted once on stderr (both files and the command that refreshes it) and compiled
# around; check and score never write one.
test_compiled_rules_give_the_same_output_and_stale_ones_are_noted() {
    rules_model
    cp "$ROOT/models/default.rules" r.rules
    printf 'Buy cheap xanax online, no prescription needed! WhatsApp +1 555 0100 123\n' >c.txt
    "$KINDLY" check -m m.db --rules r.rules <c.txt >plain.json 2>plain.err || true
    "$KINDLY" score -m m.db --rules r.rules "$RD/score.csv" >plain.csv.json
    [ ! -e r.rules.compiled ] || fail "check or score wrote a compiled file"
    [ ! -s plain.err ] || fail "a note without a compiled file: $(cat plain.err)"
    expect_status 0 "$KINDLY" rules --compile r.rules
    contains "$T/out" "r.rules: compiled into r.rules.compiled"
    [ -s r.rules.compiled ] || fail "no r.rules.compiled"
    cp r.rules.compiled first.compiled
    expect_status 0 "$KINDLY" rules --compile --rules r.rules
    cmp -s r.rules.compiled first.compiled || fail "compiling the same text twice gave other bytes"
    "$KINDLY" check -m m.db --rules r.rules <c.txt >fast.json 2>fast.err || true
    "$KINDLY" score -m m.db --rules r.rules "$RD/score.csv" >fast.csv.json
    [ ! -s fast.err ] || fail "a note for a fresh compiled file: $(cat fast.err)"
    cmp -s plain.json fast.json || fail "check differs with the compiled file"
    cmp -s plain.csv.json fast.csv.json || fail "score differs with the compiled file"
    contains fast.json '"name":"PHARMA_SALE"'
    # edited since: the text's rules, and one note
    printf 'text XANAX_NEW /xanax/ 3 added\n' >>r.rules
    "$KINDLY" check -m m.db --rules r.rules <c.txt >stale.json 2>stale.err || true
    lines stale.err 1
    contains stale.err "kindly check: note: r.rules.compiled was compiled from another text of r.rules"
    contains stale.err "refresh it: kindly rules --compile r.rules"
    contains stale.json '"name":"XANAX_NEW"'
    rm r.rules.compiled
    "$KINDLY" check -m m.db --rules r.rules <c.txt >edited.json || true
    cmp -s stale.json edited.json || fail "a stale compiled file changed the verdict"
    # truncated, damaged: noted, the same output as without
    head -c 300 first.compiled >r.rules.compiled
    cp "$ROOT/models/default.rules" r.rules
    "$KINDLY" score -m m.db --rules r.rules "$RD/score.csv" >trunc.csv.json 2>trunc.err
    contains trunc.err "kindly score: note: r.rules.compiled is truncated or damaged"
    cmp -s plain.csv.json trunc.csv.json || fail "score differs with a truncated compiled file"
    cp first.compiled r.rules.compiled
    printf 'Z' | dd of=r.rules.compiled bs=1 seek=2000 conv=notrunc 2>/dev/null
    expect_status 0 "$KINDLY" rules --check r.rules
    contains "$T/err" "kindly rules: note: r.rules.compiled is truncated or damaged"
    # a syntax error is reported as without a compiled file
    cp first.compiled r.rules.compiled
    printf 'text BAD /(unclosed/ 2\n' >>r.rules
    local bad; bad=$(wc -l <r.rules)
    expect_status 5 "$KINDLY" rules --check r.rules
    contains "$T/err" "r.rules:$bad:20: missing closing parenthesis"
    expect_status 5 "$KINDLY" rules --compile r.rules
    contains "$T/err" "r.rules:$bad:20: missing closing parenthesis"
    cmp -s r.rules.compiled first.compiled || fail "a failed --compile replaced the compiled file"
    expect_status 5 "$KINDLY" rules --compile missing.rules
    contains "$T/err" "cannot open rule file missing.rules: No such file or directory"
}

# An empty rule file name is the caller's mistake, named as one and refused before any file is
# read (exit 3, as --rules '' is); rules --check '' said 'no rule file path given' (exit 5),
# --compile '' ': cannot open', and --check my.rules '' checked my.rules first.
test_rules_names_an_empty_rule_file_name() {
    printf 'text OK /a/ 1\n' >ok.rules
    for mode in --check --test --compile; do
        expect_status 3 "$KINDLY" rules $mode '' </dev/null
        contains "$T/err" "kindly rules: empty file name: name a rule file (kindly rules $mode FILE)"
        lines "$T/err" 1
    done
    expect_status 3 "$KINDLY" rules --check ok.rules ''
    not_contains "$T/out" "ok.rules: ok"
}

# rules --check - checks the rule file on standard input, as other commands read their input
# there (it opened a file named '-': "cannot open rule file -"): messages name it <stdin>, with
# its lines, and its word lists are found in the working directory. --test reads its comment
# there and --compile writes beside the file: '-' is a usage error to both, as is '-' twice.
test_rules_check_reads_a_rule_file_on_standard_input() {
    printf 'text OK /a/ 1\ntext BAD /(unclosed/ 2\n' >bad.rules
    expect_status 5 sh -c "\"\$KINDLY\" rules --check - < bad.rules"
    contains "$T/err" "kindly rules: <stdin>:2:20: missing closing parenthesis"
    printf 'text OK /a/ 1\nmoderate-list words.txt\n' >ok.rules
    printf 'zqword\n' >words.txt
    expect_status 0 sh -c "\"\$KINDLY\" rules --check - < ok.rules"
    [ "$(cat "$T/out")" = "<stdin>: ok, 2 rules (0 sub-rules), patterns JIT-compiled" ] ||
        [ "$(cat "$T/out")" = "<stdin>: ok, 2 rules (0 sub-rules), patterns interpreted (no JIT)" ] ||
        fail "$(cat "$T/out")"
    # with files, in order, the first error not hiding the others
    expect_status 5 sh -c "\"\$KINDLY\" rules --check ok.rules - ok.rules < bad.rules"
    [ "$(grep -c ': ok, ' "$T/out")" -eq 2 ] || fail "$(cat "$T/out")"
    contains "$T/err" "<stdin>:2:20: missing closing parenthesis"
    for mode in --test --compile; do
        expect_status 3 sh -c "\"\$KINDLY\" rules $mode - < ok.rules"
        contains "$T/err" "kindly rules: '-' is no rule file for $mode"
    done
    [ ! -e ./-.compiled ] || fail "a compiled file was written"
    expect_status 3 sh -c "\"\$KINDLY\" rules --check - - < ok.rules"
    contains "$T/err" "standard input is read once"
    expect_status 5 sh -c "\"\$KINDLY\" rules --check - <&-"
    contains "$T/err" "kindly rules: cannot read the rule file: standard input is closed"
}

# A model given as a rule file (rules --check m.db, score --rules m.db) is named as one: it was
# 'm.db:1:16: NUL byte in the rule file', the NUL of SQLite's header.
test_a_model_given_as_a_rule_file_is_named_so() {
    rules_model
    for cmd in "rules --check m.db" "rules --test m.db" "score --rules m.db $RD/score.csv"; do
        # shellcheck disable=SC2086
        expect_status 5 "$KINDLY" $cmd </dev/null
        contains "$T/err" "m.db is an SQLite database (a kindly model?), not a rule file"
        lines "$T/err" 1
    done
}

# A file of one kind of comment (approved.csv of the README's 'rules --stats approved.csv
# spam.csv') has no share of the other kind to give: n/a (null), and no S/O; they were 0.000,
# and S/O 0.000 or 1.000, as if measured. The files together have all the figures.
test_rules_stats_of_one_kind_of_comment_has_no_share_of_the_other() {
    printf 'text HELLO /hello/i 1 says hello\n' >h.rules
    printf 'id,text,label\n1,hello there,ham\n2,a nice walk,ham\n' >approved.csv
    printf 'id,text,label\n3,hello buy pills,spam\n' >spam.csv
    expect_status 0 "$KINDLY" rules --stats --rules h.rules approved.csv spam.csv
    grep -q '^approved.csv: 0 spam, 2 ham$' "$T/out" || fail "$(cat "$T/out")"
    grep -q '^ *n/a *50.000 *n/a *1.00 *HELLO$' "$T/out" || fail "ham only: $(cat "$T/out")"
    grep -q '^ *100.000 *n/a *n/a *1.00 *HELLO$' "$T/out" || fail "spam only: $(cat "$T/out")"
    grep -q '^ *100.000 *50.000 *0.667 *1.00 *HELLO$' "$T/out" || fail "together: $(cat "$T/out")"
    expect_status 0 "$KINDLY" rules --stats --json --rules h.rules approved.csv spam.csv
    contains "$T/out" '{"file":"approved.csv","spam":0,"ham":2,"limits":0,"rules":[{"name":"HELLO","score":1,"spam_hits":0,"ham_hits":1,"spam_pct":null,"ham_pct":50.0000,"so":null}]}'
    contains "$T/out" '{"file":"spam.csv","spam":1,"ham":0,"limits":0,"rules":[{"name":"HELLO","score":1,"spam_hits":1,"ham_hits":0,"spam_pct":100.0000,"ham_pct":null,"so":null}]}'
    contains "$T/out" '"spam_hits":1,"ham_hits":1,"spam_pct":100.0000,"ham_pct":50.0000,"so":0.6667}'
}

# A word list's entries are compiled the first time a comment has them (rules.c,
# kd_rules_entry_code), by whichever server thread meets them first: concurrent requests for
# the same new entries all fire them (make tsan runs this: no data race on the shared rules).
test_server_word_list_entries_met_by_concurrent_requests() {
    for i in $(seq 0 499); do echo "zqword$i"; done >words.txt
    printf 'disallow-list words.txt\n' >w.rules
    start_server --rules w.rules --threads 4
    pids=()
    for i in $(seq 0 31); do
        k=$((i % 8))
        curl -s -H 'Content-Type: application/json' --data-binary "{\"id\":\"c$i\",\"text\":\"see zqword$k and zqword$((k + 100))\"}" \
            "$URL/v1/classify" >"r$i.json" &
        pids+=($!)
    done
    wait "${pids[@]}"
    for i in $(seq 0 31); do
        k=$((i % 8))
        contains "r$i.json" "\"disallow:zqword$k\""
        contains "r$i.json" "\"disallow:zqword$((k + 100))\""
    done
}
