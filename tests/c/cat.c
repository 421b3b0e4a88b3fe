// cat FILE...: copies each file (stdin when none) to stdout.
#include <errno.h>
#include <stdio.h>
#include <string.h>

static int copy(FILE *in, const char *name) {
    char buffer[4096];
    size_t count;
    while ((count = fread(buffer, 1, sizeof buffer, in)) > 0) {
        if (fwrite(buffer, 1, count, stdout) != count) {
            fprintf(stderr, "cat: write: %s\n", strerror(errno));
            return 1;
        }
    }
    if (ferror(in)) {
        fprintf(stderr, "cat: %s: %s\n", name, strerror(errno));
        return 1;
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 2) return copy(stdin, "<stdin>");
    int status = 0;
    for (int i = 1; i < argc; i++) {
        FILE *in = fopen(argv[i], "rb");
        if (!in) {
            fprintf(stderr, "cat: %s: %s\n", argv[i], strerror(errno));
            status = 1;
            continue;
        }
        status |= copy(in, argv[i]);
        fclose(in);
    }
    return status;
}
