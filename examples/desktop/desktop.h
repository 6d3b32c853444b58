/*
 * The agent desktop reference service (docs/desktop.md): an HTTP + server-sent
 * events front end for 95598 agents on libpowercrm's public API, with the
 * switch simulated in-process (--simulate) so that it runs anywhere.
 *
 * Concurrency (docs/desktop.md, "Concurrency"): one libmicrohttpd polling
 * thread (epoll) does all socket I/O; the JSON endpoints run on a small pool
 * of API threads (the connection is suspended meanwhile), and an event
 * stream with nothing to send is a suspended connection, not a blocked
 * thread.  Every library call goes through one lock (`svc.lib`): a pcrm_ctx
 * is one store connection.  Each agent's event ring has its own lock, the
 * sessions theirs (sessions.c), so the ACD's event fan-out never waits on an
 * HTTP request or on the store.
 */
#ifndef DESKTOP_H
#define DESKTOP_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <powercrm.h>

#define DESK_ID_MAX 64
#define DESK_USERS_MAX 1024
#define DESK_SESSIONS_MAX 1024
#define DESK_BACKLOG 256         /* events kept per agent stream */
#define DESK_BODY_MAX 16384      /* largest request body, bytes */
/* Simultaneous HTTP connections: 500 agents' event streams (the load test)
 * plus their requests and a browser's few parallel ones, with headroom.  An
 * idle stream costs a suspended connection (its socket and libmicrohttpd's
 * per-connection memory pool, 32 KiB), not a thread. */
#define DESK_CONNECTIONS_MAX 1536
#define DESK_STREAMS_PER_USER 4  /* open event streams per user (429 beyond) */
#define DESK_API_THREADS 4       /* threads running the JSON endpoints */
#define DESK_PING_MS 15000       /* an idle stream gets a comment line this often */
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

/*
 * One open event stream (http.c owns it).  With nothing to send it parks:
 * events.c calls `suspend` with the ring's lock held and links it into the
 * ring's list; the next event (or the keep-alive timer, log-out, shutdown)
 * unlinks it and calls `resume`, both with that lock held, so a wake-up can
 * never fall between "nothing to send" and "parked".
 */
struct desk_reader {
	uint64_t after;                  /* last sequence number sent */
	int ping_due;                    /* woken by the keep-alive timer */
	int parked;
	int64_t parked_at_ms;
	struct desk_reader *next;        /* in the ring's list of parked readers */
	void (*suspend)(struct desk_reader *);
	void (*resume)(struct desk_reader *);
};

/* One agent's event ring: the newest DESK_BACKLOG events, numbered from 1. */
struct desk_stream {
	pthread_mutex_t lock;            /* this ring, its readers and counts only */
	char *events[DESK_BACKLOG];      /* "id: n\nevent: t\ndata: {...}\n\n" */
	uint64_t next_seq;               /* sequence number of the newest event (0: none yet) */
	uint64_t dropped;                /* events overwritten before a reader took them */
	struct desk_reader *parked;      /* readers waiting for the next event */
	int open;                        /* open streams of this user */
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

	pthread_mutex_t ev;              /* `stopping` (and ev_cond, the ticker's wake-up) */
	pthread_cond_t ev_cond;
	struct desk_stream streams[DESK_USERS_MAX];
	pthread_mutex_t sess;            /* sessions */
	struct desk_session sessions[DESK_SESSIONS_MAX];
	int stopping;                    /* set once; read with __atomic_load_n outside svc.ev */

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
void desk_sessions_init(void);

/* events.c */
void desk_streams_init(void);
void desk_streams_free(void);
void desk_acd_event(void *userdata, const pcrm_acd_event *event);
/* Counts an open stream of `user`: -1 when DESK_STREAMS_PER_USER are open
 * (and then sends the open ones a keep-alive, closing those whose client left). */
int desk_stream_open(int user);
/* Uncounts it (and unparks the reader if it still is). */
void desk_stream_close(int user, struct desk_reader *r);
/* Copies events after r->after of stream `user` into buf (at most size
 * bytes) and returns the byte count; with none, a keep-alive comment if one
 * is due, else parks the reader (calls r->suspend) and returns 0; -1 once
 * the service is stopping. */
long desk_stream_read(int user, struct desk_reader *r, char *buf, size_t size);
/* Wakes the parked readers of `user` (log-out: they re-check the session). */
void desk_stream_wake(int user);
/* Wakes the readers parked longer than `idle_ms` with a keep-alive due
 * (0: all of them, for shutdown). */
void desk_streams_ping(int64_t idle_ms);

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
