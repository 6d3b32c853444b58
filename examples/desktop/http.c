/*
 * HTTP on libmicrohttpd: 127.0.0.1 only, at most DESK_CONNECTIONS_MAX
 * connections and DESK_BODY_MAX bytes of body.  Routing, sessions, CSRF and
 * the static page are here; the endpoints are in api.c.
 *
 * One polling thread (epoll) does every socket's I/O and never blocks on
 * the store, the KDF or svc.lib: a request for an endpoint (log-in, log-out,
 * api.c) is handed to one of DESK_API_THREADS API threads with its
 * connection suspended, and the thread resumes it with the answer; an event
 * stream with nothing to send suspends its connection (events.c parks it)
 * until its agent's next event resumes it.  Session look-ups, CSRF checks
 * and the page's files are quick and stay on the polling thread.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>
#include <openssl/crypto.h>

#include "desktop.h"
#include "request.h"

enum job { JOB_LOGIN, JOB_LOGOUT, JOB_API };
enum upload_state { UP_RECEIVING, UP_PENDING, UP_ANSWERED, UP_SENT };

/* One request: its body, and while an API thread has it, the job and its answer. */
struct upload {
	char *buf;
	size_t len;
	int too_big;
	enum upload_state state;
	enum job job;
	struct MHD_Connection *conn;     /* suspended while UP_PENDING */
	struct desk_session session;
	struct desk_request req;         /* strings point into the connection's memory, kept while suspended */
	struct upload *next;             /* in the job queue */
	int status;                      /* the answer */
	json_t *body;
	char cookie[160];
};

static int stopping(void)
{
	return __atomic_load_n(&svc.stopping, __ATOMIC_ACQUIRE);
}

/* On an API thread, the request it is answering (NULL on the polling thread). */
static _Thread_local struct upload *answering;

/* Queues the answer; on an API thread, records it for the polling thread to
 * send when the suspended connection resumes (handle(), UP_ANSWERED). */
static enum MHD_Result send_json(struct MHD_Connection *conn, int status, json_t *body,
                                 const char *cookie)
{
	if (answering) {
		answering->status = status;
		answering->body = body;
		snprintf(answering->cookie, sizeof(answering->cookie), "%s", cookie ? cookie : "");
		return MHD_YES;
	}
	char *text = json_dumps(body, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(body);
	if (!text)
		return MHD_NO;
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(text), text,
	                                                         MHD_RESPMEM_MUST_FREE);
	MHD_add_response_header(r, "Content-Type", "application/json; charset=utf-8");
	MHD_add_response_header(r, "Cache-Control", "no-store");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	if (cookie)
		MHD_add_response_header(r, "Set-Cookie", cookie);
	enum MHD_Result ret = MHD_queue_response(conn, (unsigned)status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result send_error(struct MHD_Connection *conn, int status, const char *id,
                                  const char *message)
{
	return send_json(conn, status, desk_error(id, message), NULL);
}

/* The page: a fixed list of files, never a path from the request. */
static enum MHD_Result send_static(struct MHD_Connection *conn, const char *url)
{
	static const struct { const char *url, *file, *type; } files[] = {
		{ "/", "index.html", "text/html; charset=utf-8" },
		{ "/index.html", "index.html", "text/html; charset=utf-8" },
		{ "/app.js", "app.js", "text/javascript; charset=utf-8" },
		{ "/style.css", "style.css", "text/css; charset=utf-8" },
	};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		if (strcmp(url, files[i].url) != 0)
			continue;
		char path[2048];
		snprintf(path, sizeof(path), "%s/%s", svc.static_dir, files[i].file);
		FILE *f = fopen(path, "rb");
		if (!f)
			break;
		fseek(f, 0, SEEK_END);
		long n = ftell(f);
		fseek(f, 0, SEEK_SET);
		char *buf = n >= 0 ? malloc((size_t)n + 1) : NULL;
		size_t got = buf ? fread(buf, 1, (size_t)n, f) : 0;
		fclose(f);
		if (!buf)
			return MHD_NO;
		struct MHD_Response *r = MHD_create_response_from_buffer(got, buf, MHD_RESPMEM_MUST_FREE);
		MHD_add_response_header(r, "Content-Type", files[i].type);
		MHD_add_response_header(r, "Content-Security-Policy",
		                        "default-src 'self'; frame-ancestors 'none'");
		MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
		enum MHD_Result ret = MHD_queue_response(conn, MHD_HTTP_OK, r);
		MHD_destroy_response(r);
		return ret;
	}
	return send_error(conn, 404, "desktop.not_found", "no such page");
}

/* ---- the event stream ---- */

struct stream {
	struct desk_reader r;            /* first: events.c hands it back */
	struct MHD_Connection *conn;
	int user;
	char token[65];
};

/* Called by events.c from within stream_read (the polling thread), as libmicrohttpd requires. */
static void stream_suspend(struct desk_reader *r)
{
	MHD_suspend_connection(((struct stream *)r)->conn);
}

/* Called from any thread: the event's, the keep-alive timer's, log-out's. */
static void stream_resume(struct desk_reader *r)
{
	MHD_resume_connection(((struct stream *)r)->conn);
}

/* libmicrohttpd's content reader: events, a keep-alive, or 0 with the connection suspended. */
static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	(void)pos;
	struct stream *s = cls;
	struct desk_session sess;
	if (desk_session_find(s->token, &sess) != 0)
		return MHD_CONTENT_READER_END_OF_STREAM;
	long n = desk_stream_read(s->user, &s->r, buf, max);
	return n < 0 ? MHD_CONTENT_READER_END_OF_STREAM : (ssize_t)n;
}

static void stream_free(void *cls)
{
	struct stream *s = cls;
	desk_stream_close(s->user, &s->r);
	free(s);
}

static enum MHD_Result send_stream(struct MHD_Connection *conn, const struct desk_session *sess)
{
	if (desk_stream_open(sess->user) != 0)
		return send_error(conn, 429, "desktop.too_many_streams",
		                  "this agent already has the most event streams allowed");
	struct stream *s = calloc(1, sizeof(*s));
	if (!s) {
		desk_stream_close(sess->user, NULL);
		return MHD_NO;
	}
	s->user = sess->user;
	s->conn = conn;
	s->r.suspend = stream_suspend;
	s->r.resume = stream_resume;
	memcpy(s->token, sess->token, sizeof(s->token));
	const char *last = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Last-Event-ID");
	s->r.after = desk_parse_event_id(last);
	struct MHD_Response *r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16384,
	                                                           stream_read, s, stream_free);
	if (!r) {
		stream_free(s);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", "text/event-stream; charset=utf-8");
	MHD_add_response_header(r, "Cache-Control", "no-store");
	enum MHD_Result ret = MHD_queue_response(conn, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

/* ---- log in, log out ---- */

/* The client's address as text, for the log-in rate limit. */
static void client_address(struct MHD_Connection *conn, char *out, size_t size)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;
	snprintf(out, size, "?");
	if (sa && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out, (socklen_t)size);
	else if (sa && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out, (socklen_t)size);
}

static enum MHD_Result login(struct MHD_Connection *conn, const struct upload *up)
{
	static const struct desk_field fields[] = { { "agent_id", 1, DESK_ID_MAX },
		{ "password", 1, 1024 }, { NULL, 0, 0 } };
	const char *v[2];
	struct desk_refusal why;
	char addr[64];
	json_t *o = desk_parse_body(up->buf, up->len, fields, v, &why);
	if (!o)
		return send_json(conn, why.http, json_pack("{s:s, s:s, s:s}", "error", why.id, "field",
		                                           why.field, "message", why.message), NULL);
	client_address(conn, addr, sizeof(addr));
	if (desk_login_limited(v[0], addr)) {
		json_decref(o);
		return send_error(conn, 429, "desktop.login_rate_limited",
		                  "too many failed log-ins: try again later");
	}
	int user = desk_user_find(v[0]);
	int ok = desk_password_check(user >= 0 ? &svc.users[user] : NULL, v[1]);
	if (ok)
		desk_login_succeeded(v[0], addr);
	else
		desk_login_failed(v[0], addr);
	json_decref(o);
	if (!ok)
		return send_error(conn, 401, "desktop.login_failed", "unknown agent or wrong password");
	struct desk_session s;
	if (desk_session_new(user, &s) != 0)
		return send_error(conn, 500, "desktop.internal", "no session");
	const struct desk_user *u = &svc.users[user];
	if (u->device[0]) {
		/* The phone logs on (not ready, reason "login"); a second log-in keeps the state. */
		pthread_mutex_lock(&svc.lib);
		pcrm_acd_agent_info info = PCRM_ACD_AGENT_INFO_INIT;
		if (pcrm_acd_agent_get(svc.acd, u->id, &info) == PCRM_OK &&
		    info.state == PCRM_ACD_LOGGED_OUT)
			pcrm_tel_agent_set_state(svc.tel, u->id, u->device, PCRM_TEL_AGENT_LOGGED_ON, NULL);
		pthread_mutex_unlock(&svc.lib);
	}
	char cookie[160];
	snprintf(cookie, sizeof(cookie), "pcrm_session=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%d",
	         s.token, DESK_SESSION_TTL_S);
	return send_json(conn, 200,
	                 json_pack("{s:s, s:s, s:s, s:s}", "agent_id", u->id, "name", u->name, "role",
	                           pcrm_role_name(u->role), "csrf_token", s.csrf),
	                 cookie);
}

static enum MHD_Result logout(struct MHD_Connection *conn, const struct desk_session *s)
{
	const struct desk_user *u = &svc.users[s->user];
	if (u->device[0]) {
		pthread_mutex_lock(&svc.lib);
		pcrm_tel_agent_set_state(svc.tel, u->id, u->device, PCRM_TEL_AGENT_LOGGED_OFF, NULL);
		pthread_mutex_unlock(&svc.lib);
	}
	desk_session_end(s->token);
	return send_json(conn, 200, json_pack("{s:b}", "logged_out", 1),
	                 "pcrm_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
}

/* ---- the API threads ---- */

static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct upload *head, *tail;
	int stopping;                    /* no new jobs; the threads drain the queue and end */
	pthread_t threads[DESK_API_THREADS];
	size_t started;
} pool = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, NULL, NULL, 0, { 0 }, 0 };

/* On an API thread: login(), logout() and the endpoints answer through
 * send_json(), which records the answer in `answering`. */
static void run_job(struct upload *up)
{
	answering = up;
	if (up->job == JOB_LOGIN) {
		login(up->conn, up);
	} else if (up->job == JOB_LOGOUT) {
		logout(up->conn, &up->session);
	} else {
		json_t *body = NULL;
		int status = desk_api(&up->req, &body);
		send_json(up->conn, status, body ? body : desk_error("desktop.internal", "no body"), NULL);
	}
	answering = NULL;
}

static void *api_thread(void *arg)
{
	(void)arg;
	for (;;) {
		pthread_mutex_lock(&pool.lock);
		while (!pool.head && !pool.stopping)
			pthread_cond_wait(&pool.cond, &pool.lock);
		struct upload *up = pool.head;
		if (up) {
			pool.head = up->next;
			if (!pool.head)
				pool.tail = NULL;
		}
		pthread_mutex_unlock(&pool.lock);
		if (!up)
			return NULL;
		run_job(up);
		up->state = UP_ANSWERED;
		/* The polling thread takes the connection back and calls handle() again. */
		MHD_resume_connection(up->conn);
	}
}

/* Hands the request to the API threads, its connection suspended till answered. */
static enum MHD_Result dispatch(struct MHD_Connection *conn, struct upload *up, enum job job)
{
	pthread_mutex_lock(&pool.lock);
	if (pool.stopping) {
		pthread_mutex_unlock(&pool.lock);
		return send_error(conn, 503, "desktop.stopping", "the service is stopping");
	}
	up->job = job;
	up->conn = conn;
	up->state = UP_PENDING;
	up->next = NULL;
	/* Suspended before any API thread can see it, so its resume always follows. */
	MHD_suspend_connection(conn);
	if (pool.tail)
		pool.tail->next = up;
	else
		pool.head = up;
	pool.tail = up;
	pthread_cond_signal(&pool.cond);
	pthread_mutex_unlock(&pool.lock);
	return MHD_YES;
}

static int pool_start(void)
{
	for (; pool.started < DESK_API_THREADS; pool.started++)
		if (pthread_create(&pool.threads[pool.started], NULL, api_thread, NULL) != 0)
			return -1;
	return 0;
}

/* Every queued job is still answered (its connection resumed) before the threads end. */
static void pool_stop(void)
{
	pthread_mutex_lock(&pool.lock);
	pool.stopping = 1;
	pthread_cond_broadcast(&pool.cond);
	pthread_mutex_unlock(&pool.lock);
	for (size_t i = 0; i < pool.started; i++)
		pthread_join(pool.threads[i], NULL);
}

/* The keep-alive timer: a comment line on every stream idle for DESK_PING_MS. */
static pthread_t pinger;

static void *ping_loop(void *arg)
{
	(void)arg;
	for (int i = 1; !stopping(); i++) {
		usleep(250 * 1000);
		if (i % 4 == 0)
			desk_streams_ping(DESK_PING_MS);
	}
	return NULL;
}

/* ---- the request handler ---- */

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn, const char *url,
                              const char *method, const char *version, const char *data,
                              size_t *data_size, void **con_cls)
{
	(void)cls;
	(void)version;
	struct upload *up = *con_cls;
	if (!up) {
		up = calloc(1, sizeof(*up));
		if (!up)
			return MHD_NO;
		*con_cls = up;
		const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
		if (cl && strtoull(cl, NULL, 10) > DESK_BODY_MAX)
			return send_error(conn, 413, "desktop.body_too_large",
			                  "request body: larger than 16384 bytes");
		return MHD_YES;
	}
	if (up->state == UP_ANSWERED) {
		/* Back from an API thread (resumed): send its answer. */
		json_t *body = up->body;
		up->body = NULL;
		up->state = UP_SENT;
		return send_json(conn, up->status, body, up->cookie[0] ? up->cookie : NULL);
	}
	if (*data_size) {
		if (!up->too_big && up->len + *data_size <= DESK_BODY_MAX) {
			char *nb = realloc(up->buf, up->len + *data_size + 1);
			if (!nb)
				return MHD_NO;
			up->buf = nb;
			memcpy(up->buf + up->len, data, *data_size);
			up->len += *data_size;
			up->buf[up->len] = '\0';
		} else
			up->too_big = 1;
		*data_size = 0;
		return MHD_YES;
	}
	if (up->too_big)
		return send_error(conn, 413, "desktop.body_too_large", "request body: larger than 16384 bytes");
	if (stopping())
		return send_error(conn, 503, "desktop.stopping", "the service is stopping");
	int get = strcmp(method, "GET") == 0, post = strcmp(method, "POST") == 0;
	if (!get && !post)
		return send_error(conn, 405, "desktop.method", "only GET and POST");
	if (strncmp(url, "/api/", 5) != 0)
		return get ? send_static(conn, url)
		           : send_error(conn, 405, "desktop.method", "only GET for pages");
	if (post && strcmp(url, "/api/login") == 0)
		return dispatch(conn, up, JOB_LOGIN);

	struct desk_session s;
	const char *token = MHD_lookup_connection_value(conn, MHD_COOKIE_KIND, "pcrm_session");
	if (!desk_token_well_formed(token) || desk_session_find(token, &s) != 0)
		return send_error(conn, 401, "desktop.no_session", "log in first");
	if (post) {
		const char *csrf = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-CSRF-Token");
		if (!csrf || strlen(csrf) != 64 || CRYPTO_memcmp(csrf, s.csrf, 64) != 0)
			return send_error(conn, 403, "desktop.csrf", "X-CSRF-Token: missing or wrong");
	}
	if (post && strcmp(url, "/api/logout") == 0) {
		up->session = s;
		return dispatch(conn, up, JOB_LOGOUT);
	}
	if (get && strcmp(url, "/api/events") == 0)
		return send_stream(conn, &s);

	struct desk_request req = { method, url,
		                    MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "customer_no"),
		                    up->buf, up->len, s.user };
	up->req = req;
	return dispatch(conn, up, JOB_API);
}

static void completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                      enum MHD_RequestTerminationCode code)
{
	(void)cls;
	(void)conn;
	(void)code;
	struct upload *up = *con_cls;
	if (up) {
		json_decref(up->body);
		free(up->buf);
		free(up);
		*con_cls = NULL;
	}
}

int desk_http_run(int port)
{
	struct sockaddr_in addr;
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t)port);
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	/* epoll in one internal polling thread; suspend / resume for the API
	 * threads and the parked event streams (see the top of this file). */
	struct MHD_Daemon *d = MHD_start_daemon(
		MHD_USE_EPOLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG,
		(uint16_t)port, NULL, NULL, handle, NULL,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned int)DESK_CONNECTIONS_MAX,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)60,
		MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned int)1024,
		MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
		MHD_OPTION_END);
	if (!d) {
		fprintf(stderr, "desktop: cannot listen on 127.0.0.1:%d\n", port);
		return -1;
	}
	if (pool_start() != 0 || pthread_create(&pinger, NULL, ping_loop, NULL) != 0) {
		fprintf(stderr, "desktop: cannot start the API threads\n");
		pool_stop();
		MHD_stop_daemon(d);
		return -1;
	}
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	printf("desktop: listening on http://127.0.0.1:%u/\n", info ? (unsigned)info->port : (unsigned)port);
	fflush(stdout);

	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	int sig;
	sigwait(&set, &sig);
	pthread_mutex_lock(&svc.ev);
	__atomic_store_n(&svc.stopping, 1, __ATOMIC_RELEASE);
	pthread_cond_broadcast(&svc.ev_cond);
	pthread_mutex_unlock(&svc.ev);
	/* libmicrohttpd must not be stopped with a suspended connection: the API
	 * threads answer what they have; every parked stream wakes and ends. */
	pool_stop();
	pthread_join(pinger, NULL);
	desk_streams_ping(0);
	MHD_stop_daemon(d);
	return 0;
}
