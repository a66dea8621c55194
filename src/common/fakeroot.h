/* --seccomp: root emulation for package managers in --overlay containers.
   A seccomp filter makes the calls that an unprivileged container can't
   honour (changing owners or ids, making device nodes) succeed without
   effect, instead of failing and stopping e.g. apt or dnf. */
#ifndef CL_FAKEROOT_H
#define CL_FAKEROOT_H

#include "err.h"

/* Load libseccomp, on the host: inside the container the image's files,
   not the host's, are found. */
int cl_fakeroot_prepare(struct cl_err *err);

/* Install the filter in the calling process (inherited by its children and
   across exec). Needs cl_fakeroot_prepare() first and no_new_privs set. */
int cl_fakeroot_install(struct cl_err *err);

#endif
