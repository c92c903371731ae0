/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * glibc's own pthread, semaphore and I/O functions, behind the
 * interposed ones (pthread.c, io.c), looked up once with dlsym(RTLD_NEXT).  One list
 * declares them all: REAL_FNS(X) calls X(ret, name, params) per function.
 */
#ifndef MNRACE_REAL_H
#define MNRACE_REAL_H

#include <pthread.h>
#include <semaphore.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>

#define REAL_FNS(X)								\
	X(int, pthread_create, (pthread_t *, const pthread_attr_t *,		\
				void *(*)(void *), void *))			\
	X(int, pthread_join, (pthread_t, void **))				\
	X(int, pthread_tryjoin_np, (pthread_t, void **))			\
	X(int, pthread_timedjoin_np, (pthread_t, void **, const struct timespec *)) \
	X(int, pthread_detach, (pthread_t))					\
	X(void, pthread_exit, (void *))						\
	X(int, pthread_mutex_init, (pthread_mutex_t *, const pthread_mutexattr_t *)) \
	X(int, pthread_mutex_destroy, (pthread_mutex_t *))			\
	X(int, pthread_mutex_lock, (pthread_mutex_t *))				\
	X(int, pthread_mutex_trylock, (pthread_mutex_t *))			\
	X(int, pthread_mutex_timedlock, (pthread_mutex_t *, const struct timespec *)) \
	X(int, pthread_mutex_clocklock, (pthread_mutex_t *, clockid_t,		\
					 const struct timespec *))		\
	X(int, pthread_mutex_unlock, (pthread_mutex_t *))			\
	X(int, pthread_rwlock_init, (pthread_rwlock_t *, const pthread_rwlockattr_t *)) \
	X(int, pthread_rwlock_destroy, (pthread_rwlock_t *))			\
	X(int, pthread_rwlock_rdlock, (pthread_rwlock_t *))			\
	X(int, pthread_rwlock_tryrdlock, (pthread_rwlock_t *))			\
	X(int, pthread_rwlock_timedrdlock, (pthread_rwlock_t *, const struct timespec *)) \
	X(int, pthread_rwlock_wrlock, (pthread_rwlock_t *))			\
	X(int, pthread_rwlock_trywrlock, (pthread_rwlock_t *))			\
	X(int, pthread_rwlock_timedwrlock, (pthread_rwlock_t *, const struct timespec *)) \
	X(int, pthread_rwlock_clockrdlock, (pthread_rwlock_t *, clockid_t,	\
					    const struct timespec *))		\
	X(int, pthread_rwlock_clockwrlock, (pthread_rwlock_t *, clockid_t,	\
					    const struct timespec *))		\
	X(int, pthread_rwlock_unlock, (pthread_rwlock_t *))			\
	X(int, pthread_cond_init, (pthread_cond_t *, const pthread_condattr_t *)) \
	X(int, pthread_cond_destroy, (pthread_cond_t *))			\
	X(int, pthread_cond_wait, (pthread_cond_t *, pthread_mutex_t *))	\
	X(int, pthread_cond_timedwait, (pthread_cond_t *, pthread_mutex_t *,	\
					const struct timespec *))		\
	X(int, pthread_cond_clockwait, (pthread_cond_t *, pthread_mutex_t *,	\
					clockid_t, const struct timespec *))	\
	X(int, pthread_cond_signal, (pthread_cond_t *))				\
	X(int, pthread_cond_broadcast, (pthread_cond_t *))			\
	X(int, pthread_barrier_init, (pthread_barrier_t *,			\
				      const pthread_barrierattr_t *, unsigned))	\
	X(int, pthread_barrier_destroy, (pthread_barrier_t *))			\
	X(int, pthread_barrier_wait, (pthread_barrier_t *))			\
	X(int, pthread_spin_init, (pthread_spinlock_t *, int))			\
	X(int, pthread_spin_destroy, (pthread_spinlock_t *))			\
	X(int, pthread_spin_lock, (pthread_spinlock_t *))			\
	X(int, pthread_spin_trylock, (pthread_spinlock_t *))			\
	X(int, pthread_spin_unlock, (pthread_spinlock_t *))			\
	X(int, pthread_once, (pthread_once_t *, void (*)(void)))		\
	X(int, sem_init, (sem_t *, int, unsigned))				\
	X(int, sem_destroy, (sem_t *))						\
	X(int, sem_wait, (sem_t *))						\
	X(int, sem_trywait, (sem_t *))						\
	X(int, sem_timedwait, (sem_t *, const struct timespec *))		\
	X(int, sem_clockwait, (sem_t *, clockid_t, const struct timespec *))	\
	X(int, sem_post, (sem_t *))						\
	X(ssize_t, read, (int, void *, size_t))					\
	X(ssize_t, write, (int, const void *, size_t))				\
	X(ssize_t, pread, (int, void *, size_t, off_t))				\
	X(ssize_t, pwrite, (int, const void *, size_t, off_t))			\
	X(ssize_t, recv, (int, void *, size_t, int))				\
	X(ssize_t, send, (int, const void *, size_t, int))			\
	X(ssize_t, recvfrom, (int, void *, size_t, int, struct sockaddr *, socklen_t *)) \
	X(ssize_t, sendto, (int, const void *, size_t, int, const struct sockaddr *, socklen_t))

#define REAL_DECL(ret, name, params) extern ret (*real_##name) params;
REAL_FNS(REAL_DECL)
#undef REAL_DECL

#define REAL(name) real_##name

void real_init(void);
/* pthread.c's own state (its table of threads). */
void pthread_wrappers_init(void);

#endif
