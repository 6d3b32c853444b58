/*
 * The agent desktop reference service (docs/desktop.md): an HTTP + server-sent
 * events front end for 95598 agents on libpowercrm's public API, with the
 * switch simulated in-process (--simulate) so that it runs anywhere.
 *
 * Every library call goes through one lock (`svc.lib`): a pcrm_ctx is one
 * store connection, and serialising the desktop's few requests per second
 * costs nothing next to a store round trip.  Event streams wait on their own
 * lock (`svc.ev`), never on `svc.lib`.
 */
#ifndef DESKTOP_H
#define DESKTOP_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <powercrm.h>

#define DESK_ID_MAX 64
#define DESK_USERS_MAX 64
#define DESK_SESSIONS_MAX 64
#define DESK_BACKLOG 256         /* events kept per agent stream */
#define DESK_BODY_MAX 16384      /* largest request body, bytes */
#define DESK_CONNECTIONS_MAX 64  /* simultaneous HTTP connections */
#define DESK_SESSION_TTL_S (8 * 3600)

struct desk_user {
	char id[DESK_ID_MAX + 1];
	char name[128];
	char device[DESK_ID_MAX + 1];    /* "" for supervisors without a phone */
	char org_unit[DESK_ID_MAX + 1];
	pcrm_role role;
	int level;
	int iterations;
	unsigned char salt[32];
	size_t salt_len;
	unsigned char hash[32];
	json_t *skills;                  /* {"billing": 8, ...}: ACD skills of an agent */
};

/* One agent's event stream: a ring of the newest DESK_BACKLOG events. */
struct desk_stream {
	char *events[DESK_BACKLOG];      /* "id: n\nevent: t\ndata: {...}\n\n" */
	uint64_t next_seq;               /* sequence number the next event gets (from 1) */
	uint64_t dropped;                /* events overwritten before a reader took them */
};

struct desk_session {
	char token[65];
	char csrf[65];
	int user;                        /* index in svc.users, -1 when free */
	int64_t expires;                 /* unix seconds */
};

struct desk_service {
	pthread_mutex_t lib;             /* every library call */
	pcrm_ctx *ctx;
	pcrm_acd *acd;
	pcrm_tel *tel;
	int simulate;
	uint64_t calls_made;             /* simulated calls, for their ids */

	struct desk_user users[DESK_USERS_MAX];
	size_t user_count;

	pthread_mutex_t ev;              /* streams and sessions */
	pthread_cond_t ev_cond;
	struct desk_stream streams[DESK_USERS_MAX];
	struct desk_session sessions[DESK_SESSIONS_MAX];
	int stopping;

	char static_dir[1024];
	char data_dir[1024];
};

extern struct desk_service svc;

/* users.c */
int desk_users_load(const char *path, char *err, size_t errsize);
int desk_user_find(const char *id);
int desk_password_check(const struct desk_user *u, const char *password);
int desk_password_hash(const char *password, int iterations, char *out, size_t size);
void desk_actor(const struct desk_user *u, pcrm_actor *out);

/* ratelimit.c: failed log-ins per (agent id, client address) and per address */
#define DESK_LOGIN_WINDOW_S 300
#define DESK_LOGIN_FAILS_PER_USER 5
#define DESK_LOGIN_FAILS_PER_ADDRESS 20
int desk_login_limited(const char *user, const char *addr);
void desk_login_failed(const char *user, const char *addr);
void desk_login_succeeded(const char *user, const char *addr);

/* sessions.c */
int desk_session_new(int user, struct desk_session *out);
int desk_session_find(const char *token, struct desk_session *out);
void desk_session_end(const char *token);

/* events.c */
void desk_acd_event(void *userdata, const pcrm_acd_event *event);
/* Copies events after `*after` of stream `user` into buf (at most size
 * bytes); waits up to `wait_ms` when there are none.  Returns bytes. */
size_t desk_stream_read(int user, uint64_t *after, char *buf, size_t size, int wait_ms);

/* switch.c: the simulated switch */
int desk_switch_start(const char *acd_json, char *err, size_t errsize);
int desk_switch_call(const char *caller_number, const char *service, char *call_id, size_t size);
void desk_switch_stop(void);
int64_t desk_now_ms(void);

/* bills.c: the newest `limit` bills of a customer with their explained lines, as the actor */
#define DESK_POP_BILLS 12
int desk_bills_json(const pcrm_actor *actor, const char *customer_no, size_t limit, json_t **out);

/* seed.c */
int desk_seed(const char *data_dir);

/* http.c */
int desk_http_run(int port);

/* api.c: handlers return the HTTP status and set *body (a JSON object, owned by the caller) */
struct desk_request {
	const char *method;
	const char *path;
	const char *query_customer_no;
	const char *body;
	size_t body_len;
	int user;                        /* -1 when no session */
};
int desk_api(const struct desk_request *req, json_t **body);
json_t *desk_error(const char *id, const char *message);
/* The last library error as *body (reason, field, message); returns its HTTP status. */
int desk_lib_error(json_t **body);
/* *body = {"error": id, "message": message}; returns http. */
int desk_fail(json_t **body, int http, const char *id, const char *message);
struct desk_refusal;
/* A refused request (request.c) as its JSON error; returns its HTTP status. */
int desk_refused(json_t **body, const struct desk_refusal *why);
/* The caller's number of the agent's current call into buf, or NULL without one.  Under svc.lib. */
const char *desk_current_caller(const struct desk_user *u, char *buf, size_t size);

/* orders.c: POST /api/workorder and /api/fault (under svc.lib) */
int desk_api_workorder(const struct desk_request *req, const struct desk_user *u,
                       const pcrm_actor *actor, json_t **body);
int desk_api_fault(const struct desk_request *req, const struct desk_user *u,
                   const pcrm_actor *actor, json_t **body);

#endif
