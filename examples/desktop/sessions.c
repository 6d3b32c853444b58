/*
 * Sessions: a random 256-bit token in an HttpOnly, SameSite=Strict cookie,
 * and a second random token that every state-changing request repeats in the
 * X-CSRF-Token header (a page of another site can make the browser send the
 * cookie, never read or set the header).  At most DESK_SESSIONS_MAX live
 * sessions; the oldest is dropped for a new one.  They have their own lock
 * (svc.sess), never held with another.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "desktop.h"

static int random_hex(char out[65])
{
	unsigned char b[32];
	if (RAND_bytes(b, sizeof(b)) != 1)
		return -1;
	for (size_t i = 0; i < sizeof(b); i++)
		sprintf(out + 2 * i, "%02x", b[i]);
	return 0;
}

void desk_sessions_init(void)
{
	pthread_mutex_init(&svc.sess, NULL);
	for (size_t i = 0; i < DESK_SESSIONS_MAX; i++)
		svc.sessions[i].user = -1;
}

int desk_session_new(int user, struct desk_session *out)
{
	struct desk_session s;
	if (random_hex(s.token) || random_hex(s.csrf))
		return -1;
	s.user = user;
	s.expires = (int64_t)time(NULL) + DESK_SESSION_TTL_S;
	pthread_mutex_lock(&svc.sess);
	size_t slot = 0;
	for (size_t i = 0; i < DESK_SESSIONS_MAX; i++) {
		if (svc.sessions[i].user < 0) {
			slot = i;
			break;
		}
		if (svc.sessions[i].expires < svc.sessions[slot].expires)
			slot = i;
	}
	svc.sessions[slot] = s;
	pthread_mutex_unlock(&svc.sess);
	*out = s;
	return 0;
}

int desk_session_find(const char *token, struct desk_session *out)
{
	int found = -1;
	if (!token || strlen(token) != 64)
		return -1;
	pthread_mutex_lock(&svc.sess);
	for (size_t i = 0; i < DESK_SESSIONS_MAX; i++) {
		struct desk_session *s = &svc.sessions[i];
		if (s->user >= 0 && CRYPTO_memcmp(s->token, token, 64) == 0) {
			if (s->expires < (int64_t)time(NULL)) {
				s->user = -1;
				break;
			}
			*out = *s;
			found = 0;
			break;
		}
	}
	pthread_mutex_unlock(&svc.sess);
	return found;
}

void desk_session_end(const char *token)
{
	int user = -1;
	pthread_mutex_lock(&svc.sess);
	for (size_t i = 0; i < DESK_SESSIONS_MAX; i++)
		if (svc.sessions[i].user >= 0 && strcmp(svc.sessions[i].token, token) == 0) {
			user = svc.sessions[i].user;
			svc.sessions[i].user = -1;
		}
	pthread_mutex_unlock(&svc.sess);
	/* Its parked event streams wake, find the session gone and end. */
	if (user >= 0)
		desk_stream_wake(user);
}
