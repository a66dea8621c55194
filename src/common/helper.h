/* Running the project's other programs (clearly-image...) by name: first
   next to this executable (build tree, test copies, bindir), then in the
   configured package libexec directory. */
#ifndef CL_HELPER_H
#define CL_HELPER_H

/* Path of helper program name (a new string), or NULL if not found. */
char *cl_helper_path(const char *name);

#endif
