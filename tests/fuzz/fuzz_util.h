/*
 * fuzz_util.h - helpers shared by the libFuzzer targets in tests/fuzz/.
 *
 * The readers under test take a path, not a buffer, so each input is first
 * written to a file in one private temporary folder (under $TMPDIR, else
 * /dev/shm, else /tmp; made on first use and removed at exit).  FUZZ_CHECK
 * aborts with a message, so a broken promise of a header shows up as a
 * crash with the input saved.
 */
#ifndef ITG_FUZZ_UTIL_H
#define ITG_FUZZ_UTIL_H

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FUZZ_CHECK(cond, ...)                                                \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "fuzz check failed: %s (%s:%d): ",   \
				#cond, __FILE__, __LINE__);                  \
			fprintf(stderr, __VA_ARGS__);                        \
			fputc('\n', stderr);                                 \
			abort();                                             \
		}                                                            \
	} while (0)

static char fuzz_dir_path[4096];

static __attribute__((unused)) void fuzz_dir_remove(void)
{
	char cmd[4200];

	if (!fuzz_dir_path[0])
		return;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", fuzz_dir_path);
	if (system(cmd) != 0)
		fprintf(stderr, "fuzz: could not remove %s\n", fuzz_dir_path);
}

/* The private temporary folder (made once). */
static __attribute__((unused)) const char *fuzz_dir(void)
{
	if (!fuzz_dir_path[0]) {
		const char *tmp = getenv("TMPDIR");
		/* a RAM disk makes file-reading targets several times faster */
		if (!tmp || !*tmp)
			tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
		snprintf(fuzz_dir_path, sizeof fuzz_dir_path, "%s/itg-fuzz.XXXXXX", tmp);
		if (!mkdtemp(fuzz_dir_path)) {
			perror("fuzz: mkdtemp");
			abort();
		}
		atexit(fuzz_dir_remove);
	}
	return fuzz_dir_path;
}

/* Writes data to fuzz_dir()/name (replacing it) and returns its path (static). */
static __attribute__((unused)) const char *fuzz_write_file(const char *name,
							   const uint8_t *data, size_t size)
{
	static char path[4400];
	int fd;

	snprintf(path, sizeof path, "%s/%s", fuzz_dir(), name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0) {
		perror(path);
		abort();
	}
	while (size) {
		ssize_t n = write(fd, data, size);
		if (n <= 0) {
			perror(path);
			abort();
		}
		data += n;
		size -= (size_t)n;
	}
	close(fd);
	return path;
}

/* A NUL-terminated copy of the input (caller frees). */
static __attribute__((unused)) char *fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

#endif
