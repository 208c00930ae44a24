/* feed.h - feeding CSV rows to a training batch (CLI internal). */
#ifndef KD_CLI_FEED_H
#define KD_CLI_FEED_H

#include "cli.h"

typedef struct cli_feed_counts {
    unsigned long learned, spam, unlabelled, skipped;
    unsigned long pending, trashed; /* of the unlabelled, a WordPress export's comment_approved
                                       0, and trash or post-trashed (cli_wp_unlabelled) */
    unsigned long dates; /* recorded with an unreadable date (named as FILE:LINE) */
    unsigned long refused; /* files refused whole (not CSV, no text column: named on stderr) */
} cli_feed_counts;

/* After a summary's "N unlabelled rows not learnt": what a WordPress export's were, " (6
 * pending, 4 trash or post-trashed)", ", 1 other" when some were not of those (an empty or
 * unknown comment_approved, another file's); nothing when none was a WordPress status. */
void cli_feed_unlabelled_why(const cli_feed_counts *n);

/* Add (delta +1) or remove (-1) every labelled row of path; force overrides the row's label
 * unless it is KD_UNLABELLED (then warnings about the label column are not shown); flags:
 * KD_TRAIN_* (kd_train_add_ex); record: also record each learnt row in the comment history
 * (duplicates), a row with an unreadable date named on stderr (cli_note_date) and counted in
 * n->dates. Unlabelled rows are counted in n (but for those of a file of no labelled row,
 * which is named instead), and the file in n->refused when it is refused
 * whole (EXIT_INPUT, its header named: no row of it read). Returns an exit code: EXIT_DONE,
 * EXIT_INPUT (rows skipped, or no labelled row in the file: reported), or a fatal one
 * (already reported). */
int cli_feed_csv(const char *cmd, kd_model *m, const char *path, kd_label force, int delta, unsigned flags,
                 int progress, int record, cli_feed_counts *n);

#endif
