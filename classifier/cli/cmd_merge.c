/*
 * cmd_merge.c - `kindly merge OUT.db IN.db...`: add models' counts together.
 */
#include <string.h>

#include "cli.h"

int cmd_merge(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (argv[i][0] == '-' && argv[i][1])
            return cli_usage("merge", "unknown option '%s'", argv[i]);
    if (argc < 3)
        return cli_usage("merge", "name the output model and at least one input model");
    kd_model *m = cli_open_model("merge", argv[1], KD_OPEN_CREATE);
    if (!m)
        return EXIT_MODEL;
    int status = EXIT_DONE;
    for (int i = 2; i < argc && status == EXIT_DONE; i++) {
        if (!strcmp(argv[i], argv[1])) {
            status = cli_usage("merge", "an input model cannot be the output model");
            break;
        }
        int rc = kd_model_merge(m, argv[i]);
        if (rc)
            status = cli_fail(cli_exit_for(rc), "merge", "%s", kd_model_error(m));
    }
    kd_model_close(m);
    return status;
}
