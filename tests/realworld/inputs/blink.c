/* A fixed input for make realworld: cc1 compiles it to AVR assembly. */
typedef unsigned char u8;
typedef unsigned int u16;
typedef unsigned long u32;

volatile u8 port;

static u16 crc16(const u8 *data, u8 len) {
    u16 crc = 0xFFFF;
    for (u8 i = 0; i < len; i++) {
        crc ^= data[i];
        for (u8 bit = 0; bit < 8; bit++)
            crc = (crc & 1) ? (crc >> 1) ^ 0xA001 : crc >> 1;
    }
    return crc;
}

static u32 isqrt(u32 n) {
    u32 root = 0, bit = 1UL << 30;
    while (bit > n) bit >>= 2;
    while (bit) {
        if (n >= root + bit) { n -= root + bit; root = (root >> 1) + bit; }
        else root >>= 1;
        bit >>= 2;
    }
    return root;
}

int main(void) {
    static const u8 message[] = "wrun realworld";
    u16 crc = crc16(message, sizeof message - 1);
    for (u32 i = 0; i < 100000; i++) {
        port = (u8)(crc ^ isqrt(i));
    }
    return 0;
}
