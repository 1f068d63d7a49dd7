/*
 * replay: runs a libFuzzer harness without libFuzzer, on every file of
 * tests/fuzz/corpus/NAME/ and tests/fuzz/regress/NAME/ (NAME is
 * FUZZ_NAME, set when building), printing TAP.  `make check` runs it
 * from the top of the tree with whatever compiler and sanitizers the
 * build uses, so every input that once crashed stays fixed and the
 * seeds keep passing the harness's checks.  A harness aborts on a
 * failed check; the missing plan line then fails the run.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);
int LLVMFuzzerInitialize(int *, char ***) __attribute__((weak));

static int
namecmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static unsigned char *
slurp(const char *path, size_t *len)
{
	FILE	      *fp;
	unsigned char *buf = NULL, *n;
	size_t	       cap = 0, r;

	*len = 0;
	if ((fp = fopen(path, "rb")) == NULL)
		return NULL;
	for (;;) {
		if (*len == cap) {
			cap = cap ? cap * 2 : 4096;
			if ((n = realloc(buf, cap)) == NULL) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = n;
		}
		if ((r = fread(buf + *len, 1, cap - *len, fp)) == 0)
			break;
		*len += r;
	}
	if (ferror(fp)) {
		free(buf);
		buf = NULL;
	}
	fclose(fp);
	return buf;
}

/* Runs every file of dir in name order; returns how many, -1 on error. */
static int
replay_dir(const char *dir, int *n)
{
	DIR	      *d;
	struct dirent *de;
	char	     **names = NULL, **nn, path[4096];
	unsigned char *buf;
	size_t	       count = 0, i, len;
	int	       rc = 0;

	if ((d = opendir(dir)) == NULL)
		return 0; /* no regressions yet */
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if ((nn = realloc(names, (count + 1) * sizeof(*names))) ==
			NULL ||
		    (nn[count] = strdup(de->d_name)) == NULL) {
			free(nn != NULL ? nn : names);
			closedir(d);
			return -1;
		}
		names = nn;
		count++;
	}
	closedir(d);
	qsort(names, count, sizeof(*names), namecmp);
	for (i = 0; i < count; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if ((buf = slurp(path, &len)) == NULL) {
			printf("not ok %d - %s: cannot read\n", ++*n, path);
			rc = -1;
		} else {
			fflush(stdout);
			LLVMFuzzerTestOneInput(buf, len);
			printf("ok %d - %s\n", ++*n, path);
		}
		free(buf);
		free(names[i]);
	}
	free(names);
	return rc;
}

int
main(int argc, char **argv)
{
	int n = 0, rc = 0;

	if (LLVMFuzzerInitialize != NULL)
		LLVMFuzzerInitialize(&argc, &argv);
	if (replay_dir("tests/fuzz/corpus/" FUZZ_NAME, &n) == -1 ||
	    replay_dir("tests/fuzz/regress/" FUZZ_NAME, &n) == -1)
		rc = 1;
	printf("1..%d\n", n);
	return rc;
}
