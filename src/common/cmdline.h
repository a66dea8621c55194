/* The command line as one string, for syslog: each argument serialized so
   that a shell reading it back gets the original bytes. */
#ifndef CL_CMDLINE_H
#define CL_CMDLINE_H

/* Append the serialization of one argument to a new string. */
char *cl_arg_quote(const char *arg);

/* All of argv, serialized and separated by spaces. */
char *cl_argv_serialize(int argc, char *const *argv);

/* Log "PROGRAM: uid=U args=N: PROGRAM ARGS" to syslog, where argv[0] is
   the program itself (not serialized: "clearly run" is one word here) and
   N counts it (no-op with --disable-syslog). */
void cl_syslog_cmdline(const char *program, int argc, char *const *argv);

#endif
