// ls [DIR]: prints the names in DIR (default "."), sorted, one a line, "/" after directories.
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int compare(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv) {
    const char *path = argc > 1 ? argv[1] : ".";
    DIR *dir = opendir(path);
    if (!dir) {
        fprintf(stderr, "ls: %s: %s\n", path, strerror(errno));
        return 1;
    }
    char **names = NULL;
    size_t count = 0;
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL) {
        if (!strcmp(entry->d_name, ".") || !strcmp(entry->d_name, "..")) continue;
        char **grown = realloc(names, (count + 1) * sizeof *names);
        if (!grown) return 2;
        names = grown;
        names[count++] = strdup(entry->d_name);
    }
    closedir(dir);
    qsort(names, count, sizeof *names, compare);
    for (size_t i = 0; i < count; i++) {
        char full[4096];
        struct stat info;
        snprintf(full, sizeof full, "%s/%s", path, names[i]);
        int is_dir = stat(full, &info) == 0 && S_ISDIR(info.st_mode);
        printf("%s%s\n", names[i], is_dir ? "/" : "");
        free(names[i]);
    }
    free(names);
    return 0;
}
