/* The kernel's floor for a BEP 15 tracker on this machine: a loop that does nothing but the syscalls.
 * It receives up to BATCH datagrams with recvmmsg, answers a connect with a fixed id and an announce with a fixed
 * 49-peer list (the size of the relay's answers under compare-opentracker.sh), and sends the answers with one
 * sendmmsg. No swarm, no validation, no connection-id check: not a tracker, only what the UDP stack costs per
 * announce, so compare-opentracker.sh (FLOOR=1) can print how far above the floor each tracker runs.
 * Usage: floor PORT [BATCH]  (IPv4 loopback only) */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

enum { MAX_BATCH = 64, PEERS = 49 };

static uint32_t be32(const unsigned char *p) { return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3]; }
static void put32(unsigned char *p, uint32_t v) { p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v; }

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: floor PORT [BATCH]\n"); return 2; }
    int batch = argc > 2 ? atoi(argv[2]) : 32;
    if (batch < 1 || batch > MAX_BATCH) batch = 32;
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in local = { .sin_family = AF_INET, .sin_port = htons(atoi(argv[1])), .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    if (s < 0 || bind(s, (struct sockaddr *)&local, sizeof local) != 0) { perror("bind"); return 1; }

    static unsigned char in[MAX_BATCH][1500], out[MAX_BATCH][20 + 6 * PEERS];
    static struct sockaddr_in from[MAX_BATCH];
    static struct iovec in_iov[MAX_BATCH], out_iov[MAX_BATCH];
    static struct mmsghdr in_msg[MAX_BATCH], out_msg[MAX_BATCH];
    for (int i = 0; i < MAX_BATCH; i++) {
        in_iov[i] = (struct iovec){ in[i], sizeof in[i] };
        in_msg[i].msg_hdr = (struct msghdr){ .msg_name = &from[i], .msg_iov = &in_iov[i], .msg_iovlen = 1 };
    }
    for (;;) {
        for (int i = 0; i < batch; i++) in_msg[i].msg_hdr.msg_namelen = sizeof from[i];
        int n = recvmmsg(s, in_msg, batch, MSG_WAITFORONE, NULL);
        int k = 0;
        for (int i = 0; i < n; i++) {
            const unsigned char *p = in[i];
            unsigned len = in_msg[i].msg_len;
            unsigned char *o = out[k];
            size_t size;
            if (len >= 16 && be32(p + 8) == 0) {            /* connect: action, transaction, a fixed id */
                put32(o, 0); memcpy(o + 4, p + 12, 4); memcpy(o + 8, "FLOORID!", 8); size = 16;
            } else if (len >= 98 && be32(p + 8) == 1) {     /* announce: action, transaction, interval, leechers, seeders, peers */
                put32(o, 1); memcpy(o + 4, p + 12, 4); put32(o + 8, 1800); put32(o + 12, 25); put32(o + 16, 25);
                for (int j = 0; j < PEERS; j++) memcpy(o + 20 + 6 * j, "\x7f\x00\x00\x01\x1a\xe1", 6);
                size = 20 + 6 * PEERS;
            } else continue;
            out_iov[k] = (struct iovec){ o, size };
            out_msg[k].msg_hdr = (struct msghdr){ .msg_name = &from[i], .msg_namelen = sizeof from[i], .msg_iov = &out_iov[k], .msg_iovlen = 1 };
            k++;
        }
        if (k > 0) sendmmsg(s, out_msg, k, 0);
    }
}
