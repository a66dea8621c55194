/* Unit tests for src/common/env.h: the rules of clearly-run(1),
   "Environment variables", including every row of the three assignment
   tables under "--env and --env0". */
#include "config.h"

#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "env.h"

/* ---- helpers ---- */

static struct cl_env env;
static struct cl_err err;

/* The tables' setting: BAR=bar, UNSET unset (or, with unset_empty, set to
   the empty string), plus an unrelated variable to watch for collateral
   damage. */
static void env_setup(bool unset_empty)
{
   char *const base_unset[] = { "BAR=bar", "OTHER=other", NULL };
   char *const base_empty[] = { "BAR=bar", "OTHER=other", "UNSET=", NULL };

   cl_env_init(&env, unset_empty ? base_empty : base_unset);
   memset(&err, 0, sizeof(err));
}

static void setup_unset(void)
{
   env_setup(false);
}

static void teardown(void)
{
   cl_env_free(&env);
}

/* Apply text as one --env=ASSIGNMENT (or file) would: delim '\n', expand. */
static int apply(const char *text)
{
   return cl_env_apply_text(&env, text, strlen(text), '\n', true, "--env", &err);
}

/* The array is NULL-terminated, holds n entries, each "NAME=VALUE". */
static void check_vars_sane(void)
{
   ck_assert_ptr_nonnull(env.vars.v);
   ck_assert_ptr_null(env.vars.v[env.vars.n]);
   for (size_t i = 0; i < env.vars.n; i++)
      ck_assert_ptr_nonnull(strchr(env.vars.v[i], '='));
}

/* How many entries are named name (must be 0 or 1). */
static size_t count_named(const char *name)
{
   size_t len = strlen(name), ct = 0;
   for (size_t i = 0; i < env.vars.n; i++)
      if (strncmp(env.vars.v[i], name, len) == 0 && env.vars.v[i][len] == '=')
         ct++;
   return ct;
}

#define ck_assert_env(name, expected)                                   \
   do {                                                                 \
      const char *got_ = cl_env_get(&env, (name));                      \
      ck_assert_msg(got_ != NULL, "%s: not set", (name));               \
      ck_assert_msg(strcmp(got_, (expected)) == 0,                      \
                    "%s: got \"%s\", expected \"%s\"", (name), got_,    \
                    (expected));                                        \
   } while (0)

/* ---- the three tables ---- */

struct row {
   const char *assignment;
   const char *name;
   const char *value;
};

/* "Valid assignments, with BAR=bar and UNSET unset or empty" */
static const struct row valid_rows[] = {
   { "FOO=bar", "FOO", "bar" },
   { "FOO=bar=baz", "FOO", "bar=baz" },
   { "FLAGS=-march=foo -mtune=bar", "FLAGS", "-march=foo -mtune=bar" },
   { "FLAGS='-march=foo -mtune=bar'", "FLAGS", "-march=foo -mtune=bar" },
   { "FOO=$BAR", "FOO", "bar" },
   { "FOO=$BAR:baz", "FOO", "bar:baz" },
   { "FOO=", "FOO", "" },
   { "FOO=$UNSET", "FOO", "" },
   { "FOO=baz:$UNSET:qux", "FOO", "baz:qux" },
   { "FOO=:bar:baz::", "FOO", ":bar:baz::" },
   { "FOO=''", "FOO", "" },
   { "FOO=''''", "FOO", "''" },
};
#define VALID_CT (sizeof(valid_rows) / sizeof(valid_rows[0]))

/* "Valid but probably not what you want" */
static const struct row surprising_rows[] = {
   { "FOO=\"bar\"", "FOO", "\"bar\"" },          /* double quotes kept */
   { "FOO=bar # baz", "FOO", "bar # baz" },      /* no comments */
   { "FOO=bar\\tbaz", "FOO", "bar\\tbaz" },      /* backslash not special */
   { " FOO=bar", " FOO", "bar" },                /* leading space in key */
   { "FOO= bar", "FOO", " bar" },                /* leading space in value */
   { "$FOO=bar", "$FOO", "bar" },                /* no expansion in key */
   { "FOO=$BAR baz:qux", "FOO", "qux" },         /* "BAR baz" not set */
};
#define SURPRISING_CT (sizeof(surprising_rows) / sizeof(surprising_rows[0]))

/* "Invalid assignments" */
static const struct {
   const char *assignment;
   const char *problem;
} invalid_rows[] = {
   { "FOO bar", "no delimiter" },
   { "=bar", "empty name" },
};
#define INVALID_CT (sizeof(invalid_rows) / sizeof(invalid_rows[0]))

/* One row through cl_env_apply_text exactly as --env=ASSIGNMENT does; loop
   index i covers the rows twice: UNSET unset, then UNSET empty. */
static void check_row(const struct row *r, bool unset_empty)
{
   size_t n_before;
   char *name = NULL, *value = NULL;

   env_setup(unset_empty);
   n_before = env.vars.n;
   ck_assert_msg(apply(r->assignment) == 0, "[%s] failed: %s", r->assignment, err.msg);
   check_vars_sane();
   ck_assert_env(r->name, r->value);
   ck_assert_uint_eq(count_named(r->name), 1);
   /* Exactly one new variable, and nothing else touched. */
   ck_assert_uint_eq(env.vars.n, n_before + 1);
   ck_assert_env("BAR", "bar");
   ck_assert_env("OTHER", "other");
   if (unset_empty)
      ck_assert_env("UNSET", "");
   else
      ck_assert_ptr_null(cl_env_get(&env, "UNSET"));

   /* The parser alone splits the name the same way. */
   ck_assert_int_eq(cl_env_parse(r->assignment, &name, &value, &err), 0);
   ck_assert_str_eq(name, r->name);
   free(name);
   free(value);
   cl_env_free(&env);
}

START_TEST(table_valid)
{
   check_row(&valid_rows[_i % VALID_CT], _i >= (int)VALID_CT);
}
END_TEST

START_TEST(table_surprising)
{
   check_row(&surprising_rows[_i % SURPRISING_CT], _i >= (int)SURPRISING_CT);
}
END_TEST

START_TEST(table_invalid)
{
   const char *a = invalid_rows[_i].assignment;
   const char *problem = invalid_rows[_i].problem;
   size_t n_before = env.vars.n;
   char *name, *value;

   ck_assert_int_eq(apply(a), -1);
   ck_assert_msg(strstr(err.msg, problem) != NULL, "[%s]: message \"%s\" lacks \"%s\"", a,
                 err.msg, problem);
   ck_assert_msg(strstr(err.msg, a) != NULL, "message \"%s\" lacks the assignment", err.msg);
   ck_assert_msg(strncmp(err.msg, "--env:1: ", 9) == 0, "message \"%s\" lacks context",
                 err.msg);
   ck_assert_uint_eq(env.vars.n, n_before);
   ck_assert_ptr_null(cl_env_get(&env, "FOO"));
   check_vars_sane();

   memset(&err, 0, sizeof(err));
   ck_assert_int_eq(cl_env_parse(a, &name, &value, &err), -1);
   ck_assert_ptr_nonnull(strstr(err.msg, problem));
}
END_TEST

/* ---- quotes ---- */

START_TEST(quotes)
{
   static const struct row rows[] = {
      { "Q='bar'", "Q", "bar" },
      { "Q=''", "Q", "" },
      { "Q=''''", "Q", "''" },
      { "Q='''", "Q", "'" },          /* one pair only */
      { "Q='", "Q", "'" },            /* a lone quote is kept */
      { "Q='bar", "Q", "'bar" },      /* unbalanced: kept */
      { "Q=bar'", "Q", "bar'" },
      { "Q='a'b'", "Q", "a'b" },      /* around the whole value */
      { "Q=a'b'", "Q", "a'b'" },      /* not around the whole value */
      { "Q='a'b", "Q", "'a'b" },
      { "Q= 'bar'", "Q", " 'bar'" },  /* leading space: not around */
      { "Q='bar' ", "Q", "'bar' " },
      { "Q=\"bar\"", "Q", "\"bar\"" },
      { "Q=\"'bar'\"", "Q", "\"'bar'\"" },
      { "Q='\"bar\"'", "Q", "\"bar\"" },
      { "Q=\xe2\x80\x98" "bar\xe2\x80\x99", "Q", "\xe2\x80\x98" "bar\xe2\x80\x99" }, /* curly */
      { "Q=`bar`", "Q", "`bar`" },
      { "'Q'=bar", "'Q'", "bar" },    /* the key is never unquoted */
   };

   for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
      char *name, *value;
      ck_assert_msg(apply(rows[i].assignment) == 0, "[%s]: %s", rows[i].assignment, err.msg);
      ck_assert_env(rows[i].name, rows[i].value);
      ck_assert_int_eq(cl_env_parse(rows[i].assignment, &name, &value, &err), 0);
      ck_assert_str_eq(name, rows[i].name);
      ck_assert_str_eq(value, rows[i].value);
      free(name);
      free(value);
   }
}
END_TEST

START_TEST(quotes_then_expansion)
{
   /* The quotes go before expansion, so a quoted search path still expands
      (quotes are for the shell-like look, not for suppressing expansion). */
   ck_assert_int_eq(apply("FOO='$BAR:baz'"), 0);
   ck_assert_env("FOO", "bar:baz");
}
END_TEST

/* ---- expansion ---- */

START_TEST(expand_direct)
{
   static const struct row rows[] = {
      { "", "", "" },
      { "plain", "", "plain" },
      { "$BAR", "", "bar" },
      { "$UNSET", "", "" },
      { "$UNSET:baz", "", "baz" },      /* not ":baz" */
      { "baz:$UNSET", "", "baz" },      /* not "baz:" */
      { "$UNSET:$UNSET", "", "" },
      { "a:$UNSET:$UNSET:b", "", "a:b" },
      { ":", "", ":" },
      { "::", "", "::" },
      { "a::b", "", "a::b" },           /* literal empty items are kept */
      { "$BAR:$BAR", "", "bar:bar" },
      { "$OTHER:$BAR:/x", "", "other:bar:/x" },
      { "/x$BAR", "", "/x$BAR" },       /* '$' not at item start */
      { "$BARx", "", "" },              /* variable BARx */
      { "$BAR/x", "", "" },             /* variable "BAR/x" */
      { "$", "", "" },                  /* variable "" never set */
      { "$$", "", "" },
      { "$BAR$BAR", "", "" },           /* variable "BAR$BAR" */
      { "${BAR}", "", "" },             /* no ${} syntax */
   };

   for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
      char *out = cl_env_expand(&env, rows[i].assignment);
      ck_assert_msg(strcmp(out, rows[i].value) == 0, "expand [%s]: got [%s], expected [%s]",
                    rows[i].assignment, out, rows[i].value);
      free(out);
   }
}
END_TEST

START_TEST(expand_value_with_colons)
{
   /* A variable's value is inserted whole, colons and all, not re-split. */
   cl_env_set(&env, "P", "/a:/b::/c");
   ck_assert_int_eq(apply("Q=/x:$P:/y"), 0);
   ck_assert_env("Q", "/x:/a:/b::/c:/y");
   cl_env_set(&env, "D", "$BAR");
   ck_assert_int_eq(apply("E=$D"), 0);
   ck_assert_env("E", "$BAR"); /* expanded once, not recursively */
}
END_TEST

START_TEST(expand_earlier_in_same_text)
{
   ck_assert_int_eq(apply("A=x\nB=$A:y"), 0);
   ck_assert_env("A", "x");
   ck_assert_env("B", "x:y");
}
END_TEST

START_TEST(expand_order_matters)
{
   ck_assert_int_eq(apply("B=$A:y\nA=x"), 0);
   ck_assert_env("B", "y");
   ck_assert_env("A", "x");
}
END_TEST

START_TEST(expand_self_prepend)
{
   cl_env_set(&env, "PATH", "/usr/bin:/bin");
   ck_assert_int_eq(apply("PATH=/opt/bin:$PATH"), 0);
   ck_assert_env("PATH", "/opt/bin:/usr/bin:/bin");
   ck_assert_int_eq(apply("PATH=$PATH:/last\nPATH=/first:$PATH"), 0);
   ck_assert_env("PATH", "/first:/opt/bin:/usr/bin:/bin:/last");
   ck_assert_uint_eq(count_named("PATH"), 1);
   ck_assert_int_eq(apply("HOSTPATH=$PATH"), 0);
   ck_assert_env("HOSTPATH", "/first:/opt/bin:/usr/bin:/bin:/last");
}
END_TEST

START_TEST(expand_set_empty_later)
{
   ck_assert_int_eq(apply("A=x\nA=\nB=1:$A:2"), 0);
   ck_assert_env("A", "");
   ck_assert_env("B", "1:2");
}
END_TEST

START_TEST(no_expand)
{
   const char *t = "FOO=$BAR:$UNSET:baz\nQ='$BAR'\nR=a:$UNSET";
   ck_assert_int_eq(cl_env_apply_text(&env, t, strlen(t), '\n', false, "x", &err), 0);
   ck_assert_env("FOO", "$BAR:$UNSET:baz");
   ck_assert_env("Q", "$BAR"); /* quotes still stripped */
   ck_assert_env("R", "a:$UNSET");
   static const char t0[] = "S=$BAR\0T=$";
   ck_assert_int_eq(cl_env_apply_text(&env, t0, sizeof(t0) - 1, '\0', false, "x", &err), 0);
   ck_assert_env("S", "$BAR");
   ck_assert_env("T", "$");
}
END_TEST

/* ---- text: items, lines, delimiters, errors ---- */

START_TEST(empty_items_ignored)
{
   size_t n_before = env.vars.n;
   ck_assert_int_eq(apply(""), 0);
   ck_assert_int_eq(apply("\n"), 0);
   ck_assert_int_eq(apply("\n\n\n"), 0);
   ck_assert_uint_eq(env.vars.n, n_before);
   ck_assert_int_eq(apply("\n\nFOO=bar\n\n\nBAZ=qux\n\n"), 0);
   ck_assert_uint_eq(env.vars.n, n_before + 2);
   ck_assert_env("FOO", "bar");
   ck_assert_env("BAZ", "qux");
   check_vars_sane();
}
END_TEST

START_TEST(zero_length)
{
   /* len counts, not NUL termination: nothing past len is read. */
   ck_assert_int_eq(cl_env_apply_text(&env, "FOO=bar", 0, '\n', true, "x", &err), 0);
   ck_assert_ptr_null(cl_env_get(&env, "FOO"));
   ck_assert_int_eq(cl_env_apply_text(&env, "FOO=bar\nX=1", 7, '\n', true, "x", &err), 0);
   ck_assert_env("FOO", "bar");
   ck_assert_ptr_null(cl_env_get(&env, "X"));
}
END_TEST

START_TEST(last_line_without_newline)
{
   ck_assert_int_eq(apply("A=1\nB=2"), 0);
   ck_assert_env("A", "1");
   ck_assert_env("B", "2");
   ck_assert_int_eq(apply("C=3"), 0);
   ck_assert_env("C", "3");
   ck_assert_int_eq(apply("D=4\n"), 0);
   ck_assert_env("D", "4");
   ck_assert_uint_eq(count_named("D"), 1);
}
END_TEST

START_TEST(later_assignment_wins)
{
   ck_assert_int_eq(apply("FOO=1\nFOO=2\nBAR=new"), 0);
   ck_assert_env("FOO", "2");
   ck_assert_env("BAR", "new");
   ck_assert_uint_eq(count_named("FOO"), 1);
   ck_assert_uint_eq(count_named("BAR"), 1);
}
END_TEST

START_TEST(nul_delimited)
{
   /* --env0: values may hold newlines; a trailing NUL is optional. */
   static const char t[] = "A=1\0B=line1\nline2\n\0\0\0C=$BAR:x\0D='q\nq'\0E=last";
   ck_assert_int_eq(cl_env_apply_text(&env, t, sizeof(t) - 1, '\0', true, "f0", &err), 0);
   ck_assert_env("A", "1");
   ck_assert_env("B", "line1\nline2\n");
   ck_assert_env("C", "bar:x");
   ck_assert_env("D", "q\nq");
   ck_assert_env("E", "last");
   check_vars_sane();

   static const char t2[] = "F=1\0G=2\0"; /* with trailing NUL */
   ck_assert_int_eq(cl_env_apply_text(&env, t2, sizeof(t2) - 1, '\0', true, "f0", &err), 0);
   ck_assert_env("F", "1");
   ck_assert_env("G", "2");
}
END_TEST

START_TEST(nul_delimited_newline_is_not_separator)
{
   /* With '\0' as delimiter, "A=1\nB=2" is one assignment. */
   static const char t[] = "A=1\nB=2";
   ck_assert_int_eq(cl_env_apply_text(&env, t, sizeof(t) - 1, '\0', true, "f0", &err), 0);
   ck_assert_env("A", "1\nB=2");
   ck_assert_ptr_null(cl_env_get(&env, "B"));
}
END_TEST

START_TEST(nul_delimited_error)
{
   static const char t[] = "A=1\0\0no equals here\nreally\0C=3";
   ck_assert_int_eq(cl_env_apply_text(&env, t, sizeof(t) - 1, '\0', true, "/img/env0", &err),
                    -1);
   ck_assert_msg(strncmp(err.msg, "/img/env0:3: ", 13) == 0, "context: %s", err.msg);
   ck_assert_ptr_nonnull(strstr(err.msg, "no delimiter"));
}
END_TEST

START_TEST(error_line_numbers)
{
   static const struct {
      const char *text;
      const char *prefix;
      const char *problem;
   } rows[] = {
      { "FOO bar", "/some/file:1: ", "no delimiter" },
      { "A=1\nB=2\nFOO bar\nC=3", "/some/file:3: ", "no delimiter" },
      { "\n\n=bar\n", "/some/file:3: ", "empty name" },  /* empty lines count */
      { "A=1\n\n\n\n=x", "/some/file:5: ", "empty name" }, /* last, no newline */
   };

   for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
      memset(&err, 0, sizeof(err));
      ck_assert_int_eq(cl_env_apply_text(&env, rows[i].text, strlen(rows[i].text), '\n', true,
                                         "/some/file", &err),
                       -1);
      ck_assert_msg(strncmp(err.msg, rows[i].prefix, strlen(rows[i].prefix)) == 0,
                    "case %zu: message \"%s\", expected prefix \"%s\"", i, err.msg,
                    rows[i].prefix);
      ck_assert_msg(strstr(err.msg, rows[i].problem) != NULL, "case %zu: message \"%s\"", i,
                    err.msg);
      ck_assert_int_eq(err.errnum, 0);
   }
}
END_TEST

/* ---- odd bytes ---- */

START_TEST(non_ascii_and_dollar)
{
   /* UTF-8, and bytes that are not UTF-8 at all, pass through untouched. */
   ck_assert_int_eq(apply("GR\xc3\x9c\xc3\x9f" "E=h\xc3\xa9llo w\xc3\xb6rld \xe2\x9c\x93"), 0);
   ck_assert_env("GR\xc3\x9c\xc3\x9f" "E", "h\xc3\xa9llo w\xc3\xb6rld \xe2\x9c\x93");
   ck_assert_int_eq(apply("RAW=\xff\xfe\x80\x01\x7f"), 0);
   ck_assert_env("RAW", "\xff\xfe\x80\x01\x7f");
   ck_assert_int_eq(apply("P=$BAR:/\xc3\xa9t\xc3\xa9:$UNSET"), 0);
   ck_assert_env("P", "bar:/\xc3\xa9t\xc3\xa9");
   cl_env_set(&env, "\xc3\xa9", "accent");
   ck_assert_int_eq(apply("Q=$\xc3\xa9:x"), 0);
   ck_assert_env("Q", "accent:x");

   /* '$' anywhere but the start of an item is an ordinary character. */
   ck_assert_int_eq(apply("PRICE=5$"), 0);
   ck_assert_env("PRICE", "5$");
   ck_assert_int_eq(apply("M=a$BAR:b$:c$$d"), 0);
   ck_assert_env("M", "a$BAR:b$:c$$d");
   ck_assert_int_eq(apply("PS=\\$ "), 0);
   ck_assert_env("PS", "\\$ ");
   /* At the start it always names a variable, even an impossible one. */
   ck_assert_int_eq(apply("D=$"), 0);
   ck_assert_env("D", "");
   ck_assert_int_eq(apply("E=x:$:y"), 0);
   ck_assert_env("E", "x:y");
}
END_TEST

START_TEST(tabs_and_carriage_returns_are_data)
{
   ck_assert_int_eq(apply("T=\ta\t\nCR=x\r"), 0);
   ck_assert_env("T", "\ta\t");
   ck_assert_env("CR", "x\r");
}
END_TEST

/* ---- set / get / unset ---- */

START_TEST(init_empty)
{
   struct cl_env e;
   cl_env_init(&e, NULL);
   ck_assert_ptr_nonnull(e.vars.v);
   ck_assert_ptr_null(e.vars.v[0]);
   ck_assert_uint_eq(e.vars.n, 0);
   ck_assert_ptr_null(cl_env_get(&e, "X"));
   cl_env_unset(&e, "X");
   cl_env_set(&e, "X", "1");
   ck_assert_str_eq(cl_env_get(&e, "X"), "1");
   ck_assert_str_eq(e.vars.v[0], "X=1");
   ck_assert_ptr_null(e.vars.v[1]);
   cl_env_free(&e);
}
END_TEST

START_TEST(init_copies)
{
   char a[] = "A=1";
   char *const from[] = { a, NULL };
   struct cl_env e;
   cl_env_init(&e, from);
   a[2] = '2'; /* the environment is a copy */
   ck_assert_str_eq(cl_env_get(&e, "A"), "1");
   cl_env_free(&e);
}
END_TEST

START_TEST(set_get_unset)
{
   size_t n = env.vars.n;

   ck_assert_ptr_null(cl_env_get(&env, "FOO"));
   cl_env_set(&env, "FOO", "1");
   ck_assert_env("FOO", "1");
   ck_assert_uint_eq(env.vars.n, n + 1);
   cl_env_set(&env, "FOO", "2"); /* replaces, no duplicate */
   ck_assert_env("FOO", "2");
   ck_assert_uint_eq(env.vars.n, n + 1);
   ck_assert_uint_eq(count_named("FOO"), 1);
   cl_env_set(&env, "FOO", "");
   ck_assert_env("FOO", "");
   cl_env_set(&env, "FOO", "a=b=c");
   ck_assert_env("FOO", "a=b=c");

   /* Names match whole, not by prefix either way. */
   cl_env_set(&env, "FOOBAR", "x");
   ck_assert_ptr_null(cl_env_get(&env, "FO"));
   ck_assert_ptr_null(cl_env_get(&env, "FOOB"));
   ck_assert_ptr_null(cl_env_get(&env, "FOOBARB"));
   ck_assert_env("FOO", "a=b=c");
   ck_assert_env("FOOBAR", "x");

   cl_env_unset(&env, "FOO");
   ck_assert_ptr_null(cl_env_get(&env, "FOO"));
   ck_assert_env("FOOBAR", "x");
   ck_assert_uint_eq(env.vars.n, n + 1);
   cl_env_unset(&env, "FOO"); /* not set: no-op */
   cl_env_unset(&env, "FO");
   ck_assert_uint_eq(env.vars.n, n + 1);
   check_vars_sane();

   /* Removing from the front, middle and end keeps the array intact. */
   cl_env_set(&env, "Z1", "1");
   cl_env_set(&env, "Z2", "2");
   cl_env_set(&env, "Z3", "3");
   cl_env_unset(&env, "Z3");
   check_vars_sane();
   ck_assert_str_eq(env.vars.v[0], "BAR=bar");
   cl_env_unset(&env, "BAR");
   check_vars_sane();
   cl_env_unset(&env, "Z1");
   check_vars_sane();
   ck_assert_env("Z2", "2");
   ck_assert_env("FOOBAR", "x");
}
END_TEST

START_TEST(set_many)
{
   /* Growth past the initial capacity. */
   for (int i = 0; i < 200; i++) {
      char name[16], value[16];
      snprintf(name, sizeof(name), "V%d", i);
      snprintf(value, sizeof(value), "%d", i * 3);
      cl_env_set(&env, name, value);
   }
   check_vars_sane();
   ck_assert_env("V0", "0");
   ck_assert_env("V199", "597");
   for (int i = 0; i < 200; i += 2) {
      char name[16];
      snprintf(name, sizeof(name), "V%d", i);
      cl_env_unset(&env, name);
   }
   check_vars_sane();
   ck_assert_ptr_null(cl_env_get(&env, "V100"));
   ck_assert_env("V101", "303");
}
END_TEST

/* ---- --unset-env=GLOB ---- */

static void glob_setup(void)
{
   char *const base[] = { "FOO=1",       "FOOBAR=2",     "BARFOO=3",
                          "SLURM_JOB_ID=4", "SLURMD_NODENAME=5", "MY_SLURM=6",
                          "WANTED_A=7",  "WANTED_=8",    "ALSO_B=9",
                          "UNWANTED_C=10", "X=SLURM",    "HOME=/root",
                          NULL };
   cl_env_init(&env, base);
   memset(&err, 0, sizeof(err));
}

START_TEST(unset_glob_plain)
{
   size_t n = env.vars.n;
   ck_assert_int_eq(cl_env_unset_glob(&env, "FOO", &err), 0);
   ck_assert_ptr_null(cl_env_get(&env, "FOO"));
   ck_assert_env("FOOBAR", "2");
   ck_assert_env("BARFOO", "3");
   ck_assert_uint_eq(env.vars.n, n - 1);
   ck_assert_int_eq(cl_env_unset_glob(&env, "NOSUCH", &err), 0); /* no match: fine */
   ck_assert_uint_eq(env.vars.n, n - 1);
   /* Matches the name only, never "NAME=VALUE". */
   ck_assert_int_eq(cl_env_unset_glob(&env, "HOME=/root", &err), 0);
   ck_assert_env("HOME", "/root");
   ck_assert_int_eq(cl_env_unset_glob(&env, "HOME=*", &err), 0);
   ck_assert_env("HOME", "/root");
   check_vars_sane();
}
END_TEST

START_TEST(unset_glob_star)
{
   ck_assert_int_eq(cl_env_unset_glob(&env, "*", &err), 0);
   ck_assert_uint_eq(env.vars.n, 0);
   ck_assert_ptr_nonnull(env.vars.v);
   ck_assert_ptr_null(env.vars.v[0]);
   ck_assert_int_eq(cl_env_unset_glob(&env, "*", &err), 0); /* empty env */
   cl_env_set(&env, "NEW", "1");
   ck_assert_env("NEW", "1");
}
END_TEST

START_TEST(unset_glob_prefix)
{
   size_t n = env.vars.n;
   ck_assert_int_eq(cl_env_unset_glob(&env, "SLURM*", &err), 0);
   ck_assert_ptr_null(cl_env_get(&env, "SLURM_JOB_ID"));
   ck_assert_ptr_null(cl_env_get(&env, "SLURMD_NODENAME"));
   ck_assert_env("MY_SLURM", "6");
   ck_assert_env("X", "SLURM"); /* the value doesn't matter */
   ck_assert_uint_eq(env.vars.n, n - 2);
   check_vars_sane();
}
END_TEST

START_TEST(unset_glob_classes)
{
   ck_assert_int_eq(cl_env_unset_glob(&env, "?", &err), 0);
   ck_assert_ptr_null(cl_env_get(&env, "X"));
   ck_assert_int_eq(cl_env_unset_glob(&env, "[FB]*", &err), 0);
   ck_assert_ptr_null(cl_env_get(&env, "FOO"));
   ck_assert_ptr_null(cl_env_get(&env, "FOOBAR"));
   ck_assert_ptr_null(cl_env_get(&env, "BARFOO"));
   ck_assert_env("HOME", "/root");
   check_vars_sane();
}
END_TEST

#ifdef HAVE_FNM_EXTMATCH
START_TEST(unset_glob_extglob)
{
   ck_assert_int_eq(cl_env_unset_glob(&env, "!(WANTED_*|ALSO_*)", &err), 0);
   ck_assert_uint_eq(env.vars.n, 3);
   ck_assert_env("WANTED_A", "7");
   ck_assert_env("WANTED_", "8");
   ck_assert_env("ALSO_B", "9");
   ck_assert_ptr_null(cl_env_get(&env, "UNWANTED_C"));
   ck_assert_ptr_null(cl_env_get(&env, "FOO"));
   ck_assert_ptr_null(cl_env_get(&env, "HOME"));
   check_vars_sane();
}
END_TEST

START_TEST(unset_glob_extglob_other)
{
   ck_assert_int_eq(cl_env_unset_glob(&env, "@(FOO|BARFOO)", &err), 0);
   ck_assert_ptr_null(cl_env_get(&env, "FOO"));
   ck_assert_ptr_null(cl_env_get(&env, "BARFOO"));
   ck_assert_env("FOOBAR", "2");
   ck_assert_int_eq(cl_env_unset_glob(&env, "+(SLURM|D|_|JOB|ID|NODENAME)", &err), 0);
   ck_assert_ptr_null(cl_env_get(&env, "SLURM_JOB_ID"));
   ck_assert_ptr_null(cl_env_get(&env, "SLURMD_NODENAME"));
   ck_assert_env("MY_SLURM", "6");
}
END_TEST
#endif

START_TEST(unset_glob_empty_is_error)
{
   size_t n = env.vars.n;
   ck_assert_int_eq(cl_env_unset_glob(&env, "", &err), -1);
   ck_assert_str_ne(err.msg, "");
   ck_assert_ptr_nonnull(strstr(err.msg, "empty"));
   ck_assert_uint_eq(env.vars.n, n);
}
END_TEST

/* ---- main ---- */

static Suite *env_suite(void)
{
   Suite *s = suite_create("env");
   TCase *tc;

   tc = tcase_create("tables");
   tcase_add_loop_test(tc, table_valid, 0, 2 * VALID_CT);
   tcase_add_loop_test(tc, table_surprising, 0, 2 * SURPRISING_CT);
   suite_add_tcase(s, tc);

   tc = tcase_create("tables_invalid");
   tcase_add_checked_fixture(tc, setup_unset, teardown);
   tcase_add_loop_test(tc, table_invalid, 0, INVALID_CT);
   suite_add_tcase(s, tc);

   tc = tcase_create("parse_and_expand");
   tcase_add_checked_fixture(tc, setup_unset, teardown);
   tcase_add_test(tc, quotes);
   tcase_add_test(tc, quotes_then_expansion);
   tcase_add_test(tc, expand_direct);
   tcase_add_test(tc, expand_value_with_colons);
   tcase_add_test(tc, expand_earlier_in_same_text);
   tcase_add_test(tc, expand_order_matters);
   tcase_add_test(tc, expand_self_prepend);
   tcase_add_test(tc, expand_set_empty_later);
   tcase_add_test(tc, no_expand);
   suite_add_tcase(s, tc);

   tc = tcase_create("text");
   tcase_add_checked_fixture(tc, setup_unset, teardown);
   tcase_add_test(tc, empty_items_ignored);
   tcase_add_test(tc, zero_length);
   tcase_add_test(tc, last_line_without_newline);
   tcase_add_test(tc, later_assignment_wins);
   tcase_add_test(tc, nul_delimited);
   tcase_add_test(tc, nul_delimited_newline_is_not_separator);
   tcase_add_test(tc, nul_delimited_error);
   tcase_add_test(tc, error_line_numbers);
   tcase_add_test(tc, non_ascii_and_dollar);
   tcase_add_test(tc, tabs_and_carriage_returns_are_data);
   suite_add_tcase(s, tc);

   tc = tcase_create("set_get_unset");
   tcase_add_checked_fixture(tc, setup_unset, teardown);
   tcase_add_test(tc, init_empty);
   tcase_add_test(tc, init_copies);
   tcase_add_test(tc, set_get_unset);
   tcase_add_test(tc, set_many);
   suite_add_tcase(s, tc);

   tc = tcase_create("unset_glob");
   tcase_add_checked_fixture(tc, glob_setup, teardown);
   tcase_add_test(tc, unset_glob_plain);
   tcase_add_test(tc, unset_glob_star);
   tcase_add_test(tc, unset_glob_prefix);
   tcase_add_test(tc, unset_glob_classes);
#ifdef HAVE_FNM_EXTMATCH
   tcase_add_test(tc, unset_glob_extglob);
   tcase_add_test(tc, unset_glob_extglob_other);
#endif
   tcase_add_test(tc, unset_glob_empty_is_error);
   suite_add_tcase(s, tc);

   return s;
}

int main(void)
{
   SRunner *sr = srunner_create(env_suite());
   int failed;

   srunner_run_all(sr, CK_NORMAL);
   failed = srunner_ntests_failed(sr);
   srunner_free(sr);
   return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
