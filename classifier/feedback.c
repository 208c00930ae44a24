/*
 * feedback.c - moderator feedback on one comment, idempotent per comment (kd_feedback).
 *
 * A moderator's verdict reaches the model more than once: WordPress sends "spam", the
 * moderator clicks "Not spam", a plugin retries a request that timed out. Learning each one
 * (kd_train_add) would count the comment twice, or as spam and as ham at once. So the label
 * learnt is kept with the comment's record in the history (dedup.c, schema 7): the same label
 * again learns nothing, the other label first unlearns the one learnt before, and an undo
 * unlearns only the label the comment was given. A comment the history does not know (no id
 * and not remembered, or an older model) is learnt as kd_train_add() learns it.
 *
 * The label is checked again and written in the transaction that writes the counts, so
 * counts and label never disagree, and two writers reporting the same comment at once learn
 * it once (the second finds the label changed, its transaction rolls back, it decides again).
 */
#include "dedup.h"
#include "history.h"
#include "kindly.h"
#include "model.h"

int kd_feedback(kd_model *m, const kd_comment *c, kd_label label, int undo, int *changed)
{
    int dummy;
    if (!changed)
        changed = &dummy;
    *changed = 0;
    if (!kd_model_usable(m))
        return KD_EINVAL;
    kd_dedup_took_clear(m);
    if (!c || !c->text)
        return kd_model_no_text(m, "kd_feedback", c);
    if (label != KD_SPAM && label != KD_HAM)
        return kd_model_fail(m, KD_EINVAL, "feedback needs the label spam or ham");
    if (undo < 0 || undo > KD_UNDO_KNOWN)
        return kd_model_fail(m, KD_EINVAL, "undo must be 0, 1 or KD_UNDO_KNOWN");
    if (!(m->flags & (KD_OPEN_WRITE | KD_OPEN_CREATE))) /* even when nothing would change */
        return kd_model_fail(m, KD_EINVAL, "kd_feedback: the model was opened read-only");
    if (m->training) /* its own transaction: an open batch would be dropped */
        return kd_model_fail(m, KD_EINVAL, "kd_feedback: a training batch is open (commit or abort it first)");
    for (int attempt = 0;; attempt++) {
        kd_dedup_took_clear(m); /* (a raced attempt's is not this one's) */
        int before, rc = kd_dedup_label(m, c, 0, undo == 1 ? (int)label : KD_UNLABELLED, &before, NULL);
        if (rc)
            return rc;
        /* learnt so already; or, to undo, known and not learnt so (another label, or taken back),
         * or, for KD_UNDO_KNOWN, not known to have been learnt at all */
        if (undo ? (before != KD_UNLABELLED || undo == KD_UNDO_KNOWN) && before != label : before == label)
            return KD_OK;
        if ((rc = kd_train_begin(m)))
            return rc;
        int relabel = !undo && (before == KD_SPAM || before == KD_HAM);
        /* a label the history says was learnt is taken back as far as the counts have it, not
         * checked against them (model.c, undo_check): a CSV undo of a kindly that did not mark
         * the label taken back (model.c, uk_note) may have taken it already; the relabel's new
         * label is learnt all the same, and the undo marks the label taken back. Only an undo
         * of a comment the history knows no label of is checked, as a CSV row is. */
        m->fb_unchecked = relabel || (undo && before == label);
        if (relabel)
            rc = kd_train_add(m, c, (kd_label)before, -1);
        if (!rc)
            rc = kd_train_add(m, c, label, undo ? -1 : 1);
        if (rc) {
            m->fb_unchecked = 0;
            kd_train_abort(m);
            return rc;
        }
        /* the label is checked again, and written, in the transaction of the counts
         * (model.c, write_also): another writer's feedback on the same comment between the
         * read above and that transaction rolls this one back, and it is decided again */
        m->fb_comment = c;
        m->fb_expect = before;
        m->fb_label = undo ? KD_HIST_UNDONE : label;
        m->fb_undo = undo == 1 ? (int)label : KD_UNLABELLED;
        m->fb_raced = 0;
        rc = kd_train_commit(m);
        m->fb_comment = NULL;
        m->fb_unchecked = 0;
        if (rc && m->fb_raced && attempt < 3)
            continue;
        if (!rc)
            *changed = relabel ? 2 : 1;
        else
            kd_dedup_took_clear(m);
        return rc;
    }
}

const char *kd_feedback_took(const kd_model *m) { return m ? kd_dedup_took(m) : NULL; }

int kd_feedback_took_bare(const kd_model *m) { return kd_dedup_took_bare(m); }
