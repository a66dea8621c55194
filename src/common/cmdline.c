#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "cmdline.h"
#include "util.h"

/* Printable ASCII that a shell reads literally outside quotes. Whitespace,
   metacharacters, quoting, expansion and glob characters are not safe. */
static bool char_is_plain(unsigned char c)
{
   return c > ' ' && c < 0x7f && strchr("|&;()<>\"'\\$`!*?[]{}~#", c) == NULL;
}

/* Characters that keep a special meaning inside double quotes in Bash.
   ('!' is handled apart: see cl_arg_quote.) */
static bool char_needs_escape(unsigned char c)
{
   return c == '"' || c == '\\' || c == '$' || c == '`';
}

char *cl_arg_quote(const char *arg)
{
   size_t len = strlen(arg), n = 0;
   bool plain = len > 0;
   char *out;

   for (size_t i = 0; i < len && plain; i++)
      plain = char_is_plain((unsigned char)arg[i]);
   if (plain)
      return cl_xstrdup(arg);
   out = cl_xmalloc(4 * len + 3);
   out[n++] = '"';
   for (size_t i = 0; i < len; i++) {
      /* Inside double quotes Bash keeps the backslash of "\!" (and an
         interactive shell would history-expand a bare '!'), so '!' is
         escaped outside them: "a"\!"b" reads back as a!b either way. */
      if (arg[i] == '!') {
         memcpy(out + n, "\"\\!\"", 4);
         n += 4;
         continue;
      }
      /* A line starting with '^' is a quick substitution to an
         interactive Bash; so a line after a newline starts with "" instead. */
      if (arg[i] == '^' && i > 0 && arg[i - 1] == '\n') {
         out[n++] = '"';
         out[n++] = '"';
      }
      if (char_needs_escape((unsigned char)arg[i]))
         out[n++] = '\\';
      out[n++] = arg[i];
   }
   out[n++] = '"';
   out[n] = '\0';
   return out;
}

char *cl_argv_serialize(int argc, char *const *argv)
{
   size_t n = 0;
   char *out = cl_xstrdup("");

   for (int i = 0; i < argc; i++) {
      char *q = cl_arg_quote(argv[i]);
      size_t qlen = strlen(q);
      out = cl_xrealloc(out, n + qlen + 2);
      if (i > 0)
         out[n++] = ' ';
      memcpy(out + n, q, qlen + 1);
      n += qlen;
      free(q);
   }
   return out;
}

void cl_syslog_cmdline(const char *program, int argc, char *const *argv)
{
#ifdef ENABLE_SYSLOG
   char *args = cl_argv_serialize(argc - 1, argv + 1);
   openlog(program, 0, LOG_USER);
   syslog(LOG_USER | LOG_INFO, "uid=%u args=%d: %s%s%s", (unsigned)getuid(), argc, program,
          argc > 1 ? " " : "", args);
   closelog();
   free(args);
#else
   (void)program;
   (void)argc;
   (void)argv;
#endif
}
