/* The program clearly-image: `clearly image ...` and `clearly convert ...`.
   The clearly program execs it with argv {"clearly-image", "image" or
   "convert", ARG...}. It is a program of its own so that the libraries it
   needs (libarchive and what that pulls in) never load at `clearly run`. */
#include "config.h"

#include <locale.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd_convert.h"
#include "cmd_image.h"
#include "image_process.h"
#include "log.h"

#define EXIT_USAGE 64

int main(int argc, char **argv)
{
   /* File names in pax headers are UTF-8; in a UTF-8 locale libarchive
      passes them (and other bytes) through unchanged. */
   if (setlocale(LC_CTYPE, "C.UTF-8") == NULL)
      setlocale(LC_CTYPE, "");
   /* Trees are private while being written; outputs get the user's modes. */
   img_user_umask = umask(077);
   img_signals_init();
   cl_log_init("clearly-image");
   if (argc >= 2 && strcmp(argv[1], "image") == 0)
      return cmd_image(argc - 1, argv + 1);
   if (argc >= 2 && strcmp(argv[1], "convert") == 0)
      return cmd_convert(argc - 1, argv + 1);
   cl_error("run as `clearly image ...` or `clearly convert ...`, not: %s",
            argc >= 2 ? argv[1] : "(no subcommand)");
   return EXIT_USAGE;
}
