/*
 * Replays a fuzz target's seed corpus without libFuzzer: every file in the
 * given directories is fed as is, then a fixed number of deterministic
 * mutations of each (byte flips, truncations, insertions of interesting
 * characters).  Deterministic so a failure reproduces; a crash or sanitizer
 * report fails the test.  A first argument --mutations=N changes the number
 * of mutations per seed (targets whose every input opens a store use fewer).
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define DEFAULT_MUTATIONS_PER_SEED 2000
#define MAX_INPUT (64 * 1024)

static uint64_t rng_state = 0x9E3779B97F4A7C15u;
static int mutations_per_seed = DEFAULT_MUTATIONS_PER_SEED;

static uint64_t next_random(void)
{
	/* xorshift64*: tiny and reproducible */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717u;
}

static void mutate(uint8_t *buf, size_t *size)
{
	static const char interesting[] = "0123456789.-+eE:TZ \"{}[],\\\x00\xff";
	size_t n = *size;
	switch (next_random() % 4) {
	case 0: /* flip a byte */
		if (n > 0)
			buf[next_random() % n] ^= (uint8_t)(1u << (next_random() % 8));
		break;
	case 1: /* truncate */
		if (n > 0)
			*size = next_random() % n;
		break;
	case 2: /* insert an interesting byte */
		if (n < MAX_INPUT) {
			size_t at = n ? next_random() % (n + 1) : 0;
			memmove(buf + at + 1, buf + at, n - at);
			buf[at] = (uint8_t)interesting[next_random() % (sizeof(interesting) - 1)];
			*size = n + 1;
		}
		break;
	default: /* overwrite with an interesting byte */
		if (n > 0)
			buf[next_random() % n] = (uint8_t)interesting[next_random() % (sizeof(interesting) - 1)];
		break;
	}
}

static int run_file(const char *path)
{
	static uint8_t seed[MAX_INPUT + 1], work[MAX_INPUT + 1];
	FILE *f = fopen(path, "rb");
	size_t size;

	if (!f) {
		fprintf(stderr, "cannot open %s\n", path);
		return 1;
	}
	size = fread(seed, 1, MAX_INPUT, f);
	fclose(f);
	LLVMFuzzerTestOneInput(seed, size);
	for (int i = 0; i < mutations_per_seed; i++) {
		size_t wsize = size;
		memcpy(work, seed, size);
		for (uint64_t k = 1 + next_random() % 4; k > 0; k--)
			mutate(work, &wsize);
		LLVMFuzzerTestOneInput(work, wsize);
	}
	return 0;
}

int main(int argc, char **argv)
{
	int files = 0, first = 1;
	if (argc > 1 && strncmp(argv[1], "--mutations=", 12) == 0) {
		mutations_per_seed = atoi(argv[1] + 12);
		first = 2;
	}
	for (int i = first; i < argc; i++) {
		DIR *dir = opendir(argv[i]);
		struct dirent *e;
		if (!dir) {
			if (run_file(argv[i]))
				return 1;
			files++;
			continue;
		}
		while ((e = readdir(dir)) != NULL) {
			char path[4096];
			if (e->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", argv[i], e->d_name);
			if (run_file(path))
				return 1;
			files++;
		}
		closedir(dir);
	}
	if (files == 0) {
		fprintf(stderr, "no corpus files given\n");
		return 1;
	}
	printf("replayed %d seed files with %d mutations each\n", files, mutations_per_seed);
	return 0;
}
