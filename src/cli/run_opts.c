#include "config.h"

#include <argp.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "join.h"
#include "run_opts.h"
#include "util.h"

enum {
   OPT_CAP_ADD = 256, OPT_CAP_DROP, OPT_CPUS, OPT_CPU_WEIGHT, OPT_ENV_NO_EXPAND, OPT_FEATURE,
   OPT_HOME, OPT_JOIN_PID, OPT_JOIN_CT, OPT_JOIN_TAG, OPT_LABEL, OPT_MEMORY_MAX, OPT_NAME,
   OPT_PASSWD, OPT_PIDS_MAX, OPT_SYSCTL, OPT_TEST, OPT_UNSAFE, OPT_UNSET_ENV, OPT_WARNINGS,
   OPT_ENV, OPT_ENV0, OPT_JOIN_TIMEOUT, OPT_SECCOMP,
};

/* argp adds -V/--version for it. */
const char *argp_program_version = PACKAGE_VERSION;

static const struct argp_option options[] = {
   { 0, 0, 0, 0, "Image and mounts:", 1 },
   { "bind", 'b', "SRC[:DST]", 0, "bind-mount host SRC at guest DST (default: same path); "
     "repeatable", 1 },
   { "write", 'w', 0, 0, "mount the image read-write (avoid: prefer --overlay)", 1 },
   { "overlay", 'o', "SIZE", OPTION_ARG_OPTIONAL, "overlay a writeable tmpfs of at most SIZE "
     "(default " CL_OVERLAY_SIZE_DEFAULT ") on the image; writes are discarded at exit", 1 },
   { 0, 'W', 0, 0, "same as --overlay", 1 },
   { "home", OPT_HOME, 0, 0, "bind-mount $HOME at /home/$USER (implies --overlay)", 1 },
   { "tmp", 't', 0, 0, "bind-mount host /tmp (or $TMPDIR) at /tmp instead of a new tmpfs", 1 },
   { "passwd", OPT_PASSWD, 0, 0, "bind-mount host /etc/passwd and /etc/group instead of "
     "generated ones", 1 },
   { "mount", 'm', "DIR", 0, "SquashFS mount point (must exist)", 1 },
   { "storage", 's', "DIR", 0, "image storage directory", 1 },
   { "runtime", 'r', "DIR", 0, "runtime directory", 1 },

   { 0, 0, 0, 0, "Process:", 2 },
   { "cd", 'c', "DIR", 0, "initial working directory in the container", 2 },
   { "uid", 'u', "UID", 0, "run as user UID within the container", 2 },
   { "gid", 'g', "GID", 0, "run as group GID within the container", 2 },
   { "cap-add", OPT_CAP_ADD, "CAP", 0, "add capability CAP (repeatable)", 2 },
   { "cap-drop", OPT_CAP_DROP, "CAP", 0, "drop capability CAP (repeatable)", 2 },
   { "seccomp", OPT_SECCOMP, 0, 0, "fake success of chown, setuid-family and device mknod "
     "calls (root emulation for package managers; see --feature=seccomp)", 2 },
   { "unsafe", OPT_UNSAFE, 0, 0, "enable unsafe behaviour (internal use only)", 2 },

   { 0, 0, 0, 0, "Environment:", 3 },
   { 0, 'e', "ARG", 0, "set variables per ARG: newline-separated assignments, or a file", 3 },
   { "env", OPT_ENV, "ARG", OPTION_ARG_OPTIONAL, "set variables from file ARG, from "
     "assignment ARG, or from /clearly/environment in the image (no ARG)", 3 },
   { "env0", OPT_ENV0, "ARG", OPTION_ARG_OPTIONAL, "like --env, but files are "
     "NUL-separated", 3 },
   { "env-no-expand", OPT_ENV_NO_EXPAND, 0, 0, "don't expand $VARS in later --env", 3 },
   { "unset-env", OPT_UNSET_ENV, "GLOB", 0, "unset variables whose names match GLOB", 3 },

   { 0, 0, 0, 0, "Peer groups:", 4 },
   { "join", 'j', 0, 0, "use the same container as peer clearly run invocations", 4 },
   { "join-ct", OPT_JOIN_CT, "N", 0, "number of peers (implies --join)", 4 },
   { "join-tag", OPT_JOIN_TAG, "TAG", 0, "label for the peer group (implies --join)", 4 },
   { "join-pid", OPT_JOIN_PID, "PID", 0, "join the namespaces of process PID", 4 },
   { "join-timeout", OPT_JOIN_TIMEOUT, "SECONDS", 0, "give up if the peer group is not "
     "complete after SECONDS (default 30)", 4 },

   { 0, 0, 0, 0, "Resources, network and management:", 5 },
   { "cpus", OPT_CPUS, "N", 0, "number of CPUs available (0-1024)", 5 },
   { "cpu-weight", OPT_CPU_WEIGHT, "WEIGHT", 0, "CPU weight (1-10000)", 5 },
   { "memory-max", OPT_MEMORY_MAX, "BYTES", 0, "memory limit in bytes (up to 1024G)", 5 },
   { "pids-max", OPT_PIDS_MAX, "N", 0, "maximum number of PIDs (0-1024)", 5 },
   { "allow", 'a', "DST", 0, "allow traffic to peer container DST (repeatable)", 5 },
   { "host", 'h', "SRC:DST", 0, "map host name SRC to address DST (repeatable)", 5 },
   { "ip", 'i', "IP", 0, "static IP address for the container", 5 },
   { "port", 'p', "SRC:DST", 0, "forward host port SRC to container port DST", 5 },
   { "sysctl", OPT_SYSCTL, "KEY=VALUE", 0, "set kernel parameter KEY (repeatable)", 5 },
   { "detach", 'd', 0, 0, "detach the container into the background (needs --name)", 5 },
   { "name", OPT_NAME, "NAME", 0, "name the container", 5 },
   { "label", OPT_LABEL, "KEY=VALUE", 0, "set container label KEY (repeatable)", 5 },

   { 0, 0, 0, 0, "Messages and tests:", 6 },
   { "verbose", 'v', 0, 0, "print extra chatter (repeatable)", 6 },
   { "quiet", 'q', 0, 0, "be quieter (repeatable); incompatible with -v", 6 },
   { "feature", OPT_FEATURE, "FEAT", 0, "exit 0 if FEAT is enabled, 87 otherwise: extglob, "
     "seccomp, squash, overlayfs, tmpfs-xattrs", 6 },
   { "test", OPT_TEST, "TEST", 0, "run internal test TEST: log, log-fail, or pmix (what PMIx looks like, inside IMAGE if given)", 6 },
   { "warnings", OPT_WARNINGS, "NUM", 0, "log NUM warnings and exit", 6 },
   { NULL, 0, NULL, 0, NULL, 0 },
};

/* Errors in option values are kept here and reported after argp returns,
   so they exit 31 with our message format rather than argp's. */
struct parse_state {
   struct run_opts *o;
   struct cl_err *err;
   int failed;
};

static int parse_ulong(const char *opt, const char *s, unsigned long min, unsigned long max,
                       unsigned long *out, struct cl_err *err)
{
   char *end;
   unsigned long v;

   errno = 0;
   v = strtoul(s, &end, 10);
   if (s[0] == '\0' || s[0] == '-' || *end != '\0' || errno != 0)
      return cl_fail(err, 0, "%s: not a number: %s", opt, s);
   if (v < min || v > max)
      return cl_fail(err, 0, "%s: out of range %lu-%lu: %s", opt, min, max, s);
   *out = v;
   return 0;
}

/* BYTES with an optional K, M, G suffix (powers of 1024). */
static int parse_bytes(const char *opt, const char *s, long long *out, struct cl_err *err)
{
   const unsigned long long max = 1024ULL << 30;
   unsigned long long v, mult = 1;
   char *end;

   errno = 0;
   v = strtoull(s, &end, 10);
   if (s[0] == '\0' || s[0] == '-' || errno != 0 || end == s)
      return cl_fail(err, 0, "%s: not a size: %s", opt, s);
   switch (*end) {
   case 'k': case 'K': mult = 1ULL << 10; end++; break;
   case 'm': case 'M': mult = 1ULL << 20; end++; break;
   case 'g': case 'G': mult = 1ULL << 30; end++; break;
   default: break;
   }
   if (*end != '\0')
      return cl_fail(err, 0, "%s: not a size: %s", opt, s);
   if (v > max / mult || v * mult > max)
      return cl_fail(err, 0, "%s: out of range (up to 1024G): %s", opt, s);
   *out = (long long)(v * mult);
   return 0;
}

static void add_env_op(struct run_opts *o, enum cl_env_op_kind kind, char delim, const char *arg)
{
   struct cl_container *ct = &o->ct;
   struct cl_env_op *op;

   if (kind != CL_ENV_UNSET && arg == NULL)
      kind = CL_ENV_IMAGE_FILE;
   else if (kind != CL_ENV_UNSET && strchr(arg, '=') != NULL)
      kind = CL_ENV_ASSIGN;
   ct->env_ops = cl_xrealloc(ct->env_ops, (ct->env_op_ct + 1) * sizeof(*op));
   op = &ct->env_ops[ct->env_op_ct++];
   op->kind = kind;
   op->delim = delim;
   op->expand = o->env_expand;
   op->arg = arg;
}

static void add_bind(struct cl_container *ct, const char *arg)
{
   const char *colon = strchr(arg, ':');
   struct cl_bind *b;

   ct->binds = cl_xrealloc(ct->binds, (ct->bind_ct + 1) * sizeof(*b));
   b = &ct->binds[ct->bind_ct++];
   if (colon == NULL) {
      b->src = cl_xstrdup(arg);
      b->dst = cl_xstrdup(arg);
   } else {
      b->src = cl_xstrndup(arg, colon - arg);
      b->dst = cl_xstrdup(colon + 1);
   }
}

/* Options whose machinery is not in this build yet: refuse, don't ignore. */
static void unsupported(struct run_opts *o, const char *name)
{
   if (o->unsupported == NULL)
      o->unsupported = name;
}

static int parse_value(struct parse_state *ps, int key, char *arg)
{
   struct run_opts *o = ps->o;
   struct cl_container *ct = &o->ct;
   unsigned long v;

   switch (key) {
   case 'b': add_bind(ct, arg); return 0;
   case 'c': ct->cd = arg; return 0;
   case 'w': ct->writable = true; return 0;
   case 'o': ct->overlay_size = arg ? arg : CL_OVERLAY_SIZE_DEFAULT;
      if (ct->overlay_size[0] == '\0')
         return cl_fail(ps->err, 0, "--overlay: SIZE is empty");
      return 0;
   case 'W': ct->overlay_size = CL_OVERLAY_SIZE_DEFAULT; return 0;
   case OPT_HOME: ct->home = true; return 0;
   case 't': ct->host_tmp = true; return 0;
   case OPT_PASSWD: ct->host_passwd = true; return 0;
   case OPT_UNSAFE: ct->unsafe = true; return 0;
   case OPT_SECCOMP: ct->seccomp = true; return 0;
   case 'u':
      if (parse_ulong("--uid", arg, 0, UINT_MAX - 1, &v, ps->err))
         return -1;
      ct->uid = v;
      return 0;
   case 'g':
      if (parse_ulong("--gid", arg, 0, UINT_MAX - 1, &v, ps->err))
         return -1;
      ct->gid = v;
      return 0;
   case 'e': add_env_op(o, CL_ENV_FILE, '\n', arg); return 0;
   case OPT_ENV: add_env_op(o, CL_ENV_FILE, '\n', arg); return 0;
   case OPT_ENV0: add_env_op(o, CL_ENV_FILE, '\0', arg); return 0;
   case OPT_ENV_NO_EXPAND: o->env_expand = false; return 0;
   case OPT_UNSET_ENV:
      if (arg[0] == '\0')
         return cl_fail(ps->err, 0, "--unset-env: GLOB must not be empty");
      add_env_op(o, CL_ENV_UNSET, '\n', arg);
      return 0;
   case 'v': o->verbose++; return 0;
   case 'q': o->quiet++; return 0;
   case OPT_FEATURE: o->feature = arg; return 0;
   case OPT_TEST: o->test = arg; return 0;
   case OPT_WARNINGS:
      if (parse_ulong("--warnings", arg, 0, INT_MAX, &v, ps->err))
         return -1;
      o->warnings = (long)v;
      return 0;
   case 'm': case 's': case 'r':
      if (arg[0] == '\0')
         return cl_fail(ps->err, 0, "%s: DIR is empty",
                        key == 'm' ? "--mount" : key == 's' ? "--storage" : "--runtime");
      *(key == 'm' ? &ct->mount_dir : key == 's' ? &ct->storage : &ct->runtime_dir) = arg;
      return 0;
   case OPT_CPUS:
      if (parse_ulong("--cpus", arg, 0, 1024, &v, ps->err))
         return -1;
      ct->limits.cpus = v;
      return 0;
   case OPT_CPU_WEIGHT:
      if (parse_ulong("--cpu-weight", arg, 1, 10000, &v, ps->err))
         return -1;
      ct->limits.cpu_weight = v;
      return 0;
   case OPT_PIDS_MAX:
      if (parse_ulong("--pids-max", arg, 0, 1024, &v, ps->err))
         return -1;
      ct->limits.pids_max = v;
      return 0;
   case OPT_MEMORY_MAX:
      return parse_bytes("--memory-max", arg, &ct->limits.memory_max, ps->err);
   case OPT_JOIN_PID:
      if (parse_ulong("--join-pid", arg, 1, INT_MAX, &v, ps->err))
         return -1;
      ct->join_pid = v;
      return 0;
   case OPT_JOIN_CT:
      if (parse_ulong("--join-ct", arg, 1, CL_JOIN_MAX, &v, ps->err))
         return -1;
      ct->join = true;
      ct->join_ct = v;
      return 0;
   case OPT_JOIN_TAG:
      if (arg[0] == '\0')
         return cl_fail(ps->err, 0, "--join-tag: TAG is empty");
      ct->join = true;
      ct->join_tag = arg;
      return 0;
   case OPT_JOIN_TIMEOUT: {
      char *end;
      double t = strtod(arg, &end);
      if (arg[0] == '\0' || *end != '\0' || !(t > 0 && t <= 86400))
         return cl_fail(ps->err, 0, "--join-timeout: not a number of seconds in (0, 86400]: %s",
                        arg);
      ct->join_timeout = t;
      return 0;
   }
   case 'j': ct->join = true; return 0;
   case OPT_LABEL: case OPT_SYSCTL:
      if (strchr(arg, '=') == NULL || arg[0] == '=')
         return cl_fail(ps->err, 0, "%s: not KEY=VALUE: %s",
                        key == OPT_LABEL ? "--label" : "--sysctl", arg);
      unsupported(o, key == OPT_LABEL ? "--label" : "--sysctl");
      return 0;
   case OPT_CAP_ADD: cl_strv_push(&ct->cap_add, cl_xstrdup(arg)); return 0;
   case OPT_CAP_DROP: cl_strv_push(&ct->cap_drop, cl_xstrdup(arg)); return 0;
   case 'a': unsupported(o, "--allow"); return 0;
   case 'h': unsupported(o, "--host"); return 0;
   case 'i': unsupported(o, "--ip"); return 0;
   case 'p': unsupported(o, "--port"); return 0;
   case 'd': unsupported(o, "--detach"); return 0;
   case OPT_NAME: unsupported(o, "--name"); return 0;
   }
   return 1; /* not ours */
}

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
   struct parse_state *ps = state->input;
   struct run_opts *o = ps->o;
   int rc;

   switch (key) {
   case ARGP_KEY_ARGS: {
      char **args = state->argv + state->next;
      int n = state->argc - state->next;
      o->ct.image = args[0];
      if (n > 1)
         o->ct.argv = args + 1;
      return 0;
   }
   case ARGP_KEY_END:
      if (o->verbose && o->quiet)
         argp_error(state, "--quiet and --verbose are incompatible");
      if (!ps->failed && o->feature == NULL && o->test == NULL && o->warnings < 0
          && (o->ct.image == NULL || o->ct.argv == NULL))
         argp_error(state, "IMAGE and/or COMMAND not specified");
      return 0;
   }
   if (ps->failed) /* report only the first bad value */
      return 0;
   rc = parse_value(ps, key, arg);
   if (rc > 0)
      return ARGP_ERR_UNKNOWN;
   ps->failed = rc;
   return 0;
}

static const struct argp argp = {
   .options = options,
   .parser = parse_opt,
   .args_doc = "IMAGE -- COMMAND [ARG...]",
   .doc = "Run COMMAND in a fully unprivileged container made from IMAGE: a directory, "
   "a SquashFS file or the name of an image in storage.\v"
   "Exit status: COMMAND's, or 31 for errors, 49 if COMMAND can't be started, "
   "87 for a disabled --feature, 128+N if COMMAND died by signal N. "
   "See clearly-run(1).",
};

int run_opts_parse(int argc, char **argv, struct run_opts *o, struct cl_err *err)
{
   struct parse_state ps = { .o = o, .err = err };

   memset(o, 0, sizeof(*o));
   cl_container_init(&o->ct);
   o->warnings = -1;
   o->env_expand = true;
   argp_parse(&argp, argc, argv, 0, NULL, &ps);
   return ps.failed;
}
