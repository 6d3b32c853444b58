/*
 * Log-in rate limit: the KDF makes each guess cost the service ~0.1-0.5 s of
 * CPU, so an unlimited stream of guesses is both a password attack and a
 * denial of service.  Failures are counted in a window per (agent id,
 * client address) pair and per client address alone:
 *
 *   - DESK_LOGIN_FAILS_PER_USER failures of one id from one address within
 *     DESK_LOGIN_WINDOW_S refuse further log-ins of that id from that address
 *     (429) until the window of the oldest failure has passed; a success
 *     clears the pair;
 *   - DESK_LOGIN_FAILS_PER_ADDRESS failures from one address (any ids)
 *     refuse every log-in from it alike, so spraying ids neither goes
 *     unlimited nor flushes a pair's count out of the bounded table.
 *
 * A refused attempt is not checked (no KDF run) and not counted.  The table
 * is bounded (DESK_LOGIN_SLOTS; the stalest entry is reused).  Behind a
 * reverse proxy every client has the proxy's address: limit there too.
 */
#include <string.h>
#include <time.h>

#include "desktop.h"

#define SLOTS 256

struct slot {
	char user[DESK_ID_MAX + 1];      /* "" for an address's own count */
	char addr[64];
	int64_t first;                   /* start of the window (unix seconds) */
	int fails;
};

static struct slot slots[SLOTS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static int64_t now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec + 1; /* never 0: 0 marks a free slot */
}

/* The slot of (user, addr), or NULL; expired windows read as empty. */
static struct slot *find(const char *user, const char *addr, int64_t now)
{
	for (size_t i = 0; i < SLOTS; i++) {
		struct slot *s = &slots[i];
		if (s->first && now - s->first >= DESK_LOGIN_WINDOW_S)
			memset(s, 0, sizeof(*s));
		if (s->first && strcmp(s->user, user) == 0 && strcmp(s->addr, addr) == 0)
			return s;
	}
	return NULL;
}

static struct slot *take(const char *user, const char *addr, int64_t now)
{
	struct slot *s = find(user, addr, now), *stalest = &slots[0];
	if (s)
		return s;
	for (size_t i = 0; i < SLOTS; i++) {
		if (!slots[i].first) {
			stalest = &slots[i];
			break;
		}
		if (slots[i].first < stalest->first)
			stalest = &slots[i];
	}
	memset(stalest, 0, sizeof(*stalest));
	strncpy(stalest->user, user, sizeof(stalest->user) - 1);
	strncpy(stalest->addr, addr, sizeof(stalest->addr) - 1);
	stalest->first = now;
	return stalest;
}

int desk_login_limited(const char *user, const char *addr)
{
	int64_t now = now_s();
	pthread_mutex_lock(&lock);
	struct slot *pair = find(user, addr, now), *all = find("", addr, now);
	int limited = (pair && pair->fails >= DESK_LOGIN_FAILS_PER_USER) ||
	              (all && all->fails >= DESK_LOGIN_FAILS_PER_ADDRESS);
	pthread_mutex_unlock(&lock);
	return limited;
}

void desk_login_failed(const char *user, const char *addr)
{
	int64_t now = now_s();
	pthread_mutex_lock(&lock);
	take(user, addr, now)->fails++;
	take("", addr, now)->fails++;
	pthread_mutex_unlock(&lock);
}

void desk_login_succeeded(const char *user, const char *addr)
{
	pthread_mutex_lock(&lock);
	struct slot *pair = find(user, addr, now_s());
	if (pair)
		memset(pair, 0, sizeof(*pair));
	pthread_mutex_unlock(&lock);
}
