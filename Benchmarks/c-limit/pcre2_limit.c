/* The limit for `ghost apply` regex throughput: one JIT-compiled pcre2_substitute over the whole file
 * with the same flags and limits GhostRunner uses, plus the same I/O (read, temp file in the same folder,
 * fsync, rename, fsync folder). No JSON, no hashing, no receipt.
 * Usage: pcre2_limit FILE PATTERN REPLACEMENT */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <fcntl.h>
#include <libgen.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void die(const char *what) { perror(what); exit(1); }

int main(int argc, char **argv) {
    if (argc != 4) { fprintf(stderr, "usage: %s FILE PATTERN REPLACEMENT\n", argv[0]); return 2; }
    const char *path = argv[1];
    int fd = open(path, O_RDONLY);
    if (fd < 0) die("open");
    struct stat st;
    if (fstat(fd, &st) != 0) die("fstat");
    size_t size = (size_t)st.st_size;
    unsigned char *subject = malloc(size + 1);
    size_t got = 0;
    while (got < size) { ssize_t r = read(fd, subject + got, size - got); if (r <= 0) die("read"); got += (size_t)r; }
    close(fd);

    int error; PCRE2_SIZE offset;
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)argv[2], PCRE2_ZERO_TERMINATED, PCRE2_UTF, &error, &offset, NULL);
    if (!code) { fprintf(stderr, "compile error %d at %zu\n", error, offset); return 1; }
    pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
    pcre2_match_context *context = pcre2_match_context_create(NULL);
    pcre2_set_match_limit(context, 10000000);
    pcre2_set_heap_limit(context, 64 * 1024);
    pcre2_jit_stack *stack = pcre2_jit_stack_create(32 * 1024, 8 << 20, NULL);
    pcre2_jit_stack_assign(context, NULL, stack);

    uint32_t options = PCRE2_SUBSTITUTE_GLOBAL | PCRE2_SUBSTITUTE_OVERFLOW_LENGTH | PCRE2_SUBSTITUTE_UNSET_EMPTY;
    PCRE2_SIZE capacity = size + size / 4 + 4096, length = capacity;
    PCRE2_UCHAR *output = malloc(capacity);
    int rc = pcre2_substitute(code, subject, size, 0, options, NULL, context, (PCRE2_SPTR)argv[3], PCRE2_ZERO_TERMINATED, output, &length);
    if (rc == PCRE2_ERROR_NOMEMORY) {
        free(output); output = malloc(length); capacity = length;
        rc = pcre2_substitute(code, subject, size, 0, options, NULL, context, (PCRE2_SPTR)argv[3], PCRE2_ZERO_TERMINATED, output, &length);
    }
    if (rc < 0) { fprintf(stderr, "substitute error %d\n", rc); return 1; }

    char temp[4096];
    snprintf(temp, sizeof temp, "%s.limit.tmp", path);
    int out = open(temp, O_WRONLY | O_CREAT | O_EXCL, st.st_mode & 07777);
    if (out < 0) die("open temp");
    size_t written = 0;
    while (written < length) { ssize_t w = write(out, output + written, length - written); if (w <= 0) die("write"); written += (size_t)w; }
    if (fsync(out) != 0) die("fsync");
    close(out);
    if (rename(temp, path) != 0) die("rename");
    char folder[4096];
    strncpy(folder, path, sizeof folder - 1);
    folder[sizeof folder - 1] = 0;
    int dir = open(dirname(folder), O_RDONLY | O_DIRECTORY);
    if (dir < 0 || fsync(dir) != 0) die("fsync folder");
    close(dir);
    printf("%d\n", rc);
    return 0;
}
