/*
 * main.c - kindly's command line: a table of commands (after libgit2's src/cli/main.c), one
 * file per command. `kindly help` lists them, `kindly help NAME` explains one.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "heap.h"

static int cmd_help(int argc, char **argv);
static int cmd_version(int argc, char **argv);

#define MODEL_HELP \
    "  -m, --model MODEL.db  the model (default: $KINDLY_MODEL, else the shipped\n" \
    "                        default model)\n"
#define CLASSIFY_HELP_SERVE /* the server always remembers */ \
    "      --spam-cutoff X   spam_score >= X gives the verdict spam (default 0.9)\n" \
    "      --ham-cutoff X    spam_score < X gives approve; in between: hold\n" \
    "                        (default 0.5)\n" \
    "      --scorer NAME     multinomial (default) or fisher\n" \
    "      --rules FILE      the rule file (default: the shipped\n" \
    "                        models/default.rules)\n" \
    "      --no-rules        no rules: Bayes (and the other stages) alone\n" \
    "      --offtopic-threshold X  relevance < X holds as off_topic\n" \
    "                        (default 0.30; 0 never, off: skip)\n" \
    "      --dup-threshold X similarity >= X to an earlier comment is a duplicate\n" \
    "                        (default 0.5; off: skip the duplicates stage)\n" \
    "      --dup-verdict V   verdict of a duplicate that is not spam: hold\n" \
    "                        (default), spam, approve\n" \
    "      --robinson-s S, --robinson-x X, --min-dev D, --max-tokens N\n" \
    "                        tuning of the fisher scorer (defaults 0.45, 0.5, 0.1,\n" \
    "                        150; --max-tokens 0: all); multinomial ignores them\n"
#define CLASSIFY_HELP CLASSIFY_HELP_SERVE \
    "      --remember        record the comments in the model's history (the model\n" \
    "                        is written: name it with -m or $KINDLY_MODEL); a date\n" \
    "                        that is there but unreadable (not ISO 8601), or more\n" \
    "                        than a day in the future, is named on stderr, and the\n" \
    "                        comment remembered as of now\n"

const cli_command cli_commands[] = {
    { "train", cmd_train, "Add labelled comments from CSV files to a model",
      "usage: kindly train -m MODEL.db [--foreign] [--prune N] [-q] FILE.csv...\n"
      "\n"
      "Learn every labelled row of the CSV files into MODEL.db (created if missing,\n"
      "and not left behind if nothing was learnt). Counts add up: training again adds\n"
      "to the model. Columns are found by header name: kindly's own\n"
      "(id,post_id,parent,author,email,url,ip,agent,date,label,text), the YouTube Spam\n"
      "Collection (COMMENT_ID,AUTHOR,DATE,CONTENT,CLASS) and WordPress exports\n"
      "(comment_content, comment_approved: 'spam' is spam, '1' is ham, other rows are\n"
      "not trained on).\n"
      "An id is one comment: a file's second row of an id is not learnt, but named\n"
      "with the line that was ('id 4711 already learnt as spam at line 2, and this row\n"
      "says ham') and counted as a bad row skipped (exit 4).\n"
      "Unlabelled rows are not learnt (counted on stderr; a WordPress export's split\n"
      "as '10 unlabelled rows not learnt (6 pending, 4 trash or post-trashed)', and\n"
      "', 1 other' for an empty or unknown comment_approved); a file with no text\n"
      "column or no labelled row is named on stderr and skipped, and the other\n"
      "files are learnt (exit 4), the summary counting the files not read (none is\n"
      "printed when nothing was learnt and no row skipped: the errors say why; the\n"
      "message says what a file's label column holds, or that it has none); when no\n"
      "file has a labelled row, a model is left as it was. A file that cannot be\n"
      "opened (none such, a directory, no permission) ends the run before anything\n"
      "is learnt, and every such file is named.\n"
      "Everything is written in one transaction at the end: an interrupted run leaves\n"
      "the previous model intact, and says so, and none if it was creating one\n"
      "(Ctrl-C, SIGTERM, SIGHUP). A signal that comes once that transaction is being\n"
      "written is too late to stop it: it is finished, and said to be, --prune is not\n"
      "run, and the exit status is the run's (a second signal ends train at once,\n"
      "nothing saved).\n"
      "Progress goes to stderr when it is a terminal.\n"
      "\n"
      "--foreign: the comments come from other sites or corpora (SMS, YouTube, another\n"
      "blog). They teach the spam stage like any others, but not what this site's\n"
      "comments sound like: the relevance stage leaves their ham out of the site's\n"
      "language, and their post ids are not this site's posts. Train the site's own\n"
      "comments and the foreign ones in separate calls: the foreign ones first, with\n"
      "--prune if the model must be small, then the site's own, unpruned (--prune\n"
      "drops rare tokens of every comment learnt so far, the site's words too, and\n"
      "relevance needs those: a warning says so, as info --prune's does).\n"
      "\n"
      "  -m, --model MODEL.db  the model to write (or $KINDLY_MODEL); required\n"
      "      --foreign         the files' comments come from elsewhere\n"
      "                        (spam stage only)\n"
      "      --prune N         afterwards, drop tokens seen fewer than N times in all\n"
      "                        (its own transaction: if it fails, the rows are learnt\n"
      "                        all the same; prune with info --prune then, do not\n"
      "                        train them again)\n"
      "  -q, --quiet           no summary on stderr\n"
      "\n"
      "Exit status: 0 done; 4 some rows were bad and skipped (named on stderr as\n"
      "FILE:LINE), or a file has no text column or no labelled row; 3 usage error;\n"
      "5 a file or the model could not be read or written; 6 out of memory or\n"
      "another internal error.\n" },
    { "score", cmd_score, "Classify every comment of a CSV file (a Unix filter)",
      "usage: kindly score [-m MODEL.db] [--format json|csv [--spreadsheet]]\n"
      "                    [--remember] [classification flags] [FILE.csv | -]\n"
      "\n"
      "Read comments as CSV (a file, or standard input when FILE is '-' or absent) and\n"
      "write one verdict per row, in input order: JSON Lines by default, or with\n"
      "--format csv the input columns followed by verdict, spam_score, bayes_score,\n"
      "rules, duplicate_of, similarity, duplicate_scope, relevance, generic and\n"
      "reasons (an input column of one of these names, from an earlier run, is\n"
      "replaced by this run's).\n"
      "\n"
      "JSON fields: id, verdict (approve|hold|spam), spam_score (0..1, higher is\n"
      "spammier), bayes_score, reasons (short strings: rules fired, duplicate_of,\n"
      "off_topic, the strongest tokens ...), tokens (the strongest tokens with their\n"
      "probability and counts), rules ([{name, score}]), duplicate_of (id or null),\n"
      "similarity, duplicate_scope (same_author, same_post, site or null), relevance\n"
      "(0..1 or null), generic (true/false).\n"
      "\n" MODEL_HELP
      "      --format FMT      json (default) or csv\n"
      "      --spreadsheet     with csv: a field that begins with = + - @, a tab or a\n"
      "                        carriage return gets a ' in front, so that a\n"
      "                        spreadsheet shows it as text and never runs it as a\n"
      "                        formula (comments are written by strangers)\n"
      "      --explain         a readable breakdown per comment: Bayes, each rule,\n"
      "                        the total; relevance, its two factors and the words\n"
      "                        that weighed most for and against the site\n" CLASSIFY_HELP
      "\n"
      "With --remember, a row whose date is there but unreadable ('yesterday',\n"
      "'01/05/2024'; kindly reads ISO 8601: 2024-05-01, 2024-05-01T13:45:00Z), or more\n"
      "than a day in the future, is named on stderr as FILE:LINE and remembered as of\n"
      "now (history --prune would take it for new), and counted at the end; it is\n"
      "scored all the same, exit 0. WordPress's comment_date (the site's local time;\n"
      "used when there is no comment_date_gmt) is read, when it has no offset, in the\n"
      "local time zone, as date(1) reads a time: TZ=Europe/London kindly score ...\n"
      "(remembered or not: a rule on date sees it with the offset appended,\n"
      "2024-01-15 12:00:00-05:00).\n"
      "\n"
      "A comment whose post_id names no post the model holds is scored against the\n"
      "site alone: when the model holds posts (and is not the shipped default\n"
      "model), a warning at the end counts them and names the first (the exit status\n"
      "is not changed).\n"
      "\n"
      "A file of only a header row is said on stderr ('no rows in x.csv: it has only\n"
      "its header row: nothing was scored'), exit 0: no line is written (with --format\n"
      "csv, the header), as for an export of no new comment.\n"
      "\n"
      "Exit status: 0 done; 4 some rows were bad and skipped (named on stderr as\n"
      "FILE:LINE, then counted: 'kindly score: 2 bad rows skipped'), or the input has\n"
      "no header row or no text column, or is no CSV (UTF-16, separated by ';', JSON,\n"
      "a spreadsheet, an SQLite model); 3 usage error; 5 the model, the rule file or\n"
      "the input could not be read (a rule file's error is named as\n"
      "FILE:LINE:COLUMN), the model not written (with --remember) or the output not\n"
      "written; 6 internal error. CSV output lines end in CRLF, as RFC 4180 has them.\n" },
    { "check", cmd_check, "Classify one comment read from standard input",
      "usage: kindly check [-m MODEL.db] [--author NAME] [--email ADDR] [--url URL]\n"
      "                    [--ip IP] [--agent UA] [--post POST_ID] [--parent ID]\n"
      "                    [--id ID] [--date DATE] [--remember] [--explain]\n"
      "                    [classification flags] < comment.txt\n"
      "\n"
      "Classify the text on standard input as one comment and print its verdict as one\n"
      "JSON line (the same fields as kindly score), or with --explain as kindly score\n"
      "--explain shows it: Bayes, each rule, relevance and the words that weighed for\n"
      "and against the site (the exit status the same). The flags give the comment's\n"
      "metadata, as the CSV columns of the same names; an --ip that is no IPv4 or IPv6\n"
      "address, or an --email with no domain after an '@' ('notanemail', which gives\n"
      "no e:DOMAIN token), is read as given, with a warning on stderr naming the flag\n"
      "and the value. An empty comment is classified on its metadata, with a warning\n"
      "on stderr. With --remember, a --date that is not ISO 8601 (2024-05-01,\n"
      "2024-05-01T13:45:00Z) is warned about on stderr: the comment is remembered as\n"
      "of now; its verdict is the exit status all the same.\n"
      "A --post that names no post the model holds is scored against the site alone:\n"
      "when the model holds posts (and is not the shipped default model), a warning\n"
      "on stderr says so, as score's does (the exit status is not changed).\n"
      "\n" MODEL_HELP CLASSIFY_HELP
      "\n"
      "Exit status: 0 approve, 1 spam, 2 hold; 3 usage error; 4 the comment is longer\n"
      "than 16 MiB or is UTF-16 (kindly reads UTF-8); 5 the model, the rule file or\n"
      "standard input could not be read (or the model written, with --remember), or\n"
      "the output not written; 6 internal error.\n" },
    { "learn", cmd_learn, "Teach the model from moderator feedback (or undo it)",
      "usage: kindly learn -m MODEL.db [--spam | --ham] [--undo] [--raw] [--foreign]\n"
      "                    [-q] [FILE.csv | -]\n"
      "\n"
      "Register comments as spam or ham: the rows of a CSV file (or standard input),\n"
      "or with --raw the whole of standard input as one comment's text. --undo removes\n"
      "a wrong registration made earlier with the same label; an undo of a comment the\n"
      "model cannot have learnt so (one of its words has no count of the label left,\n"
      "pruning allowed for, or no comment of the label is left) is refused, naming the\n"
      "row and the word, and nothing is written. A learning is taken back once: an\n"
      "undo under an id the history has no label for (or without one), of a text it\n"
      "knows learnt under another id, takes that learning back, and says whose ('no\n"
      "learning under id 4712; took back the learning of the same text under id\n"
      "4711'); that id's own undo then has nothing to undo; a CSV row whose learning\n"
      "(or its text's) the history has taken back already is refused, naming the row\n"
      "and the id. Without --spam or --ham, each row's own label column is used: rows\n"
      "without a label are not learnt (counted on stderr), and a file with no labelled\n"
      "row is an error.\n"
      "With --spam or --ham the flag decides, whatever a label column says. An id is\n"
      "one comment: a file's second row of an id (with another label or the same) is\n"
      "not learnt (or unlearnt), but named with the line that was,\n"
      "'FILE:LINE: id 4711 already learnt as spam at line 2, and this row says ham',\n"
      "and counted as a bad row skipped (exit 4); an id in two files is learnt in\n"
      "each. The summary on stderr says what was learnt (or unlearnt), as train's\n"
      "does: 'learnt 2 comments (1 spam, 1 ham)', then the unlabelled rows left out\n"
      "(a WordPress export's as train splits them: '(6 pending, 4 trash or\n"
      "post-trashed)') and the bad rows skipped (none when nothing was learnt and no\n"
      "row skipped: a file refused whole, not CSV or no text column, or of no row or\n"
      "no labelled row, is an error of its own). What is learnt is remembered under\n"
      "its date: a date that is there but unreadable ('yesterday'; kindly reads ISO\n"
      "8601, 2024-05-01T13:45:00Z), or more than a day in the future, is named on\n"
      "stderr (FILE:LINE, or --date), the comment learnt and remembered as of now,\n"
      "and counted in the summary ('2 remembered as of now'); the exit status\n"
      "stays 0.\n"
      "WordPress's comment_date (the site's local time; used when there is no\n"
      "comment_date_gmt) is read, when it has no offset, in the local time zone, as\n"
      "date(1) reads a time: TZ=Europe/London kindly learn ...\n"
      "\n"
      "  -m, --model MODEL.db  the model to write (or $KINDLY_MODEL); required\n"
      "      --spam, --ham     the label to learn (needed with --raw)\n"
      "      --undo            unlearn instead of learn\n"
      "      --raw             standard input is one comment's text, not CSV\n"
      "      --id ID, --post POST_ID, --author NAME, --email ADDR, --url URL, --ip IP,\n"
      "      --agent UA, --parent ID, --date DATE\n"
      "                        with --raw, the comment's other fields, as kindly check\n"
      "                        takes them: the id it is remembered under\n"
      "                        (else history:N), the post whose model ham joins, the\n"
      "                        author's tokens\n"
      "      --foreign         comments of other sites (as train --foreign): the spam\n"
      "                        stage only, not recorded in the history (an --id\n"
      "                        too: learnt again, it counts again); with --undo,\n"
      "                        unlearns what train --foreign learnt\n"
      "  -q, --quiet           no summary on stderr (errors and warnings still)\n"
      "\n"
      "Interrupted (Ctrl-C, SIGTERM, SIGHUP) while it reads a CSV file, learn stops at\n"
      "the next row, writes no count, says so naming the model, and ends by the\n"
      "signal (the comments it recorded in the history stay: run it again to learn\n"
      "them all); --raw so too while it reads its comment. A signal once its commit\n"
      "has begun is too late to stop it.\n"
      "\n"
      "Exit status: 0 done; 4 some rows were bad and skipped, or the file has no text\n"
      "column, no row (only its header) or (without --spam or --ham) no labelled row\n"
      "(what its label column holds is said), or the --raw comment is empty (only\n"
      "blanks or punctuation), longer than 16 MiB or UTF-16 (kindly reads UTF-8);\n"
      "3 usage error (also an --undo whose --foreign is not the learning's, or\n"
      "of a comment not learnt with its label);\n"
      "5 the model or the input could not be read or written; 6 internal error.\n" },
    { "eval", cmd_eval, "Measure accuracy on labelled comments",
      "usage: kindly eval [-m MODEL.db] TEST.csv...\n"
      "       kindly eval --train TRAIN.csv [--train MORE.csv...] TEST.csv...\n"
      "       kindly eval --folds K CORPUS.csv...\n"
      "       (each with [--json] [classification flags])\n"
      "\n"
      "Score labelled comments and print accuracy, precision, spam recall, ham\n"
      "false-positive rate, F1, MCC and ROC AUC (binary figures: spam_score > 0.5 is\n"
      "predicted spam; exactly 0.5, no evidence, is not), the unsure rate (share held)\n"
      "and the share of ham given the verdict spam. --train trains a model in memory\n"
      "first (a test file that is also a --train file is warned about: its figures are\n"
      "of comments the model learnt); --folds K runs K-fold cross-validation without a\n"
      "model file (the n-th distinct text in fold n mod K, and every copy of a text,\n"
      "as the duplicates stage compares texts, in its first's fold, so that no comment\n"
      "is tested on its own copy; with fewer distinct texts than K, the folds past\n"
      "them are empty and skipped, with a warning). Figures are printed for each stage\n"
      "(bayes) and for the final score.\n"
      "Several files are read as one (an export in two files: approved and spam); a\n"
      "file named twice is refused, and so is '-' (standard input, read once) as a\n"
      "--train file and a test file. Rows without a label are not evaluated (counted\n"
      "on stderr); a file with no text column or no labelled row is named on stderr\n"
      "and skipped, as train skips it, and the other files are evaluated (exit 4).\n"
      "\n" MODEL_HELP
      "      --train FILE      train an in-memory model on FILE (repeatable)\n"
      "      --folds K         K-fold cross-validation over CORPUS.csv (2 <= K <= 100)\n"
      "      --json            print the figures as one JSON object\n" CLASSIFY_HELP
      "\n"
      "ROC AUC needs both spam and ham: without one of them it is n/a (null in JSON).\n"
      "\n"
      "Exit status: 0 done; 4 some rows were bad and skipped (named on stderr as\n"
      "FILE:LINE, then counted: 'kindly eval: 2 bad rows skipped'; the figures are of\n"
      "the others), or a file has no text column or no labelled row (skipped; no\n"
      "figures if no test file has one, or no --train file: said on stderr); 3 usage\n"
      "error; 5 a file, the model or the rule file could not be read (or the model\n"
      "written, with --remember), or the output not written; 6 internal error.\n" },
    { "merge", cmd_merge, "Merge models trained on shards into one",
      "usage: kindly merge [-q] [--again] OUT.db IN.db...\n"
      "\n"
      "Add the counts of every IN.db into OUT.db (created if missing). Counts are\n"
      "sums, so the merge of models trained on parts of a corpus is the model of the\n"
      "whole corpus. Posts are merged too (a post in several inputs is kept as most\n"
      "recently updated); the comment history is not. All inputs or none: a failure\n"
      "leaves OUT.db as it was. A summary on stderr says how many models were merged\n"
      "and what OUT.db now holds (spam and ham messages, tokens, posts, retired\n"
      "posts apart).\n"
      "A new OUT.db is built as OUT.db.incomplete-XXXXXX beside it and renamed into\n"
      "place once complete (its -wal checkpointed into it): a merge that fails or is\n"
      "interrupted leaves no OUT.db (killed by SIGKILL, it leaves the incomplete file,\n"
      "which the next merge into OUT.db removes, saying so; while another merge is\n"
      "creating OUT.db, one that would create it too is refused, naming its file).\n"
      "Interrupted (Ctrl-C, SIGTERM, SIGHUP), merge says so in one line\n"
      "and dies by the signal: nothing was merged, OUT.db is as it was or not created;\n"
      "a signal once the merge was committed is too late to stop it, and said to be.\n"
      "Every model has an identity (made with the file, kept by training, copied with\n"
      "it), and OUT.db records the models it took in, and those they had taken in: an\n"
      "input OUT.db holds already (merged before, a copy of another input or of\n"
      "OUT.db, or holding a model OUT.db holds) is refused, exit 3, nothing merged,\n"
      "naming it and when it was merged, as is one that has learnt more since (the\n"
      "counts it had then are in OUT.db: merge every shard as it is now into a new\n"
      "model instead). A model last written by an older kindly is known by its counts.\n"
      "\n"
      "  -q, --quiet           no summary on stderr\n"
      "      --again           merge an input OUT.db holds already all the same (its\n"
      "                        counts are added again)\n"
      "\n"
      "Exit status: 0 done; 3 usage error, or an input OUT.db holds already; 5 a model\n"
      "could not be read or written, or is not a kindly model, or another kindly merge\n"
      "is creating OUT.db (wait for it to end); 6 out of memory or another internal\n"
      "error.\n" },
    { "info", cmd_info, "Show a model's message and token counts; prune and pack it",
      "usage: kindly info [-m MODEL.db] [--prune N] [--pack]\n"
      "\n"
      "Print the model's counts as one JSON object: model (its path), schema_version,\n"
      "spam_messages, ham_messages, tokens, posts, and apart from them retired_posts\n"
      "(imported with no title or text); after --prune or --pack, the counts as they\n"
      "are then, and with --prune, pruned: the number of tokens dropped.\n"
      "\n"
      "  -m, --model MODEL.db  the model (default: $KINDLY_MODEL, else the shipped\n"
      "                        default model; --prune and --pack need one named)\n"
      "      --prune N         drop tokens seen fewer than N times in all (on a model\n"
      "                        that has learnt the site's own comments, their rare\n"
      "                        words too, which relevance needs: a warning says so;\n"
      "                        prune other sites' corpora before learning the\n"
      "                        site's own)\n"
      "      --pack            compact the file and switch it to a rollback journal,\n"
      "                        so that it can be shipped and read from a read-only\n"
      "                        directory (it needs the only connection to the file:\n"
      "                        stop kindly serve and other users of the model first)\n"
      "\n"
      "Exit status: 0 done; 3 usage error; 5 the model could not be read or written,\n"
      "or the output not written; 6 out of memory or another internal error.\n" },
    { "posts", cmd_posts, "Import or update the posts that comments are checked against",
      "usage: kindly posts -m MODEL.db [-q] POSTS.csv...\n"
      "\n"
      "Store posts in MODEL.db (created if missing, not left behind if no post was\n"
      "imported) for the relevance stage: a comment whose post_id names a known post\n"
      "is scored against that post and the whole site; other comments against the\n"
      "site. Columns: kindly's own post_id,title,text, or a WordPress export (wp post\n"
      "list --fields=ID,post_title,post_content --format=csv); a file without a title\n"
      "column keeps the posts' titles; HTML is reduced to its text. All rows of a file\n"
      "are written in one transaction.\n"
      "\n"
      "A post with an id already known is updated; a file that names a post twice\n"
      "keeps the later row, and a post without words in its title or text (an image, a\n"
      "gallery) is kept but counts as unknown until it has words: both are warned\n"
      "about as FILE:LINE. Every file is read, whatever was wrong with the one before;\n"
      "one file named twice (under any name, or as '-') is refused. The summary on\n"
      "stderr tells new posts from updated ones: 'imported 4 posts (3 new, 1 updated);\n"
      "the model now holds 3', and from unchanged ones, whose title and text the model\n"
      "held already and which are not written (a file imported again: '(0 new, 0\n"
      "updated, 8 unchanged)'), and counts the rows skipped ('; 2 bad rows skipped',\n"
      "malformed or without a post id) and the files named above: not read (no id or\n"
      "text column, not CSV, missing) and of only a header row; none is printed when\n"
      "no post was imported (each file was named).\n"
      "No post is removed: one deleted from the blog is retired by importing it with\n"
      "an empty title and text (ID,post_title,post_content then 123,,): its words\n"
      "leave the site's, and its comments are scored against the site (unless\n"
      "approved comments were learnt on it: their words are its words); the summary\n"
      "counts it apart: 'the model now holds 15 and 1 retired (no title or text)'.\n"
      "Interrupted (Ctrl-C, SIGTERM, SIGHUP), it stops reading: the file being read is\n"
      "not imported, those before it are (said on stderr), and it ends by the signal;\n"
      "a model it was creating is not left behind.\n"
      "\n"
      "  -m, --model MODEL.db  the model to write (or $KINDLY_MODEL); required\n"
      "  -q, --quiet           no summary on stderr\n"
      "\n"
      "Exit status: 0 done; 4 rows were skipped (malformed, or without a post id:\n"
      "each named as FILE:LINE), or a file has no id or text column, or no row (only\n"
      "its header: the other files are read);\n"
      "3 usage error; 5 a file or the model could not be read or\n"
      "written; 6 out of memory or another internal error.\n" },
    { "serve", cmd_serve, "Answer over HTTP: an Akismet-compatible API and a JSON API",
      "usage: kindly serve [-m MODEL.db] [--listen HOST:PORT] [--keys FILE]\n"
      "                    [--threads N] [--max-body SIZE] [--max-connections N]\n"
      "                    [--max-per-ip N] [--timeout S] [--discard X]\n"
      "                    [--hold-as spam|ham] [--snapshot-interval S] [-q]\n"
      "                    [classification flags]\n"
      "\n"
      "Serve classification over HTTP until SIGINT or SIGTERM (then requests in\n"
      "progress are answered, up to 5 s, before it stops). SIGHUP reloads the key file\n"
      "and the rule file, both or neither (a file with an error is named on stderr and\n"
      "nothing changes); what other processes write to the model (training, posts,\n"
      "history) is picked up without a signal. Endpoints:\n"
      "  POST /1.1/comment-check, /1.1/submit-spam, /1.1/submit-ham, /1.1/verify-key\n"
      "       Akismet's API (form-encoded): answers true/false, 'Thanks for making the\n"
      "       web a better place.', valid/invalid; X-akismet-pro-tip: discard for\n"
      "       blatant spam; X-kindly-verdict, X-kindly-spam-score, and\n"
      "       X-kindly-reasons: the JSON API's reasons, '; ' between them, with\n"
      "       '%', ';' and bytes past printable ASCII percent-encoded; reasons past\n"
      "       399 bytes are left out, and it ends '(N more, cut for length)';\n"
      "       a report's X-kindly-feedback says what it did: 'learnt: as spam',\n"
      "       'unchanged: learnt as spam already', 'relabelled: learnt as ham, its\n"
      "       spam taken back'\n"
      "  POST /v1/classify  one JSON comment or an array\n"
      "                     (fields as kindly's CSV columns)\n"
      "  POST /v1/feedback  {\"label\":\"spam\"|\"ham\",\"undo\":false, ...comment}\n"
      "                     or an array\n"
      "  GET  /healthz, /metrics (Prometheus); HEAD as well\n"
      "  OPTIONS on any of them, or *: 204 with Allow (the methods taken)\n"
      "A comment remembered with a date that is there but unreadable, or more than a\n"
      "day in the future, gets X-kindly-warning: remembered as of now: unreadable\n"
      "date '...' (or: date in the future '...'). A comment naming a post the model\n"
      "does not hold (when it holds some) gets X-kindly-warning: relevance: post '...'\n"
      "is not one this model holds: scored against the site alone (...).\n"
      "Feedback is learnt at once (one transaction each); a retrain of MODEL.db by\n"
      "another process is picked up by the next request, without a restart. Posts'\n"
      "statistics that ham feedback on a post changes are computed again by the next\n"
      "request, and kept in MODEL.db for `kindly check` at most once a\n"
      "--snapshot-interval and when the server stops (a failed keep is said on\n"
      "stderr and counted in /metrics). The shipped default model (no -m, no\n"
      "$KINDLY_MODEL), and a model file this user may not write, are served\n"
      "read-only: comments are not remembered, feedback gets 403. An answer that\n"
      "failed or did not write the model (500, 503: locked past 10 s, 'not\n"
      "remembered') is said on stderr, the first at once, then at most once a minute.\n"
      "\n" MODEL_HELP
      "      --listen ADDR     HOST:PORT, [IPv6]:PORT or PORT (default 127.0.0.1:8080;\n"
      "                        PORT or :PORT alone is loopback; 0.0.0.0:PORT listens\n"
      "                        everywhere; port 0 picks a free one, printed on stderr)\n"
      "      --keys FILE       accepted keys, one a line, UTF-8 ('#' comments, also\n"
      "                        after a key; a file without a key is refused). Akismet\n"
      "                        clients send theirs as KEY.host or api_key, JSON API\n"
      "                        clients as 'Authorization: Bearer KEY' (else 401);\n"
      "                        /healthz and /metrics need none. Without it no key is\n"
      "                        needed, and whoever reaches the port teaches the model.\n"
      "                        Keys have up to 255 bytes, and all the same rights over\n"
      "                        the one model\n"
      "      --threads N       worker threads, each with its own model handle\n"
      "                        (1 to 256; default: the CPUs, at most 64)\n"
      "      --max-body SIZE   largest request body, bytes or with k/M/G (default 1M);\n"
      "                        over: 413; bodies held at once, all connections:\n"
      "                        64 x SIZE (over: 503)\n"
      "      --max-connections N  connections held at once (default 4096); past it\n"
      "                        a new one waits, unanswered, in the listen queue until\n"
      "                        one closes (counted in /metrics, logged at most once a\n"
      "                        minute)\n"
      "      --max-per-ip N    connections one client address holds at once (default\n"
      "                        64, none on a loopback --listen, where every client is\n"
      "                        this host's; 0: no limit); past it a new one is closed\n"
      "                        at once, unanswered (counted in /metrics, logged at\n"
      "                        most once a minute). Behind a proxy every client is\n"
      "                        the proxy's address: raise it, or 0\n"
      "      --timeout S       close a connection idle for S seconds, unanswered,\n"
      "                        also in a body that stopped coming (one that sent no\n"
      "                        request is counted in /metrics); a body still coming\n"
      "                        after S seconds is answered 408 (one announced over\n"
      "                        --max-body: 413), and its connection closed\n"
      "                        (default 30)\n"
      "      --discard X       spam with spam_score >= X gets\n"
      "                        X-akismet-pro-tip: discard (0.99)\n"
      "      --hold-as WHAT    Akismet answer for a held comment: ham (false, default:\n"
      "                        WordPress publishes it unless its own moderation holds\n"
      "                        it) or spam (true, never discard: WordPress's Spam\n"
      "                        folder, which the Akismet plugin empties of comments\n"
      "                        older than 15 days)\n"
      "      --snapshot-interval S  keep the posts' statistics in MODEL.db after a\n"
      "                        feedback at most once in S seconds (default 60; 0: only\n"
      "                        when the server stops)\n"
      "  -q, --quiet           no start/stop messages on stderr (but the port that\n"
      "                        --listen's port 0 picked)\n" CLASSIFY_HELP_SERVE
      "\n"
      "SIGTERM or SIGINT: no new request; those under way get up to 5 s, then exit 0\n"
      "(how many were still under way, closed unanswered, is said on stderr). A\n"
      "second one in those seconds ends it at once, by the signal.\n"
      "\n"
      "Exit status: 0 stopped by a signal; 3 usage error; 5 the model, rules or keys\n"
      "could not be read (or the key file has no key), or the address could not be\n"
      "listened on; 6 out of memory, another internal error, or libmicrohttpd or\n"
      "jansson (Debian: libmicrohttpd12, libjansson4) could not be loaded.\n" },
    { "rules", cmd_rules, "Check a rule file, test it on a comment, measure it on a corpus",
      "usage: kindly rules --check [FILE...]\n"
      "       kindly rules --test [FILE] [--author NAME] [--email ADDR] [--url URL]\n"
      "                    [--ip IP] [--agent UA] [--post ID] [--parent ID]\n"
      "                    [--date DATE] [--id ID] < comment.txt\n"
      "       kindly rules --stats [--rules FILE] [--json] CORPUS.csv...\n"
      "       kindly rules --compile [FILE...]\n"
      "\n"
      "Check rule files, try them on one comment, or measure them on labelled\n"
      "comments. A rule that fires on a comment (a pattern on its text or metadata, a\n"
      "limit on its links or length) adds its score to the Bayes score; a moderate,\n"
      "disallow or allow line holds the comment, makes it spam or approves it.\n"
      "--check compiles each rule file (default: the shipped models/default.rules) and\n"
      "reports the first error as FILE:LINE:COLUMN: why (PCRE2's message for a bad\n"
      "pattern); FILE '-' is the rule file on standard input, named <stdin> (its word\n"
      "lists are looked for in the working directory; --test and --compile take no\n"
      "'-'). --test evaluates the rules on the comment read from standard input\n"
      "(the flags give its metadata) and lists what fired, with scores, where each\n"
      "rule is ('line 3'; 'line 1 of lists/bad.txt' for a word list's entry) and the\n"
      "total (an empty comment is tested all the same, with a warning on stderr, as\n"
      "check gives).\n"
      "--stats runs the rules on every labelled row of each CSV file and prints, per\n"
      "rule, the share of spam and of ham it hits and S/O = spam% / (spam% + ham%),\n"
      "like SpamAssassin's hit-frequencies (n/a where it is undefined: a share of no\n"
      "spam or no ham, the S/O of a rule that never fired); given several files, then\n"
      "the same for all of them together (an export in two files: approved and spam;\n"
      "a file named twice, under any name or as '-', is refused).\n"
      "--compile writes each rule file's compiled patterns (default: the shipped\n"
      "rules) to FILE.compiled, which every command loading FILE then reads instead of\n"
      "compiling them (a third of the instructions of a one-comment check), while its\n"
      "header proves it belongs to this text of FILE, this kindly and this PCRE2;\n"
      "otherwise FILE is compiled as without it, with a note on stderr. Only --compile\n"
      "writes it (and make, for the shipped rules).\n"
      "The rule file format is described in the README, section Rules.\n"
      "\n"
      "      --rules FILE      the rule file, as a FILE argument names it (for --stats\n"
      "                        the only way; default: the shipped one)\n"
      "      --json            --stats: one JSON object per corpus (and one with\n"
      "                        \"file\": null for all of them together)\n"
      "\n"
      "Exit status: 0 done; 3 usage error; 4 unreadable input rows (named on stderr\n"
      "as FILE:LINE, then counted: 'kindly rules: 2 bad rows skipped'), or (--stats)\n"
      "no labelled row (what its label column holds is said, or that it has none), or\n"
      "(--test) a comment longer than 16 MiB or in UTF-16 (kindly reads UTF-8); 5 a\n"
      "rule file or corpus could not be read or has an error (named as\n"
      "FILE:LINE:COLUMN), or FILE.compiled or the output could not be written; 6 out\n"
      "of memory or another internal error.\n" },
    { "history", cmd_history, "Show and prune the comment history used to find duplicates",
      "usage: kindly history [-m MODEL.db] [--stats]\n"
      "                      [--prune [--keep-days N] [--keep N]]\n"
      "       kindly history [-m MODEL.db] --id ID [--id ID ...]\n"
      "\n"
      "Print the counts of the model's comment history, the comments a new one is\n"
      "compared with to find duplicates, what it holds of a comment (--id), or prune\n"
      "it to its retention.\n"
      "The history holds a fingerprint of every comment remembered (score, check or\n"
      "eval --remember, kindly learn, the server): id, post, hashes of author, e-mail\n"
      "and IP, time, a hash of the normalised text and MinHash signatures; not the\n"
      "text.\n"
      "--stats (the default) prints its counts as JSON: model (its path), comments,\n"
      "index_entries (12 a comment; an estimate: of a text's copies past its 32nd,\n"
      "one in 16 at most is indexed), file_bytes (the whole model file), oldest and\n"
      "newest (the comments' times in Unix seconds; 0 when there is none), oldest_utc\n"
      "and newest_utc (the same in ISO 8601 UTC, \"2024-05-01T13:45:00Z\"; null when\n"
      "there is none), and with --prune, pruned: the number deleted. --prune enforces\n"
      "the retention: comments more than N days old (--keep-days, default 90; one\n"
      "exactly N days old, to the second, stays; 0: all) and all but the newest N\n"
      "recorded (--keep) are deleted; --keep alone prunes by count only (no age\n"
      "limit), --keep-days and --keep both.\n"
      "A comment's age is from its own date (comment_date_gmt, date), or from when it\n"
      "was recorded if it has none, an unreadable one or one more than a day in the\n"
      "future (named on stderr when it is recorded, or in the server's\n"
      "X-kindly-warning): a backlog learnt today from last year's export is pruned at\n"
      "once with the default; give a larger --keep-days to keep it. A prune runs in\n"
      "short transactions, so the server's writes never wait long for it; stopped\n"
      "part-way, it leaves the comments it had not deleted yet counted but perhaps no\n"
      "longer found as duplicates: run it again.\n"
      "--id ID (repeatable; WordPress's comment_ID) prints one JSON line an id, in\n"
      "the order given: {\"id\":\"1170\",\"found\":true,\"comments\":[{\"seq\":2,\n"
      "\"post\":\"12\",\"time\":1714571100,\"time_utc\":\"2024-05-01T13:45:00Z\",\n"
      "\"learnt\":\"spam\"}]}, a comment for each record under the id, earliest first (an\n"
      "edited comment has one a text): seq the record's number, post null when\n"
      "none, learnt the label feedback gave it, its learning in the model: \"spam\",\n"
      "\"ham\", \"taken_back\" (undone), or null when the history records none (only\n"
      "checked or scored, or learnt by train or from a CSV file, which record no\n"
      "label). An id not held (never remembered, or pruned) is {\"id\":\"9999\",\n"
      "\"found\":false,\"comments\":[]}, exit status 1. A comment recorded without an\n"
      "id is asked for by the name duplicate_of gives it, --id history:SEQ. Each\n"
      "--id reads the whole history (no index holds every id); the model is only\n"
      "read.\n"
      "\n"
      "  -m, --model MODEL.db  the model (default: $KINDLY_MODEL, else the shipped\n"
      "                        default model; --prune needs one named)\n"
      "      --prune           delete old comments (see --keep-days and --keep)\n"
      "      --keep-days N     keep the comments at most N days old, delete older\n"
      "                        ones (default 90, unless --keep is given alone; 0:\n"
      "                        delete all)\n"
      "      --keep N          keep at most the newest N comments (from 1; to\n"
      "                        delete all: --keep-days 0)\n"
      "      --stats           print the counts (after pruning, with --prune)\n"
      "      --id ID           what the history holds of comment ID (not with\n"
      "                        --prune or --stats)\n"
      "\n"
      "Exit status: 0 done; 1 an --id not in the history; 3 usage error; 5 the\n"
      "model could not be read or written, or the output not written; 6 out of\n"
      "memory or another internal error.\n" },
    { "help", cmd_help, "Show help for a command",
      "usage: kindly help [COMMAND]\n"
      "\n"
      "Without COMMAND, the list of commands (as 'kindly --help'); with one, its\n"
      "flags, input and exit status (as 'kindly COMMAND --help').\n"
      "\n"
      "Exit status: 0 done; 3 usage error (no such command, or more than one\n"
      "named); 5 the output not written.\n" },
    { "version", cmd_version, "Print kindly's version",
      "usage: kindly version\n"
      "\n"
      "Print the version of kindly on standard output, as one line: 'kindly " KINDLY_VERSION "'\n"
      "(the version of libkindly, kd_version(), which the server's GET /healthz gives\n"
      "too). 'kindly --version' prints the same.\n"
      "\n"
      "Exit status: 0 done; 3 usage error (an argument given); 5 the output not\n"
      "written.\n" },
    { NULL, NULL, NULL, NULL },
};

const cli_command *cli_find(const char *name)
{
    for (const cli_command *c = cli_commands; c->name; c++)
        if (!strcmp(c->name, name))
            return c;
    return NULL;
}

static void overview(FILE *f)
{
    fputs("usage: kindly COMMAND [ARGS]\n"
          "\n"
          "kindly classifies blog comments: spam, duplicates, off-topic. Commands:\n\n",
          f);
    for (const cli_command *c = cli_commands; c->name; c++)
        fprintf(f, "  %-9s %s\n", c->name, c->summary);
    fputs("\nRun 'kindly help COMMAND' for a command's flags, input and exit status.\n"
          "Options go before or after the files; an option given twice keeps its last\n"
          "value (eval --train adds a file each time); after '--' every argument is a\n"
          "file, and '-' is standard input.\n",
          f);
}

static int cmd_help(int argc, char **argv)
{
    if (argc > 2 && !strcmp(argv[1], "--")) { /* kindly help -- score: "--" ends no option here */
        argc--;
        argv++;
    }
    if (argc < 2) {
        overview(stdout);
        return EXIT_DONE;
    }
    if (argc > 2)
        return cli_usage("help", "takes one command ('%s' after '%s')", argv[2], argv[1]);
    return cli_help(argv[1]);
}

static int cmd_version(int argc, char **argv)
{
    if (argc > 1)
        return cli_usage("version", "takes no argument ('%s')", argv[1]);
    printf("kindly %s\n", kd_version());
    return EXIT_DONE;
}

/* Whether the option a[0..n) takes a value in command cmd: -m, the one short option that
 * does, or a long one. */
static int takes_value(const char *cmd, const char *a, size_t n)
{
    if (!strcmp(cmd, "history") && n == 7 && !strncmp(a, "--prune", 7)) /* a flag there */
        return 0;
    static const char *const with_value[] = {
        "-m", "--model", "--format", "--rules", "--scorer", "--spam-cutoff", "--ham-cutoff", "--robinson-s",
        "--robinson-x", "--min-dev", "--max-tokens", "--offtopic-threshold", "--dup-threshold", "--dup-verdict",
        "--id", "--post", "--author", "--email", "--url", "--ip", "--agent", "--parent", "--date", "--prune",
        "--folds", "--train", "--keep", "--keep-days", "--listen", "--keys", "--threads", "--max-body",
        "--max-connections", "--max-per-ip", "--timeout", "--discard", "--hold-as", "--snapshot-interval", NULL,
    };
    for (const char *const *o = with_value; *o; o++)
        if (strlen(*o) == n && !strncmp(*o, a, n))
            return 1;
    return 0;
}

/* The options whose value is a file, for the commands whose help shows them (usage): an empty
 * name is the caller's mistake, a usage error said as the CSV reader says it of an empty
 * input file name, before anything is opened (it was the library's "no model path given", or
 * open's ENOENT naming nothing: exit 5). Here, where every option is seen, and not where
 * each file is opened (cli_open_model, cli_load_rules, the server's key loading): check
 * reads its comment before it loads the rules or opens the model, so a terminal would wait
 * for a comment only to be told the flag was empty; an opener knows not whether -m or
 * --model named the file; and the keys are read by the server's code. */
static const struct {
    const char *flag, *usage, *what, *dash; /* dash: why '-' is none */
} file_options[] = {
    { "-m", "-m MODEL", "a model file (-m MODEL.db)", CLI_DASH_MODEL },
    { "--model", "-m MODEL", "a model file (-m MODEL.db)", CLI_DASH_MODEL },
    { "--rules", "--rules FILE", "a rule file (--rules FILE), or give --no-rules",
      "'-' is no rule file: rules are read from a file, not standard input (a file named - is ./-)" },
    { "--keys", "--keys FILE", "the file of accepted keys (--keys FILE)",
      "'-' is no key file: keys are read from a file, not standard input (a file named - is ./-)" },
};

/* EXIT_DONE, or the usage error (said) when a[0..n) is a file option of c and v is empty, or
 * is '-': a model is an SQLite file, never standard input (it was taken for a file named
 * '-', which a writing command created and messages called '<stdin>'), and the rules and
 * the keys are read from files too (check and score read their comments on standard input;
 * '-' was "cannot open rule file -"); or a model named ':memory:', SQLite's database in memory,
 * which a writing command filled and threw away ("now has 1 spam and 1 ham messages"). */
static int bad_file_value(const cli_command *c, const char *a, size_t n, const char *v)
{
    for (size_t i = 0; i < sizeof file_options / sizeof *file_options; i++) {
        if (strlen(file_options[i].flag) != n || strncmp(a, file_options[i].flag, n) ||
            !strstr(c->usage, file_options[i].usage))
            continue;
        if (!*v)
            return cli_fail(EXIT_USAGE, c->name, "%.*s: empty file name: name %s", (int)n, a, file_options[i].what);
        if (!strcmp(v, "-"))
            return cli_fail(EXIT_USAGE, c->name, "%.*s: %s", (int)n, a, file_options[i].dash);
        if (!strcmp(v, ":memory:") && !strcmp(file_options[i].usage, "-m MODEL"))
            return cli_fail(EXIT_USAGE, c->name, "%.*s: %s", (int)n, a, CLI_MEMORY_MODEL);
    }
    return EXIT_DONE;
}

/* kindly -m blog.db score x.csv: options before the command. When a later argument is a
 * command, show the command line in the right order. */
static int options_first(int argc, char **argv)
{
    int at = 0;
    for (int i = 2; i < argc && !at; i++)
        if (cli_find(argv[i]))
            at = i;
    if (argv[1][0] != '-' || !at)
        return 0;
    kd_buf b = KD_BUF_INIT, l = KD_BUF_INIT;
    kd_buf_printf(&b, "no command '%s': the command comes first, then its options: kindly %s", argv[1], argv[at]);
    for (int i = 1; i < argc; i++)
        if (i != at)
            kd_buf_printf(&b, " %s", *argv[i] ? argv[i] : "''"); /* an empty value seen */
    fprintf(stderr, "kindly: %s\n", b.oom ? "no command: the command comes first, then its options"
                                             : cli_line(&l, b.s));
    kd_buf_free(&b);
    kd_buf_free(&l);
    fprintf(stderr, "Try 'kindly help %s'.\n", argv[at]);
    return 1;
}

int main(int argc, char **argv)
{
    /* first, before any malloc: the heap on huge pages (heap.c; docs/BENCHMARKS.md: a
     * one-comment check takes about 80 fewer page faults, score of sms.csv 1,650 fewer) */
    kd_heap_huge_pages();
    cli_guard_std_fds();
    /* a file size limit (ulimit -f) reached is an error to report (EFBIG: exit 5, the model
     * left as it was), not a death by SIGXFSZ with nothing said */
    signal(SIGXFSZ, SIG_IGN);
    if (argc < 2) {
        overview(stderr);
        return EXIT_USAGE;
    }
    /* 'kindly help' and 'kindly version' spelled as options, taking what they take: a command
     * to show (kindly --help score), and no argument */
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
        return cli_finish("help", cmd_help(argc - 1, argv + 1));
    if (!strcmp(argv[1], "--version"))
        return cli_finish("version", cmd_version(argc - 1, argv + 1));
    const cli_command *c = cli_find(argv[1]);
    if (!c) {
        if (options_first(argc, argv))
            return EXIT_USAGE;
        fprintf(stderr, "kindly: no command '%s'\n", argv[1]);
        overview(stderr);
        return EXIT_USAGE;
    }
    /* help: an argument --help or -h, not the value of an option (`check --author --help`
     * is a comment by an author of that name, and its verdict is the exit status) */
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--"))
            break;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
            return cli_finish(c->name, cli_help(c->name));
        if (takes_value(c->name, argv[i], strlen(argv[i])) && i + 1 < argc && strcmp(argv[i + 1], "--"))
            i++;
    }
    /* GNU spellings, for every command: "-mFILE" is "-m FILE"; "--opt=VALUE" is "--opt VALUE" for an option that
     * takes a value (another "--flag=x" is left whole: the command calls it unknown); the
     * word after such an option is its value, whatever it looks like, but "--": an option
     * just before it has no value (the usage error of a value missing), as the file after it
     * is no option's value; after "--" every argument is a file: "--" is passed on when one
     * follows it, and the command takes them as they are (cli_operand), so that messages name
     * a file "-x.csv" as the user gave it ("-" stays standard input) */
    char **args = calloc(2 * (size_t)argc + 1, sizeof *args), **own = calloc((size_t)argc + 1, sizeof *own);
    if (!args || !own) {
        fprintf(stderr, "kindly: out of memory\n");
        return EXIT_INTERNAL;
    }
    int n = 0, files = 0, nown = 0, status = EXIT_DONE;
    args[n++] = argv[1];
    for (int i = 2; i < argc && status == EXIT_DONE; i++) {
        const char *a = argv[i], *eq = strchr(a, '=');
        if (!files && takes_value(c->name, a, strlen(a)) && i + 1 < argc && !strcmp(argv[i + 1], "--")) {
            status = cli_bad_option(c->name, a, 1, "");
        } else if (!files && takes_value(c->name, a, strlen(a)) && i + 1 < argc) {
            status = bad_file_value(c, a, strlen(a), argv[i + 1]);
            args[n++] = argv[i++];
            args[n++] = argv[i]; /* the value, verbatim */
        } else if (!files && !strcmp(a, "--")) {
            files = 1;
            if (i + 1 < argc)
                args[n++] = argv[i];
        } else if (!files && a[0] == '-' && a[1] == 'm' && a[2]) { /* -mMODEL.db, as getopt takes it */
            args[n++] = "-m";
            args[n++] = (char *)a + 2;
            status = bad_file_value(c, "-m", 2, a + 2);
        } else if (!files && !strncmp(a, "--", 2) && eq && eq > a + 2 && takes_value(c->name, a, (size_t)(eq - a))) {
            char *name = strndup(a, (size_t)(eq - a));
            if (!name) {
                fprintf(stderr, "kindly: out of memory\n");
                return EXIT_INTERNAL;
            }
            own[nown++] = args[n++] = name;
            args[n++] = (char *)eq + 1;
            status = bad_file_value(c, a, (size_t)(eq - a), eq + 1);
        } else {
            args[n++] = argv[i];
        }
    }
    if (status == EXIT_DONE)
        status = cli_finish(c->name, c->run(n, args));
    for (int i = 0; i < nown; i++)
        free(own[i]);
    free(own);
    free(args);
    return status;
}
