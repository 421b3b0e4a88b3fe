// sandbox_probe [PATH...]: tries to open and read each path (by default ../outside.txt,
// /etc/passwd and escape_link, a symlink that points outside) and prints one line for each:
// "PATH: opened: FIRST LINE" or "PATH: error: MESSAGE (errno N)". Exits 0 when nothing opened.
#include <errno.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv) {
    static const char *defaults[] = {"../outside.txt", "/etc/passwd", "escape_link"};
    const char **paths = (const char **)argv + 1;
    int count = argc - 1;
    if (count == 0) {
        paths = defaults;
        count = sizeof defaults / sizeof *defaults;
    }
    int opened = 0;
    for (int i = 0; i < count; i++) {
        FILE *file = fopen(paths[i], "r");
        if (!file) {
            int error = errno;
            printf("%s: error: %s (errno %d)\n", paths[i], strerror(error), error);
            continue;
        }
        char line[256] = "";
        if (!fgets(line, sizeof line, file)) line[0] = 0;
        line[strcspn(line, "\n")] = 0;
        printf("%s: opened: %s\n", paths[i], line);
        fclose(file);
        opened++;
    }
    return opened ? 1 : 0;
}
