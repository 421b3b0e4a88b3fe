// exit_code N: exits with status N (via proc_exit), printing nothing.
#include <stdlib.h>

int main(int argc, char **argv) {
    if (argc < 2) return 2;
    exit(atoi(argv[1]));
}
