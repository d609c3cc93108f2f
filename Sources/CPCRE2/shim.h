#ifndef GHOST_CPCRE2_SHIM_H
#define GHOST_CPCRE2_SHIM_H
// The 8-bit library is the only one GhostRunner links: fix the code unit width
// before pcre2.h so the generic names resolve to the _8 functions.
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#endif
