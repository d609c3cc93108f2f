#ifndef GHOST_CZLIB_SHIM_H
#define GHOST_CZLIB_SHIM_H
#include <zlib.h>
#endif
