#include "config.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "env.h"

#ifndef HAVE_FNM_EXTMATCH
#define FNM_EXTMATCH 0
#endif

void cl_env_init(struct cl_env *env, char *const *from)
{
   memset(env, 0, sizeof(*env));
   for (; from != NULL && *from != NULL; from++)
      cl_strv_push(&env->vars, cl_xstrdup(*from));
   if (env->vars.v == NULL) { /* always a valid, NULL-terminated array */
      env->vars.v = cl_xmalloc(sizeof(char *));
      env->vars.v[0] = NULL;
      env->vars.cap = 1;
   }
}

void cl_env_free(struct cl_env *env)
{
   for (size_t i = 0; i < env->vars.n; i++)
      free(env->vars.v[i]);
   free(env->vars.v);
   memset(env, 0, sizeof(*env));
}

/* Index of name in env, or -1. */
static ssize_t env_find(const struct cl_env *env, const char *name, size_t name_len)
{
   for (size_t i = 0; i < env->vars.n; i++) {
      const char *v = env->vars.v[i];
      if (strncmp(v, name, name_len) == 0 && v[name_len] == '=')
         return (ssize_t)i;
   }
   return -1;
}

const char *cl_env_get(const struct cl_env *env, const char *name)
{
   size_t len = strlen(name);
   ssize_t i = env_find(env, name, len);
   return i < 0 ? NULL : env->vars.v[i] + len + 1;
}

void cl_env_set(struct cl_env *env, const char *name, const char *value)
{
   char *nv = cl_xasprintf("%s=%s", name, value);
   ssize_t i = env_find(env, name, strlen(name));

   if (i < 0) {
      cl_strv_push(&env->vars, nv);
   } else {
      free(env->vars.v[i]);
      env->vars.v[i] = nv;
   }
}

static void env_remove_at(struct cl_env *env, size_t i)
{
   free(env->vars.v[i]);
   memmove(env->vars.v + i, env->vars.v + i + 1, (env->vars.n - i) * sizeof(char *));
   env->vars.n--;
}

void cl_env_unset(struct cl_env *env, const char *name)
{
   ssize_t i = env_find(env, name, strlen(name));
   if (i >= 0)
      env_remove_at(env, i);
}

int cl_env_unset_glob(struct cl_env *env, const char *glob, struct cl_err *err)
{
   if (glob[0] == '\0')
      return cl_fail(err, 0, "--unset-env: GLOB must not be empty");
   for (size_t i = 0; i < env->vars.n;) {
      const char *v = env->vars.v[i];
      char *name = cl_xstrndup(v, strcspn(v, "="));
      int match = fnmatch(glob, name, FNM_EXTMATCH);
      free(name);
      if (match == 0)
         env_remove_at(env, i);
      else
         i++;
   }
   return 0;
}

int cl_env_parse(const char *assignment, char **name, char **value, struct cl_err *err)
{
   const char *eq = strchr(assignment, '=');
   const char *v;
   size_t vlen, alen = strlen(assignment);

   /* 'NAME=VALUE' quoted whole, as in --env="'BAZ=qux'": a name can't
      start with a quote, so this can only mean the quoting. */
   if (alen >= 2 && assignment[0] == '\'' && assignment[alen - 1] == '\'' && eq != NULL) {
      char *inner = cl_xstrndup(assignment + 1, alen - 2);
      int rc = cl_env_parse(inner, name, value, err);
      free(inner);
      return rc;
   }
   if (eq == NULL)
      return cl_fail(err, 0, "can't parse variable: no delimiter: %s", assignment);
   if (eq == assignment)
      return cl_fail(err, 0, "can't parse variable: empty name: %s", assignment);
   v = eq + 1;
   vlen = strlen(v);
   if (vlen >= 2 && v[0] == '\'' && v[vlen - 1] == '\'') {
      v++;
      vlen -= 2;
   }
   *name = cl_xstrndup(assignment, eq - assignment);
   *value = cl_xstrndup(v, vlen);
   return 0;
}

char *cl_env_expand(const struct cl_env *env, const char *value)
{
   size_t cap = strlen(value) + 1, n = 0;
   char *out = cl_xmalloc(cap);
   bool first = true;
   const char *item = value;

   for (;;) {
      size_t len = strcspn(item, ":");
      const char *text = item;
      size_t text_len = len;
      bool keep = true;

      if (len > 0 && item[0] == '$') {
         char *name = cl_xstrndup(item + 1, len - 1);
         const char *val = cl_env_get(env, name);
         free(name);
         if (val == NULL || val[0] == '\0') {
            keep = false;
         } else {
            text = val;
            text_len = strlen(val);
         }
      }
      if (keep) {
         if (n + text_len + 2 > cap)
            out = cl_xrealloc(out, cap = (n + text_len + 2) * 2);
         if (!first)
            out[n++] = ':';
         memcpy(out + n, text, text_len);
         n += text_len;
         first = false;
      }
      if (item[len] == '\0')
         break;
      item += len + 1;
   }
   out[n] = '\0';
   return out;
}

/* Apply one assignment. */
static int env_assign(struct cl_env *env, const char *assignment, bool expand,
                      struct cl_err *err)
{
   char *name, *value;

   if (cl_env_parse(assignment, &name, &value, err))
      return -1;
   if (expand) {
      char *expanded = cl_env_expand(env, value);
      free(value);
      value = expanded;
   }
   cl_env_set(env, name, value);
   free(name);
   free(value);
   return 0;
}

int cl_env_apply_text(struct cl_env *env, const char *text, size_t len, char delim,
                      bool expand, const char *source, struct cl_err *err)
{
   size_t start = 0;
   unsigned line = 1;

   while (start < len) {
      const char *end = memchr(text + start, delim, len - start);
      size_t item_len = end ? (size_t)(end - (text + start)) : len - start;

      if (item_len > 0) {
         char *item = cl_xstrndup(text + start, item_len);
         int rc = env_assign(env, item, expand, err);
         free(item);
         if (rc)
            return cl_fail_ctx(err, "%s:%u", source, line);
      }
      start += item_len + 1;
      line++;
   }
   return 0;
}
