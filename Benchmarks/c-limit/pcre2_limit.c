/* The limit for `ghost apply` regex throughput: one JIT-compiled pcre2_substitute over the whole file
 * with the same flags and limits GhostRunner uses, plus the same I/O (read, temp file in the same folder,
 * fsync, rename, fsync folder). No JSON, no hashing, no receipt.
 * Usage: pcre2_limit FILE PATTERN REPLACEMENT */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include "bench_io.h"

int main(int argc, char **argv) {
    if (argc != 4) { fprintf(stderr, "usage: %s FILE PATTERN REPLACEMENT\n", argv[0]); return 2; }
    const char *path = argv[1];
    size_t size;
    mode_t mode;
    unsigned char *subject = read_whole(path, &size, &mode);

    pcre2_match_context *context;
    pcre2_code *code = compile_with_limits(argv[2], &context);

    uint32_t options = PCRE2_SUBSTITUTE_GLOBAL | PCRE2_SUBSTITUTE_OVERFLOW_LENGTH | PCRE2_SUBSTITUTE_UNSET_EMPTY;
    PCRE2_SIZE capacity = size + size / 4 + 4096, length = capacity;
    PCRE2_UCHAR *output = malloc(capacity);
    int rc = pcre2_substitute(code, subject, size, 0, options, NULL, context, (PCRE2_SPTR)argv[3], PCRE2_ZERO_TERMINATED, output, &length);
    if (rc == PCRE2_ERROR_NOMEMORY) {
        free(output); output = malloc(length); capacity = length;
        rc = pcre2_substitute(code, subject, size, 0, options, NULL, context, (PCRE2_SPTR)argv[3], PCRE2_ZERO_TERMINATED, output, &length);
    }
    if (rc < 0) { fprintf(stderr, "substitute error %d\n", rc); return 1; }

    write_atomically(path, output, length, mode);
    printf("%d\n", rc);
    return 0;
}
