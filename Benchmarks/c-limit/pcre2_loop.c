/* A second, stricter limit for `ghost apply` regex throughput: the same I/O as pcre2_limit.c, one UTF-8
 * check by PCRE2, then a loop of pcre2_jit_match calls copying the text between matches and a replacement
 * parsed once (literal text and $N only), instead of pcre2_substitute. This is the technique GhostRunner's
 * own substitution loop uses; the program handles only what the benchmark needs (no empty matches).
 * Usage: pcre2_loop FILE PATTERN REPLACEMENT */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include "bench_io.h"

struct piece { int group; const char *text; size_t length; };

int main(int argc, char **argv) {
    if (argc != 4) { fprintf(stderr, "usage: %s FILE PATTERN REPLACEMENT\n", argv[0]); return 2; }
    const char *path = argv[1];
    size_t size;
    mode_t mode;
    unsigned char *subject = read_whole(path, &size, &mode);

    /* The replacement: literal runs and $N references. */
    struct piece pieces[64]; int count = 0;
    for (const char *p = argv[3]; *p && count < 64;) {
        if (p[0] == '$' && p[1] >= '0' && p[1] <= '9') {
            pieces[count++] = (struct piece){ p[1] - '0', NULL, 0 }; p += 2;
        } else {
            const char *start = p; while (*p && !(p[0] == '$' && p[1] >= '0' && p[1] <= '9')) p++;
            pieces[count++] = (struct piece){ -1, start, (size_t)(p - start) };
        }
    }

    pcre2_match_context *context;
    pcre2_code *code = compile_with_limits(argv[2], &context);
    pcre2_match_data *match = pcre2_match_data_create_from_pattern(code, NULL);
    PCRE2_SIZE *ovector = pcre2_get_ovector_pointer(match);

    size_t capacity = size + size / 4 + 4096, length = 0, position = 0;
    unsigned char *output = malloc(capacity);
#define APPEND(from, n) do { size_t n_ = (n); if (length + n_ > capacity) { capacity = (length + n_) * 2; output = realloc(output, capacity); } \
    memcpy(output + length, (from), n_); length += n_; } while (0)
    uint32_t options = 0; /* the first match checks the whole subject's UTF-8, as pcre2_substitute does */
    int matches = 0;
    for (;;) {
        int rc = options ? pcre2_jit_match(code, subject, size, position, 0, match, context)
                         : pcre2_match(code, subject, size, position, 0, match, context);
        options = PCRE2_NO_UTF_CHECK;
        if (rc == PCRE2_ERROR_NOMATCH) break;
        if (rc < 0) { fprintf(stderr, "match error %d\n", rc); return 1; }
        APPEND(subject + position, ovector[0] - position);
        for (int i = 0; i < count; i++) {
            if (pieces[i].group < 0) APPEND(pieces[i].text, pieces[i].length);
            else if (pieces[i].group < rc && ovector[2 * pieces[i].group] != PCRE2_UNSET)
                APPEND(subject + ovector[2 * pieces[i].group], ovector[2 * pieces[i].group + 1] - ovector[2 * pieces[i].group]);
        }
        position = ovector[1];
        matches++;
    }
    APPEND(subject + position, size - position);

    write_atomically(path, output, length, mode);
    printf("%d\n", matches);
    return 0;
}
