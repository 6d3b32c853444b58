/*
 * HTTP on libmicrohttpd: 127.0.0.1 only, one thread per connection (an event
 * stream blocks its thread while it waits), at most DESK_CONNECTIONS_MAX
 * connections and DESK_BODY_MAX bytes of body.  Routing, sessions, CSRF and
 * the static page are here; the endpoints are in api.c.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <microhttpd.h>
#include <openssl/crypto.h>

#include "desktop.h"
#include "request.h"

#define STREAMS_PER_USER 4

struct upload {
	char *buf;
	size_t len;
	int too_big;
};

static int stream_count[DESK_USERS_MAX];

static enum MHD_Result send_json(struct MHD_Connection *conn, int status, json_t *body,
                                 const char *cookie)
{
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
	int user;
	uint64_t after;
	char token[65];
};

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	(void)pos;
	struct stream *s = cls;
	struct desk_session sess;
	if (desk_session_find(s->token, &sess) != 0 || svc.stopping)
		return MHD_CONTENT_READER_END_OF_STREAM;
	size_t n = desk_stream_read(s->user, &s->after, buf, max, 15000);
	if (n == 0) {
		static const char ping[] = ": keep-alive\n\n";
		if (max < sizeof(ping))
			return 0;
		memcpy(buf, ping, sizeof(ping) - 1);
		return (ssize_t)(sizeof(ping) - 1);
	}
	return (ssize_t)n;
}

static void stream_free(void *cls)
{
	struct stream *s = cls;
	pthread_mutex_lock(&svc.ev);
	stream_count[s->user]--;
	pthread_mutex_unlock(&svc.ev);
	free(s);
}

static enum MHD_Result send_stream(struct MHD_Connection *conn, const struct desk_session *sess)
{
	pthread_mutex_lock(&svc.ev);
	int busy = stream_count[sess->user] >= STREAMS_PER_USER;
	if (!busy)
		stream_count[sess->user]++;
	pthread_mutex_unlock(&svc.ev);
	if (busy)
		return send_error(conn, 429, "desktop.too_many_streams",
		                  "this agent already has the most event streams allowed");
	struct stream *s = calloc(1, sizeof(*s));
	if (!s)
		return MHD_NO;
	s->user = sess->user;
	memcpy(s->token, sess->token, sizeof(s->token));
	const char *last = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Last-Event-ID");
	s->after = desk_parse_event_id(last);
	struct MHD_Response *r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 65536,
	                                                           stream_read, s, stream_free);
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
	int get = strcmp(method, "GET") == 0, post = strcmp(method, "POST") == 0;
	if (!get && !post)
		return send_error(conn, 405, "desktop.method", "only GET and POST");
	if (strncmp(url, "/api/", 5) != 0)
		return get ? send_static(conn, url)
		           : send_error(conn, 405, "desktop.method", "only GET for pages");
	if (post && strcmp(url, "/api/login") == 0)
		return login(conn, up);

	struct desk_session s;
	const char *token = MHD_lookup_connection_value(conn, MHD_COOKIE_KIND, "pcrm_session");
	if (!desk_token_well_formed(token) || desk_session_find(token, &s) != 0)
		return send_error(conn, 401, "desktop.no_session", "log in first");
	if (post) {
		const char *csrf = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-CSRF-Token");
		if (!csrf || strlen(csrf) != 64 || CRYPTO_memcmp(csrf, s.csrf, 64) != 0)
			return send_error(conn, 403, "desktop.csrf", "X-CSRF-Token: missing or wrong");
	}
	if (post && strcmp(url, "/api/logout") == 0)
		return logout(conn, &s);
	if (get && strcmp(url, "/api/events") == 0)
		return send_stream(conn, &s);

	struct desk_request req = { method, url,
		                    MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "customer_no"),
		                    up->buf, up->len, s.user };
	json_t *body = NULL;
	int status = desk_api(&req, &body);
	return send_json(conn, status, body ? body : desk_error("desktop.internal", "no body"), NULL);
}

static void completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                      enum MHD_RequestTerminationCode code)
{
	(void)cls;
	(void)conn;
	(void)code;
	struct upload *up = *con_cls;
	if (up) {
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
	struct MHD_Daemon *d = MHD_start_daemon(
		MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG,
		(uint16_t)port, NULL, NULL, handle, NULL,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned int)DESK_CONNECTIONS_MAX,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)60,
		MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
		MHD_OPTION_END);
	if (!d) {
		fprintf(stderr, "desktop: cannot listen on 127.0.0.1:%d\n", port);
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
	svc.stopping = 1;
	pthread_cond_broadcast(&svc.ev_cond);
	pthread_mutex_unlock(&svc.ev);
	MHD_stop_daemon(d);
	return 0;
}
