/* The output formats of clearly convert: their names (--format), and
   telling one from DST's name. Part of the program clearly-image only. */
#ifndef CL_IMAGE_FORMAT_H
#define CL_IMAGE_FORMAT_H

enum img_fmt {
   IMG_FMT_NONE,
   IMG_FMT_DIR,     /* a directory */
   IMG_FMT_TAR,     /* tarballs: plain, gzip, xz, zstd */
   IMG_FMT_TGZ,
   IMG_FMT_TXZ,
   IMG_FMT_TZST,
   IMG_FMT_SQFS,    /* a SquashFS file */
   IMG_FMT_STORAGE, /* an image in storage */
};

/* The name of format f for --format ("?" for IMG_FMT_NONE). */
const char *img_fmt_name(enum img_fmt f);

/* The format --format=name says; IMG_FMT_NONE if name is none. */
enum img_fmt img_fmt_named(const char *name);

/* DST's format from its name: a trailing '/' means a directory, then the
   suffixes, then an existing directory. IMG_FMT_NONE if none of these.
   Storage is never guessed: an image name may look like anything. */
enum img_fmt img_fmt_of_dst(const char *dst);

#endif
