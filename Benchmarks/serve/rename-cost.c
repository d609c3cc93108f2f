/* What a rename over an existing file costs, with and without the old file still open elsewhere.
 * Without an open descriptor the rename drops the old file's last link and frees its blocks inside the
 * call; with one, freeing waits for the close. ghost serve holds each replaced file open until its patch
 * is done for this reason.
 * Usage: rename-cost DIR   (prints the median rename time, in microseconds, for both cases) */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static double now_us(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec * 1e6 + t.tv_nsec / 1e3; }
static int compare(const void *a, const void *b) { double x = *(const double *)a, y = *(const double *)b; return x < y ? -1 : x > y; }

static double median_rename(const char *dir, int hold) {
    enum { runs = 200 };
    double times[runs];
    char target[1024], staged[1024];
    snprintf(target, sizeof target, "%s/App.tsx", dir);
    int fd = open(target, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || write(fd, "old\n", 4) != 4 || fsync(fd) != 0) { perror("target"); exit(1); }
    close(fd);
    for (int i = 0; i < runs; i++) {
        snprintf(staged, sizeof staged, "%s/.App.tsx.%d.new", dir, i);
        fd = open(staged, O_WRONLY | O_CREAT | O_EXCL, 0644);
        if (fd < 0 || write(fd, "new contents\n", 13) != 13 || fsync(fd) != 0) { perror("staged"); exit(1); }
        close(fd);
        int old = hold ? open(target, O_RDONLY) : -1;
        double start = now_us();
        if (rename(staged, target) != 0) { perror("rename"); exit(1); }
        times[i] = now_us() - start;
        if (old >= 0) close(old);
        usleep(2000);
    }
    qsort(times, runs, sizeof times[0], compare);
    return times[runs / 2];
}

int main(int argc, char **argv) {
    if (argc != 2) { fprintf(stderr, "usage: %s DIR\n", argv[0]); return 2; }
    printf("rename over a file nobody holds open: %.1f us\n", median_rename(argv[1], 0));
    printf("rename over a file held open:        %.1f us\n", median_rename(argv[1], 1));
    return 0;
}
