/* The kernel's floor for an HTTP tracker on this machine: what a tracker's sockets cost with no tracker behind them.
 * One thread accepts (blocking accept4, TCP_DEFER_ACCEPT) and answers a request that asks to close with one recv, one
 * send and close -- what our listener does per connection; a connection kept alive goes to a second thread that serves
 * it with epoll (recv, send). Every answer is the same fixed announce answer (45 loopback peers). No parsing beyond
 * finding the head's end, no swarm: not a tracker, only what the stack costs per announce, so the benchmark can show
 * how far above the floor each tracker runs. Usage: http-floor --urls http://127.0.0.1:PORT */
#define _GNU_SOURCE
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

enum { PEERS = 45, BODY_MAX = 512, ANSWER_MAX = 1024, INPUT = 4096 };

static char keep[ANSWER_MAX], closing[ANSWER_MAX];
static int keep_len, closing_len, ep;

static int build(char *out, const char *connection) {
    char body[BODY_MAX];
    int n = sprintf(body, "d8:completei18e10:downloadedi0e10:incompletei27e8:intervali1800e12:min intervali900e5:peers%d:", PEERS * 6);
    for (int i = 0; i < PEERS; i++) {
        unsigned char *p = (unsigned char *)body + n + i * 6;
        p[0] = 127; p[1] = 0; p[2] = 0; p[3] = 1; p[4] = (unsigned char)((10000 + i) >> 8); p[5] = (unsigned char)(10000 + i);
    }
    n += PEERS * 6;
    body[n++] = 'e';
    int h = sprintf(out, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n%s\r\n", n, connection);
    memcpy(out + h, body, n);
    return h + n;
}

static int asks_close(const char *in, int n) { return memmem(in, n, "Connection: close", 17) != NULL; }

static void *kept(void *unused) {
    (void)unused;
    static char in[INPUT];
    struct epoll_event events[64];
    for (;;) {
        int ready = epoll_wait(ep, events, 64, -1);
        for (int i = 0; i < ready; i++) {
            int fd = events[i].data.fd;
            int n = (int)recv(fd, in, sizeof in, MSG_DONTWAIT);
            if (n <= 0) { close(fd); continue; }
            if (!memmem(in, n, "\r\n\r\n", 4)) continue; /* a head in pieces: not on loopback with these clients */
            int c = asks_close(in, n);
            send(fd, c ? closing : keep, c ? closing_len : keep_len, MSG_DONTWAIT | MSG_NOSIGNAL);
            if (c) close(fd);
        }
    }
    return NULL;
}

int main(int argc, char **argv) {
    int port = 0;
    for (int i = 1; i + 1 < argc; i++)
        if (!strcmp(argv[i], "--urls")) { const char *colon = strrchr(argv[i + 1], ':'); if (colon) port = atoi(colon + 1); }
    if (port <= 0) { fprintf(stderr, "usage: http-floor --urls http://127.0.0.1:PORT\n"); return 2; }
    keep_len = build(keep, "");
    closing_len = build(closing, "Connection: close\r\n");
    int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1, defer = 1;
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    setsockopt(s, IPPROTO_TCP, TCP_DEFER_ACCEPT, &defer, sizeof defer);
    struct sockaddr_in local = { .sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    if (bind(s, (struct sockaddr *)&local, sizeof local) != 0 || listen(s, 4096) != 0) { perror("listen"); return 1; }
    ep = epoll_create1(EPOLL_CLOEXEC);
    pthread_t thread;
    pthread_create(&thread, NULL, kept, NULL);
    static char in[INPUT];
    for (;;) {
        int fd = accept4(s, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0) continue;
        int n = (int)recv(fd, in, sizeof in, 0);
        if (n <= 0) { close(fd); continue; }
        if (asks_close(in, n)) {
            send(fd, closing, closing_len, MSG_DONTWAIT | MSG_NOSIGNAL);
            close(fd);
            continue;
        }
        send(fd, keep, keep_len, MSG_DONTWAIT | MSG_NOSIGNAL);
        struct epoll_event event = { .events = EPOLLIN, .data.fd = fd };
        epoll_ctl(ep, EPOLL_CTL_ADD, fd, &event);
    }
}
