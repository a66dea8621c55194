/* Running the project's other programs (clearly-image...) by name: first
   in a directory set by the caller, then next to this executable (build
   tree, test copies, bindir), then in the configured package libexec
   directory. */
#ifndef CL_HELPER_H
#define CL_HELPER_H

/* Path of helper program name (a new string), or NULL if not found. */
char *cl_helper_path(const char *name);

/* Look in dir first (a program loaded as a plugin is not the executable:
   it names where it was loaded from). */
void cl_helper_set_dir(const char *dir);

#endif
