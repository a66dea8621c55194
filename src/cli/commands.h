/* Subcommands of the clearly program and the exit statuses they share. */
#ifndef CL_COMMANDS_H
#define CL_COMMANDS_H

#define EXIT_MISC_ERR 31
#define EXIT_EXEC_FAILED 49
#define EXIT_SQUASH_SIGNAL 84
#define EXIT_FEATURE_DISABLED 87

/* Each subcommand gets the whole command line: argv[1] is its name. */
int cmd_run(int argc, char **argv);

#endif
