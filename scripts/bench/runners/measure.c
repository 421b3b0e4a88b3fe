/* measure OUT_FILE COMMAND [ARGS...]: runs COMMAND and writes one line to OUT_FILE:
 *   "<exit status> <wall ns> <user+system us> <peak RSS KiB>"
 * The benchmark driver is a Python process of ~20 MB; a child forked from it starts with that
 * resident size, and the kernel's peak RSS of the child keeps it even across exec. Forking the
 * program from this small process instead makes the peak RSS the program's own. The exit status
 * is 128 + signal number when the program was killed by a signal. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: measure OUT_FILE COMMAND [ARGS...]\n");
        return 2;
    }
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    pid_t child = fork();
    if (child < 0) {
        perror("measure: fork");
        return 2;
    }
    if (child == 0) {
        execvp(argv[2], argv + 2);
        fprintf(stderr, "measure: cannot run %s: %s\n", argv[2], strerror(errno));
        _exit(127);
    }
    int status = 0;
    struct rusage usage;
    if (wait4(child, &status, 0, &usage) < 0) {
        perror("measure: wait4");
        return 2;
    }
    clock_gettime(CLOCK_MONOTONIC, &end);
    long long wall_ns = (long long)(end.tv_sec - start.tv_sec) * 1000000000LL + (end.tv_nsec - start.tv_nsec);
    long long cpu_us = (long long)(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000000LL +
                       usage.ru_utime.tv_usec + usage.ru_stime.tv_usec;
    int exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    FILE *out = fopen(argv[1], "w");
    if (!out) {
        perror("measure: open OUT_FILE");
        return 2;
    }
    fprintf(out, "%d %lld %lld %ld\n", exit_status, wall_ns, cpu_us, usage.ru_maxrss);
    fclose(out);
    return exit_status;
}
