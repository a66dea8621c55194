/* --cap-add and --cap-drop: capabilities of the command. */
#ifndef CL_CAPS_H
#define CL_CAPS_H

#include <stdint.h>

#include "err.h"
#include "util.h"

/* Turn capability names (CHOWN, cap_chown, CAP_CHOWN...) into a bit mask,
   with libcap's cap_from_name(), loaded only when names are given. */
int cl_caps_parse(const struct cl_strv *names, uint64_t *mask, struct cl_err *err);

/* In the container, before the command starts: drop the `drop` ones from
   the bounding, permitted and effective sets (so even a command running as
   root inside lacks them), and make the `add` ones ambient, so that a
   command that is not root inside keeps them across exec(2). */
int cl_caps_apply(uint64_t add, uint64_t drop, struct cl_err *err);

#endif
