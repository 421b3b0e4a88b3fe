// cp SOURCE DEST: copies a file.
#include <errno.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: cp SOURCE DEST\n");
        return 2;
    }
    FILE *in = fopen(argv[1], "rb");
    if (!in) {
        fprintf(stderr, "cp: %s: %s\n", argv[1], strerror(errno));
        return 1;
    }
    FILE *out = fopen(argv[2], "wb");
    if (!out) {
        fprintf(stderr, "cp: %s: %s\n", argv[2], strerror(errno));
        return 1;
    }
    char buffer[4096];
    size_t count;
    while ((count = fread(buffer, 1, sizeof buffer, in)) > 0) {
        if (fwrite(buffer, 1, count, out) != count) {
            fprintf(stderr, "cp: %s: %s\n", argv[2], strerror(errno));
            return 1;
        }
    }
    if (ferror(in) || fclose(out) != 0) {
        fprintf(stderr, "cp: %s\n", strerror(errno));
        return 1;
    }
    fclose(in);
    return 0;
}
