/* What both C references share. The I/O they do, exactly as `ghost apply` does it: read the whole file, then write the new
 * bytes to a temp file in the same folder, fsync it, rename it over the file and fsync the folder. */
#ifndef BENCH_IO_H
#define BENCH_IO_H
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void die(const char *what) { perror(what); exit(1); }

static unsigned char *read_whole(const char *path, size_t *size, mode_t *mode) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) die("open");
    struct stat st;
    if (fstat(fd, &st) != 0) die("fstat");
    *size = (size_t)st.st_size;
    *mode = st.st_mode & 07777;
    unsigned char *bytes = malloc(*size + 1);
    size_t got = 0;
    while (got < *size) { ssize_t r = read(fd, bytes + got, *size - got); if (r <= 0) die("read"); got += (size_t)r; }
    close(fd);
    return bytes;
}

static void write_atomically(const char *path, const unsigned char *bytes, size_t length, mode_t mode) {
    char temp[4096];
    snprintf(temp, sizeof temp, "%s.bench.tmp", path);
    int out = open(temp, O_WRONLY | O_CREAT | O_EXCL, mode);
    if (out < 0) die("open temp");
    size_t written = 0;
    while (written < length) { ssize_t w = write(out, bytes + written, length - written); if (w <= 0) die("write"); written += (size_t)w; }
    if (fsync(out) != 0) die("fsync");
    close(out);
    if (rename(temp, path) != 0) die("rename");
    char folder[4096];
    strncpy(folder, path, sizeof folder - 1);
    folder[sizeof folder - 1] = 0;
    int dir = open(dirname(folder), O_RDONLY | O_DIRECTORY);
    if (dir < 0 || fsync(dir) != 0) die("fsync folder");
    close(dir);
}
#ifdef PCRE2_MAJOR
/* Compiles and JIT-compiles a pattern in UTF mode, with GhostRunner's match limits and JIT stack. */
static pcre2_code *compile_with_limits(const char *pattern, pcre2_match_context **context) {
    int error; PCRE2_SIZE offset;
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, PCRE2_UTF, &error, &offset, NULL);
    if (!code) { fprintf(stderr, "compile error %d at %zu\n", error, offset); exit(1); }
    pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
    *context = pcre2_match_context_create(NULL);
    pcre2_set_match_limit(*context, 10000000);
    pcre2_set_heap_limit(*context, 64 * 1024);
    pcre2_jit_stack *stack = pcre2_jit_stack_create(32 * 1024, 8 << 20, NULL);
    pcre2_jit_stack_assign(*context, NULL, stack);
    return code;
}
#endif
#endif
