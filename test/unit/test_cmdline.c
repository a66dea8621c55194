/* Unit tests for src/common/cmdline.h: serializing the command line for
   syslog so that it can be recovered byte for byte (clearly-run(1),
   "Syslog"). Besides exact expectations, every tricky argument is read
   back by a real Bash. */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmdline.h"

#define BASH "/bin/bash"

/* ---- helpers ---- */

#define ck_assert_quote(arg, expected)                                      \
   do {                                                                     \
      char *got_ = cl_arg_quote(arg);                                       \
      ck_assert_msg(strcmp(got_, (expected)) == 0,                          \
                    "quote [%s]: got [%s], expected [%s]", (arg), got_,     \
                    (expected));                                            \
      free(got_);                                                           \
   } while (0)

/* Run BASH with args (NULL-terminated after argv[0]), feed it input on
   stdin (may be NULL: /dev/null), collect stdout into a new buffer. stderr
   goes to /dev/null. Returns the exit status (or -1 on a failure of the
   test harness itself). */
static int run_bash(char *const *argv, const char *input, char **out, size_t *out_len)
{
   int pin[2], pout[2], status;
   size_t cap = 256, n = 0;
   pid_t pid;
   char *buf;

   ck_assert_int_eq(pipe(pin), 0);
   ck_assert_int_eq(pipe(pout), 0);
   pid = fork();
   ck_assert_int_ge(pid, 0);
   if (pid == 0) {
      int devnull = open("/dev/null", O_WRONLY);
      dup2(pin[0], STDIN_FILENO);
      dup2(pout[1], STDOUT_FILENO);
      if (devnull >= 0)
         dup2(devnull, STDERR_FILENO);
      close(pin[0]);
      close(pin[1]);
      close(pout[0]);
      close(pout[1]);
      /* A predictable shell: no start-up files, no history file, and
         variables the arguments mention are set, so that a failure to
         quote them shows. */
      setenv("HISTFILE", "/dev/null", 1);
      setenv("HOME", "/home/roundtrip", 1);
      setenv("d", "EXPANDED", 1);
      setenv("x", "EXPANDED", 1);
      unsetenv("BASH_ENV");
      unsetenv("ENV");
      execv(BASH, argv);
      _exit(127);
   }
   close(pin[0]);
   close(pout[1]);
   if (input != NULL) {
      size_t len = strlen(input), done = 0;
      while (done < len) {
         ssize_t w = write(pin[1], input + done, len - done);
         if (w < 0 && errno == EINTR)
            continue;
         ck_assert_int_gt(w, 0);
         done += (size_t)w;
      }
   }
   close(pin[1]);
   buf = malloc(cap);
   ck_assert_ptr_nonnull(buf);
   for (;;) {
      ssize_t r;
      if (n == cap) {
         buf = realloc(buf, cap *= 2);
         ck_assert_ptr_nonnull(buf);
      }
      r = read(pout[0], buf + n, cap - n);
      if (r < 0 && errno == EINTR)
         continue;
      ck_assert_int_ge(r, 0);
      if (r == 0)
         break;
      n += (size_t)r;
   }
   close(pout[0]);
   ck_assert_int_eq(waitpid(pid, &status, 0), pid);
   *out = buf;
   *out_len = n;
   return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The bytes Bash's printf '%s\0' produces for args: each followed by NUL. */
static char *expected_bytes(int argc, char *const *args, size_t *len)
{
   size_t n = 0;
   char *buf;

   for (int i = 0; i < argc; i++)
      n += strlen(args[i]) + 1;
   buf = malloc(n + 1);
   ck_assert_ptr_nonnull(buf);
   *len = n;
   n = 0;
   for (int i = 0; i < argc; i++) {
      size_t l = strlen(args[i]) + 1;
      memcpy(buf + n, args[i], l);
      n += l;
   }
   return buf;
}

/* Show bytes readably in a failure message. */
static char *visible(const char *b, size_t len)
{
   char *s = malloc(4 * len + 1), *p = s;
   ck_assert_ptr_nonnull(s);
   for (size_t i = 0; i < len; i++) {
      unsigned char c = (unsigned char)b[i];
      if (c >= ' ' && c < 0x7f && c != '\\')
         *p++ = (char)c;
      else
         p += sprintf(p, "\\%03o", c);
   }
   *p = '\0';
   return s;
}

/* Read serialized back with Bash, either as "bash -c SCRIPT" (non-
   interactive) or as a line typed into an interactive Bash, where history
   expansion of '!' is on. Check the bytes are args, exactly. */
static void check_round_trip(int argc, char *const *args, const char *serialized,
                             bool interactive)
{
   char *script = malloc(strlen(serialized) + 32);
   char *out, *want;
   size_t out_len, want_len;
   int rc;

   ck_assert_ptr_nonnull(script);
   if (interactive) {
      /* --noediting: no readline, which would take control characters in
         the input as keystrokes; history expansion stays on. */
      char *argv[] = { "bash", "--norc", "--noprofile", "--noediting", "-i", NULL };
      sprintf(script, "printf \"%%s\\0\" %s\nexit 0\n", serialized);
      rc = run_bash(argv, script, &out, &out_len);
   } else {
      char *argv[] = { "bash", "-c", script, NULL };
      sprintf(script, "printf \"%%s\\0\" %s", serialized);
      rc = run_bash(argv, NULL, &out, &out_len);
   }
   want = expected_bytes(argc, args, &want_len);
   if (out_len != want_len || memcmp(out, want, want_len) != 0 || rc != 0) {
      char *o = visible(out, out_len), *w = visible(want, want_len);
      ck_abort_msg("%s round trip of [%s]: exit %d, got [%s], expected [%s]",
                   interactive ? "interactive" : "bash -c", serialized, rc, o, w);
   }
   free(script);
   free(out);
   free(want);
}

/* ---- cl_arg_quote: exact forms ---- */

START_TEST(plain_unchanged)
{
   static const char *const plain[] = {
      "clearly", "run", "-v", "--", "/var/tmp/00_tiny", "hello", "a=b", "--env=FOO=bar",
      "-abc", "0", "1.5", "x,y", "a+b", "50%", "user@host", "host:/path", "a^b",
      "under_score", "ABCxyz0123456789", "/", ".", "..", "-", "=", "@", "%", ":", ",",
   };
   for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
      ck_assert_quote(plain[i], plain[i]);
}
END_TEST

START_TEST(empty_arg)
{
   ck_assert_quote("", "\"\"");
}
END_TEST

START_TEST(whitespace)
{
   ck_assert_quote(" ", "\" \"");
   ck_assert_quote("a b", "\"a b\"");
   ck_assert_quote("wor l}$d", "\"wor l}\\$d\"");
   ck_assert_quote("a\tb", "\"a\tb\"");
   ck_assert_quote("a\nb", "\"a\nb\"");
   ck_assert_quote("\n", "\"\n\"");
   ck_assert_quote("a\rb", "\"a\rb\"");
   ck_assert_quote("a\vb\fc", "\"a\vb\fc\"");
   ck_assert_quote(" lead", "\" lead\"");
   ck_assert_quote("trail ", "\"trail \"");
}
END_TEST

START_TEST(quotes_and_backslashes)
{
   ck_assert_quote("\"", "\"\\\"\"");               /* "\"" */
   ck_assert_quote("say \"hi\"", "\"say \\\"hi\\\"\"");
   ck_assert_quote("'", "\"'\"");                    /* "'" */
   ck_assert_quote("it's", "\"it's\"");
   ck_assert_quote("'\"'", "\"'\\\"'\"");
   ck_assert_quote("\\", "\"\\\\\"");                /* "\\" */
   ck_assert_quote("a\\b", "\"a\\\\b\"");
   ck_assert_quote("C:\\dir\\", "\"C:\\\\dir\\\\\"");
   ck_assert_quote("\\n", "\"\\\\n\"");
}
END_TEST

START_TEST(expansion_chars)
{
   ck_assert_quote("$", "\"\\$\"");
   ck_assert_quote("$HOME", "\"\\$HOME\"");
   ck_assert_quote("${x}", "\"\\${x}\"");
   ck_assert_quote("$(id)", "\"\\$(id)\"");
   ck_assert_quote("`id`", "\"\\`id\\`\"");
   /* '!' is backslash-escaped too, but outside the double quotes: inside,
      Bash would keep the backslash. */
   ck_assert_quote("!", "\"\"\\!\"\"");
   ck_assert_quote("a!b", "\"a\"\\!\"b\"");
   ck_assert_quote("!!", "\"\"\\!\"\"\\!\"\"");
   /* '^' opening a line is a quick substitution in an interactive Bash. */
   ck_assert_quote("a\n^x^y", "\"a\n\"\"^x^y\"");
   ck_assert_quote("^x^y", "^x^y");
   ck_assert_quote("a ^x", "\"a ^x\"");
}
END_TEST

START_TEST(glob_and_meta_chars)
{
   static const char *const quoted[][2] = {
      { "*", "\"*\"" },         { "*.c", "\"*.c\"" },       { "?", "\"?\"" },
      { "[a]", "\"[a]\"" },     { "]", "\"]\"" },           { "{a,b}", "\"{a,b}\"" },
      { "}", "\"}\"" },         { "~", "\"~\"" },           { "~root", "\"~root\"" },
      { "#", "\"#\"" },         { "a#b", "\"a#b\"" },       { "|", "\"|\"" },
      { "&", "\"&\"" },         { ";", "\";\"" },           { "(", "\"(\"" },
      { ")", "\")\"" },         { "<", "\"<\"" },           { ">", "\">\"" },
      { "a|b&c;d", "\"a|b&c;d\"" }, { "2>&1", "\"2>&1\"" },
   };
   for (size_t i = 0; i < sizeof(quoted) / sizeof(quoted[0]); i++)
      ck_assert_quote(quoted[i][0], quoted[i][1]);
}
END_TEST

START_TEST(non_ascii_and_control)
{
   ck_assert_quote("h\xc3\xa9llo", "\"h\xc3\xa9llo\"");
   ck_assert_quote("\xe2\x9c\x93", "\"\xe2\x9c\x93\"");
   ck_assert_quote("\xff\xfe\x80", "\"\xff\xfe\x80\"");
   ck_assert_quote("\x01", "\"\x01\"");
   ck_assert_quote("\x1b[0m", "\"\x1b[0m\"");
   ck_assert_quote("\x7f", "\"\x7f\"");
}
END_TEST

/* ---- cl_argv_serialize ---- */

START_TEST(serialize_spec_example)
{
   char *const argv[] = { "clearly", "run", "-v", "/var/tmp/00_tiny", "--",
                          "echo", "hello", "wor l}$d", NULL };
   char *s = cl_argv_serialize(8, argv);
   ck_assert_str_eq(s, "clearly run -v /var/tmp/00_tiny -- echo hello \"wor l}\\$d\"");
   free(s);
}
END_TEST

START_TEST(serialize_edges)
{
   char *const none[] = { NULL };
   char *const one[] = { "clearly", NULL };
   char *const empties[] = { "a", "", "b", "", NULL };
   char *const spaces[] = { " ", "  ", NULL };
   char *s;

   s = cl_argv_serialize(0, none);
   ck_assert_str_eq(s, "");
   free(s);
   s = cl_argv_serialize(1, one);
   ck_assert_str_eq(s, "clearly");
   free(s);
   s = cl_argv_serialize(4, empties);
   ck_assert_str_eq(s, "a \"\" b \"\"");
   free(s);
   s = cl_argv_serialize(2, spaces);
   ck_assert_str_eq(s, "\" \" \"  \"");
   free(s);
   s = cl_argv_serialize(2, empties); /* argc, not the NULL, ends it */
   ck_assert_str_eq(s, "a \"\"");
   free(s);
}
END_TEST

START_TEST(serialize_long)
{
   /* Many and long arguments: no truncation, right length. */
   enum { N = 300, L = 1000 };
   char *argv[N + 1];
   char *s;
   size_t want = 0;

   for (int i = 0; i < N; i++) {
      argv[i] = malloc(L + 1);
      ck_assert_ptr_nonnull(argv[i]);
      memset(argv[i], i % 2 ? 'x' : '$', L);
      argv[i][L] = '\0';
      want += (i % 2 ? L : 2 * L + 2) + (i > 0);
   }
   argv[N] = NULL;
   s = cl_argv_serialize(N, argv);
   ck_assert_uint_eq(strlen(s), want);
   for (int i = 0; i < N; i++)
      free(argv[i]);
   free(s);
}
END_TEST

/* ---- round trips through Bash ---- */

static char *const tricky[] = {
   "plain",
   "",
   " ",
   "a b",
   "  two  spaces  ",
   "\t",
   "a\tb",
   "\n",
   "a\nb",
   "trailing newline\n",
   "\r\n",
   "'",
   "''",
   "it's",
   "\"",
   "\"\"",
   "say \"hi\"",
   "'\"'\"'",
   "\\",
   "\\\\",
   "a\\b",
   "ends with backslash\\",
   "\\\n",
   "a\n^x^y",
   "a\n!x",
   "a\n#x",
   "a\n~",
   "\\\"",
   "\\$",
   "\\n",
   "\\0",
   "$",
   "$$",
   "$HOME",
   "$d",
   "${x}",
   "$(echo no)",
   "$((1+1))",
   "$'\\n'",
   "`echo no`",
   "!",
   "!!",
   "!$",
   "a!b",
   "!x",
   "\\!",
   "\"!\"",
   "'!'",
   "!\"$`\\",
   "*",
   "*.c",
   "?",
   "[",
   "]",
   "[a-z]*",
   "{a,b}",
   "{1..3}",
   "~",
   "~root",
   "a=~",
   "#",
   "#comment",
   "a #b",
   "|",
   "&",
   ";",
   "(",
   ")",
   "<",
   ">",
   "2>&1",
   "a|b&c;d(e)f<g>h",
   "wor l}$d",
   "%s",
   "%%",
   "%b",
   "-n",
   "-e",
   "--",
   "-v",
   "--env=FOO=$BAR:baz",
   "/var/tmp/00_tiny",
   "h\xc3\xa9llo w\xc3\xb6rld",
   "\xe2\x9c\x93",
   "\xe6\x97\xa5\xe6\x9c\xac",
   "\xff\xfe\x80",
   "\x01\x02\x1b[0m\x7f",
   "\xc3",
   "a^b",
   "^x^y",
   "=",
   "a=b",
   "@(x|y)",
   "!(x)",
   "+(x)",
};
#define TRICKY_CT ((int)(sizeof(tricky) / sizeof(tricky[0])))

START_TEST(round_trip_each)
{
   char *q = cl_arg_quote(tricky[_i]);
   check_round_trip(1, &tricky[_i], q, false);
   free(q);
}
END_TEST

START_TEST(round_trip_all)
{
   char *s = cl_argv_serialize(TRICKY_CT, tricky);
   check_round_trip(TRICKY_CT, tricky, s, false);
   free(s);
}
END_TEST

START_TEST(round_trip_spec_example)
{
   char *const argv[] = { "clearly", "run", "-v", "/var/tmp/00_tiny", "--",
                          "echo", "hello", "wor l}$d", NULL };
   char *s = cl_argv_serialize(8, argv);
   check_round_trip(8, argv, s, false);
   free(s);
}
END_TEST

/* A person pasting the logged line into an interactive Bash, where '!'
   means history expansion and a line starting with '^' a quick
   substitution, must get the same bytes too. */
START_TEST(round_trip_interactive)
{
   char *s = cl_argv_serialize(TRICKY_CT, tricky);
   check_round_trip(TRICKY_CT, tricky, s, true);
   free(s);
}
END_TEST

/* The harness itself: a wrong serialization must be caught. */
START_TEST(round_trip_detects_mistakes)
{
   char *const args[] = { "$d", NULL };
   char *out;
   size_t out_len;
   char *argv[] = { "bash", "-c", "printf \"%s\\0\" $d", NULL };
   ck_assert_int_eq(run_bash(argv, NULL, &out, &out_len), 0);
   ck_assert_uint_eq(out_len, strlen("EXPANDED") + 1);
   ck_assert_str_eq(out, "EXPANDED");
   ck_assert_str_ne(out, args[0]);
   free(out);
}
END_TEST

/* ---- main ---- */

static Suite *cmdline_suite(void)
{
   Suite *s = suite_create("cmdline");
   TCase *tc;

   tc = tcase_create("quote");
   tcase_add_test(tc, plain_unchanged);
   tcase_add_test(tc, empty_arg);
   tcase_add_test(tc, whitespace);
   tcase_add_test(tc, quotes_and_backslashes);
   tcase_add_test(tc, expansion_chars);
   tcase_add_test(tc, glob_and_meta_chars);
   tcase_add_test(tc, non_ascii_and_control);
   suite_add_tcase(s, tc);

   tc = tcase_create("serialize");
   tcase_add_test(tc, serialize_spec_example);
   tcase_add_test(tc, serialize_edges);
   tcase_add_test(tc, serialize_long);
   suite_add_tcase(s, tc);

   tc = tcase_create("round_trip");
   tcase_set_timeout(tc, 30);
   tcase_add_test(tc, round_trip_detects_mistakes);
   tcase_add_loop_test(tc, round_trip_each, 0, TRICKY_CT);
   tcase_add_test(tc, round_trip_all);
   tcase_add_test(tc, round_trip_spec_example);
   tcase_add_test(tc, round_trip_interactive);
   suite_add_tcase(s, tc);

   return s;
}

int main(void)
{
   SRunner *sr = srunner_create(cmdline_suite());
   int failed;

   srunner_run_all(sr, CK_NORMAL);
   failed = srunner_ntests_failed(sr);
   srunner_free(sr);
   return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
