/* SPDX-License-Identifier: MIT */
#include "net/sender.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

/* Below this many packets the hand-off costs more than it saves. */
#define SPLIT_MIN 32

struct sender {
    int fd, fd2;
    pthread_t worker;
    int running;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    /* the job in hand: set by the caller, cleared by the worker */
    struct mmsghdr *job;
    unsigned njob, job_failed;
    int job_err;
    int quit;
};

/* sendmmsg until all are sent; a packet the kernel refuses is skipped. */
static unsigned send_all(int fd, struct mmsghdr *msgs, unsigned n, int *err)
{
    unsigned done = 0, failed = 0;
    while (done < n) {
        int k = sendmmsg(fd, msgs + done, n - done, 0);
        if (k > 0) {
            done += (unsigned)k;
            continue;
        }
        if (k < 0 && errno == EINTR)
            continue;
        if (!failed)
            *err = k < 0 ? errno : EIO;
        failed++;
        done++;
    }
    return failed;
}

static void *worker_main(void *arg)
{
    struct sender *s = arg;
    pthread_mutex_lock(&s->mu);
    for (;;) {
        while (!s->job && !s->quit)
            pthread_cond_wait(&s->cv, &s->mu);
        if (s->quit)
            break;
        struct mmsghdr *job = s->job;
        unsigned n = s->njob;
        pthread_mutex_unlock(&s->mu);
        int err = 0;
        unsigned failed = send_all(s->fd2, job, n, &err);
        pthread_mutex_lock(&s->mu);
        s->job_failed = failed;
        s->job_err = err;
        s->job = NULL;
        pthread_cond_broadcast(&s->cv);
    }
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

struct sender *sender_new(int fd, int fd2)
{
    struct sender *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->fd = fd;
    s->fd2 = fd2;
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    if (fd2 >= 0 && sysconf(_SC_NPROCESSORS_ONLN) > 1) {
        /* The worker must not take the signals main() handles. */
        sigset_t all, old;
        sigfillset(&all);
        pthread_sigmask(SIG_SETMASK, &all, &old);
        s->running = pthread_create(&s->worker, NULL, worker_main, s) == 0;
        pthread_sigmask(SIG_SETMASK, &old, NULL);
    }
    return s;
}

void sender_free(struct sender *s)
{
    if (!s)
        return;
    if (s->running) {
        pthread_mutex_lock(&s->mu);
        s->quit = 1;
        pthread_cond_broadcast(&s->cv);
        pthread_mutex_unlock(&s->mu);
        pthread_join(s->worker, NULL);
    }
    pthread_cond_destroy(&s->cv);
    pthread_mutex_destroy(&s->mu);
    free(s);
}

unsigned sender_send(struct sender *s, struct mmsghdr *msgs, unsigned n, int *err)
{
    if (!s->running || n < SPLIT_MIN)
        return send_all(s->fd, msgs, n, err);
    unsigned half = n / 2;
    pthread_mutex_lock(&s->mu);
    s->job = msgs + half;
    s->njob = n - half;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);

    int myerr = 0;
    unsigned failed = send_all(s->fd, msgs, half, &myerr);

    pthread_mutex_lock(&s->mu);
    while (s->job)
        pthread_cond_wait(&s->cv, &s->mu);
    if (s->job_failed && !myerr)
        myerr = s->job_err;
    failed += s->job_failed;
    pthread_mutex_unlock(&s->mu);
    if (failed)
        *err = myerr;
    return failed;
}
