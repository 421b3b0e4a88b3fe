/* String and byte processing: generate text, split it into words, count distinct words with an
 * open-addressing table (strcmp, memcpy), upper-case, reverse and search substrings. */
#include <ctype.h>
#include <string.h>
#include "bench_common.h"

#define TABLE_SIZE (1u << 16)

static const char *const SYLLABLES[] = {"ka", "lo", "mi", "ren", "tus", "vo", "shi", "an", "e", "qua",
                                        "dor", "bel", "ix", "um", "pra", "zo"};

typedef struct {
    char word[24];
    uint32_t count;
} Entry;

static uint32_t hash_word(const char *word) {
    uint32_t h = 2166136261u;
    while (*word) h = (h ^ (uint8_t)*word++) * 16777619u;
    return h;
}

int main(int argc, char **argv) {
    int64_t text_length = bench_size(argc, argv, 15000000);
    char *text = malloc((size_t)text_length + 32);
    Entry *table = calloc(TABLE_SIZE, sizeof(Entry));
    if (!text || !table) return 1;
    int64_t used = 0;
    while (used < text_length) {
        /* At most 3 syllables: 16 + 256 + 4096 distinct words per round, well under TABLE_SIZE. */
        uint32_t syllable_count = 1 + bench_rand32() % 3;
        for (uint32_t s = 0; s < syllable_count; s++) {
            const char *syllable = SYLLABLES[bench_rand32() % 16];
            size_t length = strlen(syllable);
            memcpy(text + used, syllable, length);
            used += (int64_t)length;
        }
        text[used++] = (bench_rand32() % 10 == 0) ? '\n' : ' ';
    }
    text[used] = 0;

    uint64_t checksum = 0;
    uint32_t distinct = 0, words = 0;
    char word[24];
    for (int round = 0; round < 3; round++) {
        char *cursor = text;
        while (*cursor) {
            while (*cursor == ' ' || *cursor == '\n') cursor++;
            size_t length = strcspn(cursor, " \n");
            if (length == 0) break;
            if (length > sizeof word - 1) length = sizeof word - 1;
            memcpy(word, cursor, length);
            word[length] = 0;
            cursor += length;
            if (round == 1) {
                for (size_t i = 0; i < length; i++) word[i] = (char)toupper((unsigned char)word[i]);
            } else if (round == 2) {
                for (size_t i = 0; i < length / 2; i++) {
                    char t = word[i];
                    word[i] = word[length - 1 - i];
                    word[length - 1 - i] = t;
                }
            }
            words++;
            uint32_t slot = hash_word(word) & (TABLE_SIZE - 1);
            while (table[slot].count && strcmp(table[slot].word, word) != 0) slot = (slot + 1) & (TABLE_SIZE - 1);
            if (!table[slot].count) {
                strcpy(table[slot].word, word);
                distinct++;
            }
            table[slot].count++;
        }
    }
    for (uint32_t i = 0; i < TABLE_SIZE; i++) {
        if (table[i].count) checksum += (uint64_t)hash_word(table[i].word) * table[i].count;
    }
    uint32_t found = 0;
    const char *needles[] = {"kalomi", "quador", "umpra ", "shian\n", "zozozo"};
    for (int n = 0; n < 5; n++) {
        const char *at = text;
        while ((at = strstr(at, needles[n])) != NULL) {
            found++;
            at++;
        }
    }
    fprintf(stderr, "words: %u, distinct: %u, found: %u\n", words, distinct, found);
    bench_print_checksum(checksum ^ ((uint64_t)found << 40) ^ distinct);
    free(text);
    free(table);
    return 0;
}
