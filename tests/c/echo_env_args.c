// Prints its argv, one "argv[i]=..." a line, then its whole environment, one "env NAME=VALUE" a
// line, in the order the runtime gave them.
#include <stdio.h>

extern char **environ;

int main(int argc, char **argv) {
    printf("argc=%d\n", argc);
    for (int i = 0; i < argc; i++) printf("argv[%d]=%s\n", i, argv[i]);
    for (char **entry = environ; entry && *entry; entry++) printf("env %s\n", *entry);
    return 0;
}
