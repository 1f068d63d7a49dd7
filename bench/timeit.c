/*
 * timeit: runs a command with stdout to /dev/null and prints its wall
 * time in nanoseconds and its peak RSS in KiB (ru_maxrss from wait4, what
 * /usr/bin/time -v reports), without a shell in between:
 *
 *	timeit CMD [ARG...]
 *
 * Exits 1 when the command fails, after copying its stderr.
 */
#include <sys/resource.h>
#include <sys/wait.h>

#include <err.h>
#include <fcntl.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	struct timespec t0, t1;
	struct rusage	ru;
	pid_t		pid;
	int		status, fd;

	if (argc < 2)
		errx(64, "usage: timeit CMD [ARG...]");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((pid = fork()) == -1)
		err(1, "fork");
	if (pid == 0) {
		if ((fd = open("/dev/null", O_WRONLY)) == -1 ||
		    dup2(fd, 1) == -1)
			err(1, "/dev/null");
		execvp(argv[1], argv + 1);
		err(127, "%s", argv[1]);
	}
	if (wait4(pid, &status, 0, &ru) == -1)
		err(1, "wait4");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("%lld %ld\n",
	       (long long)(t1.tv_sec - t0.tv_sec) * 1000000000LL +
		   (t1.tv_nsec - t0.tv_nsec),
	       ru.ru_maxrss);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "timeit: %s: exit status %d\n", argv[1],
			WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		return 1;
	}
	return 0;
}
