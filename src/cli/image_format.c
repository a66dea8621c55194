/* The output formats of clearly convert. See image_format.h. */
#include "config.h"

#include <stdbool.h>
#include <string.h>

#include "image_format.h"
#include "util.h"

static const struct {
   const char *name;
   enum img_fmt fmt;
} formats[] = {
   { "dir", IMG_FMT_DIR },        { "tar", IMG_FMT_TAR },         { "tar.gz", IMG_FMT_TGZ },
   { "tar.xz", IMG_FMT_TXZ },     { "tar.zst", IMG_FMT_TZST },    { "sqfs", IMG_FMT_SQFS },
   { "storage", IMG_FMT_STORAGE }, { NULL, IMG_FMT_NONE },
};

/* Suffixes of DST that choose its format (without --format). */
static const struct {
   const char *suffix;
   enum img_fmt fmt;
} suffixes[] = {
   { ".tar", IMG_FMT_TAR },       { ".tar.gz", IMG_FMT_TGZ },    { ".tgz", IMG_FMT_TGZ },
   { ".tar.xz", IMG_FMT_TXZ },    { ".txz", IMG_FMT_TXZ },       { ".tar.zst", IMG_FMT_TZST },
   { ".tar.zstd", IMG_FMT_TZST }, { ".tzst", IMG_FMT_TZST },     { ".sqfs", IMG_FMT_SQFS },
   { ".squashfs", IMG_FMT_SQFS }, { NULL, IMG_FMT_NONE },
};

const char *img_fmt_name(enum img_fmt f)
{
   for (int i = 0; formats[i].name != NULL; i++)
      if (formats[i].fmt == f)
         return formats[i].name;
   return "?";
}

enum img_fmt img_fmt_named(const char *name)
{
   for (int i = 0; formats[i].name != NULL; i++)
      if (strcmp(name, formats[i].name) == 0)
         return formats[i].fmt;
   return IMG_FMT_NONE;
}

static bool ends_with(const char *s, const char *suffix)
{
   size_t n = strlen(s), m = strlen(suffix);

   return n > m && strcmp(s + n - m, suffix) == 0;
}

enum img_fmt img_fmt_of_dst(const char *dst)
{
   size_t n = strlen(dst);

   if (n > 0 && dst[n - 1] == '/')
      return IMG_FMT_DIR;
   for (int i = 0; suffixes[i].suffix != NULL; i++)
      if (ends_with(dst, suffixes[i].suffix))
         return suffixes[i].fmt;
   return cl_is_dir(dst) ? IMG_FMT_DIR : IMG_FMT_NONE;
}
