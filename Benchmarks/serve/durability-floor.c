/* The floor under drop-to-applied latency: only the disk operations that ghost serve's guarantees require
 * for one small patch before its receipt is filed, in the order they require them, with nothing else (no
 * inotify, no parsing, no regex, no hashing, no thread hand-offs):
 *   1. side by side: the intake journal record appended and fdatasync'ed, the staged new file created,
 *      written and fsync'ed, and the intent record appended and fdatasync'ed (nothing visible changes
 *      before all three are durable);
 *   2. the staged file renamed over the target;
 *   3. the receipt written to a temp file and linked into .completed/.
 * Then, untimed (as in ghost, after the receipt is filed): the checkpoint, one syncfs, which makes the
 * rename and the receipt durable together.
 * Usage: durability-floor DIR COUNT   (prints one latency in milliseconds per line) */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec * 1e3 + t.tv_nsec / 1e6; }
static void die(const char *what) { perror(what); exit(1); }
static int intent_fd, journal_fd;

static void *append_journal(void *unused) {
    char record[450];
    memset(record, 'j', sizeof record);
    if (write(journal_fd, record, sizeof record) != sizeof record || fdatasync(journal_fd) != 0) die("journal");
    return unused;
}

static void *append_intent(void *unused) {
    char record[400];
    memset(record, 'i', sizeof record);
    if (write(intent_fd, record, sizeof record) != sizeof record || fdatasync(intent_fd) != 0) die("intent log");
    return unused;
}

static void path(char *out, const char *dir, const char *name) { snprintf(out, 1024, "%s/%s", dir, name); }

int main(int argc, char **argv) {
    if (argc != 3) { fprintf(stderr, "usage: %s DIR COUNT\n", argv[0]); return 2; }
    const char *dir = argv[1];
    int count = atoi(argv[2]);
    char p[1024], staged[1024], target[1024], temp[1024], done[1024];
    const char *folders[] = { "ws", "done", "tmp" };
    for (int i = 0; i < 3; i++) { path(p, dir, folders[i]); mkdir(p, 0755); }
    path(p, dir, "journal.log");
    journal_fd = open(p, O_WRONLY | O_CREAT | O_APPEND, 0644);
    path(p, dir, "intent.log");
    intent_fd = open(p, O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (journal_fd < 0 || intent_fd < 0) die("open logs");
    path(target, dir, "ws/App.tsx");
    const char contents[] = "export const App = () => null;\nconst last = \"drop\";\n";
    for (int i = 0; i < count; i++) {
        double start = now_ms();
        pthread_t journal_thread, intent_thread;
        pthread_create(&journal_thread, NULL, append_journal, NULL);
        pthread_create(&intent_thread, NULL, append_intent, NULL);
        snprintf(staged, sizeof staged, "%s/ws/.App.tsx.ghost-%d.new", dir, i);
        int fd = open(staged, O_WRONLY | O_CREAT | O_EXCL, 0644);
        if (fd < 0 || write(fd, contents, sizeof contents - 1) < 0 || fsync(fd) != 0) die("staged file");
        close(fd);
        pthread_join(journal_thread, NULL);
        pthread_join(intent_thread, NULL);

        if (rename(staged, target) != 0) die("rename");

        snprintf(temp, sizeof temp, "%s/tmp/%d.receipt", dir, i);
        snprintf(done, sizeof done, "%s/done/drop-%d.receipt.json", dir, i);
        char receipt[800];
        memset(receipt, 'r', sizeof receipt);
        fd = open(temp, O_WRONLY | O_CREAT | O_EXCL, 0644);
        if (fd < 0 || write(fd, receipt, sizeof receipt) < 0) die("receipt");
        close(fd);
        if (link(temp, done) != 0 || unlink(temp) != 0) die("link receipt");
        printf("%.3f\n", now_ms() - start);
        fflush(stdout);

        path(p, dir, "ws");
        int folder = open(p, O_RDONLY | O_DIRECTORY);
        if (folder < 0 || syncfs(folder) != 0) die("checkpoint syncfs");
        close(folder);
        usleep(20000); /* as drop-latency.py pauses between drops */
    }
    return 0;
}
