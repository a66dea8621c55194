/* What configure found, for `clearly run --feature=FEAT`. */
#ifndef CL_FEATURE_H
#define CL_FEATURE_H

#include <stdbool.h>

struct cl_feature {
   const char *name;
   bool enabled;
   const char *doc;
};

extern const struct cl_feature cl_features[];

/* The feature named name, or NULL. */
const struct cl_feature *cl_feature_find(const char *name);

#endif
