/*
 * The agent desktop's load client (docs/desktop.md, "Load"): N simulated
 * agents log in, open their event streams and go ready; a dialler places
 * simulated calls through POST /api/sim/call at a fixed rate; every agent
 * answers the call it is offered, hangs up and ends its wrap-up, as the page
 * would, over HTTP.  One thread reads all N streams with epoll and checks,
 * per stream, that the SSE ids run 1, 2, 3, ... with no gap and no repeat
 * (and no `events_lost`), and across streams that every call placed was
 * offered exactly once.  The latency of a `call_offered` event is the time
 * it is read off the stream (CLOCK_REALTIME, microseconds) minus its `at`,
 * the engine time of the routing decision (wall clock milliseconds fed by
 * the simulated switch, truncated, so a latency is over- rather than
 * under-stated by up to 1 ms).
 *
 * Agents are "a1".."aN" with password "pw-a1"..., the dialler logs in as
 * "sup" / "pw-sup" (load.py writes that users file).  Prints key=value lines;
 * exits 1 when a check fails.
 *
 *   load_client PORT AGENTS CALLS_PER_SECOND SECONDS
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#define ACTION_THREADS 4

static int port;

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static double mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int connect_local(void)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t k = write(fd, p, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

/* One POST on its own connection (Connection: close); returns the status, the
 * body in resp, the session token of a Set-Cookie in token (when given). */
static int post(const char *path, const char *token, const char *csrf, const char *body,
                char *resp, size_t respsize, char *token_out)
{
	char req[1024];
	int n = snprintf(req, sizeof(req),
	                 "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
	                 "Content-Type: application/json\r\nContent-Length: %zu\r\n"
	                 "%s%s%s%s%s%s\r\n%s",
	                 path, strlen(body), token ? "Cookie: pcrm_session=" : "", token ? token : "",
	                 token ? "\r\n" : "", csrf ? "X-CSRF-Token: " : "", csrf ? csrf : "",
	                 csrf ? "\r\n" : "", body);
	int fd = connect_local();
	if (fd < 0 || n < 0 || (size_t)n >= sizeof(req) || write_all(fd, req, (size_t)n) != 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	char buf[8192];
	size_t used = 0;
	for (;;) {
		ssize_t k = read(fd, buf + used, sizeof(buf) - 1 - used);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		used += (size_t)k;
		if (used == sizeof(buf) - 1)
			break;
	}
	close(fd);
	buf[used] = '\0';
	int status = 0;
	if (sscanf(buf, "HTTP/1.%*d %d", &status) != 1)
		return -1;
	const char *c = token_out ? strstr(buf, "pcrm_session=") : NULL;
	if (c && token_out) {
		memcpy(token_out, c + 13, 64);
		token_out[64] = '\0';
	}
	const char *b = strstr(buf, "\r\n\r\n");
	if (resp)
		snprintf(resp, respsize, "%s", b ? b + 4 : "");
	return status;
}

/* ---- agents and their streams ---- */

enum chunk_state { CH_SIZE, CH_DATA, CH_CRLF };

struct agent {
	char id[16];
	char token[65], csrf[65];
	int fd;
	int headers_done, status_ok;
	char head[4096];
	size_t head_len;
	enum chunk_state ch;
	size_t chunk_left;
	char size_line[32];
	size_t size_len;
	char *frame;                     /* SSE text up to the next blank line */
	size_t frame_len, frame_cap;
	uint64_t last_id, events, gaps, repeats;
	int ready;                       /* agent_state ready seen since the last call */
	int ended;                       /* the stream ended */
};

static struct agent *agents;
static int n_agents;
static char sup_token[65], sup_csrf[65];

/* ---- actions: what the page would POST on an event ---- */

enum action { ACT_READY, ACT_ANSWER, ACT_HANGUP, ACT_WRAP_UP_END };

struct job {
	int agent;
	enum action what;
	struct job *next;
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct job *head, *tail;
	int done;
	unsigned long errors, posts;
} actions = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, NULL, NULL, 0, 0, 0 };

static void act(int agent, enum action what)
{
	struct job *j = malloc(sizeof(*j));
	if (!j)
		abort();
	j->agent = agent;
	j->what = what;
	j->next = NULL;
	pthread_mutex_lock(&actions.lock);
	if (actions.tail)
		actions.tail->next = j;
	else
		actions.head = j;
	actions.tail = j;
	pthread_cond_signal(&actions.cond);
	pthread_mutex_unlock(&actions.lock);
}

static void *action_thread(void *arg)
{
	(void)arg;
	for (;;) {
		pthread_mutex_lock(&actions.lock);
		while (!actions.head && !actions.done)
			pthread_cond_wait(&actions.cond, &actions.lock);
		struct job *j = actions.head;
		if (j) {
			actions.head = j->next;
			if (!actions.head)
				actions.tail = NULL;
		}
		pthread_mutex_unlock(&actions.lock);
		if (!j)
			return NULL;
		const struct agent *a = &agents[j->agent];
		static const char *const paths[] = { "/api/state", "/api/call/answer", "/api/call/hangup",
			                             "/api/state" };
		static const char *const bodies[] = { "{\"state\":\"ready\"}", "{}", "{}",
			                              "{\"state\":\"wrap_up_end\"}" };
		char resp[512];
		int st = post(paths[j->what], a->token, a->csrf, bodies[j->what], resp, sizeof(resp), NULL);
		pthread_mutex_lock(&actions.lock);
		actions.posts++;
		if (st != 200) {
			actions.errors++;
			if (actions.errors <= 5)
				fprintf(stderr, "load: %s %s: %d %s\n", a->id, paths[j->what], st, resp);
		}
		pthread_mutex_unlock(&actions.lock);
		free(j);
	}
}

/* ---- the calls ---- */

static double *latency;                 /* per call placed, ms; < 0 until offered */
static int *offered;                    /* per call placed: call_offered events seen */
static int calls_max, calls_placed;
static unsigned long dial_errors;
static double dial_rate, dial_seconds, dial_elapsed;
static volatile int dial_go, dial_finished;

static void *dialler(void *arg)
{
	(void)arg;
	static const char *const services[] = { "billing", "repair", "general" };
	static const char *const numbers[] = { "13953100001", "13953100002", "13953100003",
		                               "13800000000" };
	while (!__atomic_load_n(&dial_go, __ATOMIC_ACQUIRE))
		usleep(1000);
	double start = mono_s();
	for (int i = 0; i < calls_max; i++) {
		double due = start + (double)i / dial_rate, t = mono_s();
		if (due > t)
			usleep((useconds_t)((due - t) * 1e6));
		char body[160], resp[256];
		snprintf(body, sizeof(body), "{\"caller_number\":\"%s\",\"service\":\"%s\"}",
		         numbers[i % 4], services[i % 3]);
		int st = post("/api/sim/call", sup_token, sup_csrf, body, resp, sizeof(resp), NULL);
		unsigned long k = 0;
		const char *id = strstr(resp, "\"sim-");
		if (st != 201 || !id || sscanf(id, "\"sim-%lu", &k) != 1 || k != (unsigned long)i + 1) {
			/* ids are the service's count of calls: this client is its only dialler */
			dial_errors++;
			if (dial_errors <= 5)
				fprintf(stderr, "load: sim/call %d: %d %s\n", i + 1, st, resp);
		}
		__atomic_store_n(&calls_placed, i + 1, __ATOMIC_RELEASE);
	}
	dial_elapsed = mono_s() - start;
	__atomic_store_n(&dial_finished, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* ---- reading the streams ---- */

static unsigned long lost_notices, frames_bad, total_events;

static void on_frame(int ai, struct agent *a, char *frame)
{
	uint64_t id = 0;
	int has_id = 0;
	const char *event = NULL, *data = NULL;
	char *save = NULL;
	for (char *line = strtok_r(frame, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "id: ", 4) == 0) {
			id = strtoull(line + 4, NULL, 10);
			has_id = 1;
		} else if (strncmp(line, "event: ", 7) == 0) {
			event = line + 7;
		} else if (strncmp(line, "data: ", 6) == 0) {
			data = line + 6;
		}
	}
	if (!event)
		return;                  /* a keep-alive comment */
	double read_at = now_ms();
	if (strcmp(event, "events_lost") == 0) {
		lost_notices++;
		return;
	}
	if (!has_id || !data) {
		frames_bad++;
		return;
	}
	a->events++;
	total_events++;
	if (id <= a->last_id)
		a->repeats++;
	else if (id != a->last_id + 1)
		a->gaps++;
	if (id > a->last_id)
		a->last_id = id;
	json_t *o = json_loads(data, 0, NULL);
	const char *type = json_string_value(json_object_get(o, "type"));
	const char *call = json_string_value(json_object_get(o, "call"));
	if (!type || strcmp(type, event) != 0) {
		frames_bad++;
	} else if (strcmp(type, "call_offered") == 0) {
		unsigned long k = 0;
		if (call && sscanf(call, "sim-%lu", &k) == 1 && k >= 1 && k <= (unsigned long)calls_max) {
			offered[k - 1]++;
			if (offered[k - 1] == 1)
				latency[k - 1] = read_at - (double)json_integer_value(json_object_get(o, "at"));
		} else
			frames_bad++;
		a->ready = 0;
		act(ai, ACT_ANSWER);
	} else if (strcmp(type, "call_answered") == 0) {
		act(ai, ACT_HANGUP);
	} else if (strcmp(type, "agent_state") == 0) {
		const char *state = json_string_value(json_object_get(o, "state"));
		if (state && strcmp(state, "wrap_up") == 0)
			act(ai, ACT_WRAP_UP_END);
		a->ready = state && strcmp(state, "ready") == 0;
	}
	json_decref(o);
}

static void feed_sse(int ai, struct agent *a, const char *p, size_t n)
{
	if (a->frame_len + n + 1 > a->frame_cap) {
		size_t cap = (a->frame_len + n + 1) * 2;
		char *f = realloc(a->frame, cap);
		if (!f)
			abort();
		a->frame = f;
		a->frame_cap = cap;
	}
	memcpy(a->frame + a->frame_len, p, n);
	a->frame_len += n;
	a->frame[a->frame_len] = '\0';
	char *start = a->frame, *end;
	while ((end = strstr(start, "\n\n")) != NULL) {
		*end = '\0';
		on_frame(ai, a, start);
		start = end + 2;
	}
	size_t rest = a->frame_len - (size_t)(start - a->frame);
	memmove(a->frame, start, rest);
	a->frame_len = rest;
	a->frame[rest] = '\0';
}

/* The body is chunked (HTTP/1.1, length unknown), as a browser gets it. */
static void feed_chunked(int ai, struct agent *a, const char *p, size_t n)
{
	while (n) {
		if (a->ch == CH_SIZE) {
			char c = *p++;
			n--;
			if (c == '\n') {
				a->size_line[a->size_len] = '\0';
				a->chunk_left = strtoul(a->size_line, NULL, 16);
				a->size_len = 0;
				if (a->chunk_left == 0) {
					a->ended = 1;
					return;
				}
				a->ch = CH_DATA;
			} else if (c != '\r' && a->size_len < sizeof(a->size_line) - 1) {
				a->size_line[a->size_len++] = c;
			}
		} else if (a->ch == CH_DATA) {
			size_t k = n < a->chunk_left ? n : a->chunk_left;
			feed_sse(ai, a, p, k);
			p += k;
			n -= k;
			a->chunk_left -= k;
			if (a->chunk_left == 0)
				a->ch = CH_CRLF;
		} else {
			char c = *p++;
			n--;
			if (c == '\n')
				a->ch = CH_SIZE;
		}
	}
}

static void on_readable(int ai)
{
	struct agent *a = &agents[ai];
	char buf[65536];
	for (;;) {
		ssize_t k = read(a->fd, buf, sizeof(buf));
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return;          /* EAGAIN */
		if (k == 0) {
			a->ended = 1;
			return;
		}
		const char *p = buf;
		size_t n = (size_t)k;
		if (!a->headers_done) {
			size_t room = sizeof(a->head) - 1 - a->head_len, take = n < room ? n : room;
			memcpy(a->head + a->head_len, p, take);
			a->head_len += take;
			a->head[a->head_len] = '\0';
			char *end = strstr(a->head, "\r\n\r\n");
			if (!end) {
				if (a->head_len == sizeof(a->head) - 1)
					a->ended = 1;
				continue;
			}
			a->headers_done = 1;
			a->status_ok = strncmp(a->head, "HTTP/1.1 200", 12) == 0 &&
			               strstr(a->head, "chunked") != NULL;
			size_t body_at = (size_t)(end + 4 - a->head);
			size_t consumed = body_at - (a->head_len - take);
			p += consumed;
			n -= consumed;
		}
		feed_chunked(ai, a, p, n);
	}
}

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;
	return a < b ? -1 : a > b;
}

struct login_range {
	int from, to;
	int failed;
};

static int login_one(const char *id, char *token, char *csrf)
{
	char body[128], resp[1024];
	snprintf(body, sizeof(body), "{\"agent_id\":\"%s\",\"password\":\"pw-%s\"}", id, id);
	if (post("/api/login", NULL, NULL, body, resp, sizeof(resp), token) != 200)
		return -1;
	const char *c = strstr(resp, "\"csrf_token\":\"");
	if (!c || strlen(c + 14) < 64)
		return -1;
	memcpy(csrf, c + 14, 64);
	csrf[64] = '\0';
	return 0;
}

static void *login_thread(void *arg)
{
	struct login_range *r = arg;
	for (int i = r->from; i < r->to; i++)
		if (login_one(agents[i].id, agents[i].token, agents[i].csrf) != 0)
			r->failed++;
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: load_client PORT AGENTS CALLS_PER_SECOND SECONDS\n");
		return 2;
	}
	port = atoi(argv[1]);
	n_agents = atoi(argv[2]);
	dial_rate = atof(argv[3]);
	dial_seconds = atof(argv[4]);
	calls_max = (int)(dial_rate * dial_seconds + 0.5);
	if (port <= 0 || n_agents <= 0 || dial_rate <= 0 || calls_max <= 0)
		return 2;
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)n_agents + 64) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	agents = calloc((size_t)n_agents, sizeof(*agents));
	latency = malloc((size_t)calls_max * sizeof(*latency));
	offered = calloc((size_t)calls_max, sizeof(*offered));
	if (!agents || !latency || !offered)
		return 1;

	/* Log in (the service's KDF is the cost: four at a time, one per API thread). */
	double t0 = mono_s();
	struct login_range ranges[4];
	pthread_t lt[4];
	for (int i = 0; i < n_agents; i++)
		snprintf(agents[i].id, sizeof(agents[i].id), "a%d", i + 1);
	for (int t = 0; t < 4; t++) {
		ranges[t] = (struct login_range){ n_agents * t / 4, n_agents * (t + 1) / 4, 0 };
		pthread_create(&lt[t], NULL, login_thread, &ranges[t]);
	}
	int failed = login_one("sup", sup_token, sup_csrf) != 0;
	for (int t = 0; t < 4; t++) {
		pthread_join(lt[t], NULL);
		failed += ranges[t].failed;
	}
	if (failed) {
		fprintf(stderr, "load: %d log-ins failed\n", failed);
		return 1;
	}
	printf("login_s=%.2f\n", mono_s() - t0);

	/* Open every stream, then go ready through the API. */
	int ep = epoll_create1(EPOLL_CLOEXEC);
	for (int i = 0; i < n_agents; i++) {
		struct agent *a = &agents[i];
		char req[512];
		int n = snprintf(req, sizeof(req),
		                 "GET /api/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
		                 "Cookie: pcrm_session=%s\r\n\r\n", a->token);
		a->fd = connect_local();
		if (a->fd < 0 || write_all(a->fd, req, (size_t)n) != 0) {
			fprintf(stderr, "load: cannot open stream %d: %s\n", i + 1, strerror(errno));
			return 1;
		}
		fcntl(a->fd, F_SETFL, fcntl(a->fd, F_GETFL) | O_NONBLOCK);
		struct epoll_event ev = { .events = EPOLLIN, .data.u32 = (uint32_t)i };
		epoll_ctl(ep, EPOLL_CTL_ADD, a->fd, &ev);
	}
	pthread_t at[ACTION_THREADS], dt;
	for (int t = 0; t < ACTION_THREADS; t++)
		pthread_create(&at[t], NULL, action_thread, NULL);
	pthread_create(&dt, NULL, dialler, NULL);
	for (int i = 0; i < n_agents; i++)
		act(i, ACT_READY);

	/* The loop: read every readable stream; start dialling once all are ready;
	 * stop when every call placed was offered and every agent is ready again
	 * (or 30 s after the last call). */
	struct rusage ru0, ru1;
	getrusage(RUSAGE_SELF, &ru0);
	double loop_start = mono_s(), busy = 0, deadline = 0, ready_deadline = loop_start + 60;
	int going = 0, complete = 0;
	struct epoll_event evs[256];
	while (!complete) {
		int n = epoll_wait(ep, evs, 256, 50);
		double b0 = mono_s();
		for (int k = 0; k < n; k++)
			on_readable((int)evs[k].data.u32);
		busy += mono_s() - b0;
		int ready = 0, ended = 0;
		for (int i = 0; i < n_agents; i++) {
			ready += agents[i].ready;
			ended += agents[i].ended || (agents[i].headers_done && !agents[i].status_ok);
		}
		if (ended) {
			fprintf(stderr, "load: %d streams ended or refused\n", ended);
			break;
		}
		if (!going && ready == n_agents) {
			going = 1;
			printf("ready_s=%.2f\n", mono_s() - loop_start);
			getrusage(RUSAGE_SELF, &ru0);
			loop_start = mono_s();
			busy = 0;
			__atomic_store_n(&dial_go, 1, __ATOMIC_RELEASE);
		}
		if (!going && mono_s() > ready_deadline) {
			fprintf(stderr, "load: only %d of %d agents ready\n", ready, n_agents);
			break;
		}
		if (going && __atomic_load_n(&dial_finished, __ATOMIC_ACQUIRE)) {
			if (!deadline)
				deadline = mono_s() + 30;
			int all = ready == n_agents;
			for (int k = 0; all && k < calls_max; k++)
				all = offered[k] > 0;
			if (all || mono_s() > deadline)
				complete = 1;
		}
	}
	double wall = mono_s() - loop_start;
	getrusage(RUSAGE_SELF, &ru1);
	pthread_join(dt, NULL);
	pthread_mutex_lock(&actions.lock);
	actions.done = 1;
	pthread_cond_broadcast(&actions.cond);
	pthread_mutex_unlock(&actions.lock);
	for (int t = 0; t < ACTION_THREADS; t++)
		pthread_join(at[t], NULL);

	/* The checks and the figures. */
	uint64_t gaps = 0, repeats = 0, min_events = UINT64_MAX, max_events = 0;
	int ended = 0;
	for (int i = 0; i < n_agents; i++) {
		gaps += agents[i].gaps;
		repeats += agents[i].repeats;
		ended += agents[i].ended;
		if (agents[i].events < min_events)
			min_events = agents[i].events;
		if (agents[i].events > max_events)
			max_events = agents[i].events;
	}
	int not_offered = 0, offered_twice = 0, n_lat = 0;
	double *lat = malloc((size_t)calls_max * sizeof(*lat));
	for (int k = 0; k < calls_max; k++) {
		not_offered += offered[k] == 0;
		offered_twice += offered[k] > 1;
		if (offered[k] > 0 && lat)
			lat[n_lat++] = latency[k];
	}
	double cpu = (double)(ru1.ru_utime.tv_sec - ru0.ru_utime.tv_sec) +
	             (double)(ru1.ru_stime.tv_sec - ru0.ru_stime.tv_sec) +
	             (double)(ru1.ru_utime.tv_usec - ru0.ru_utime.tv_usec) / 1e6 +
	             (double)(ru1.ru_stime.tv_usec - ru0.ru_stime.tv_usec) / 1e6;
	printf("agents=%d\ncalls=%d\nplaced=%d\ndial_errors=%lu\nachieved_rate=%.2f\n", n_agents,
	       calls_max, calls_placed, dial_errors, dial_elapsed > 0 ? calls_placed / dial_elapsed : 0);
	printf("events=%lu\nevents_per_stream_min=%" PRIu64 "\nevents_per_stream_max=%" PRIu64 "\n",
	       total_events, min_events, max_events);
	printf("gaps=%" PRIu64 "\nrepeats=%" PRIu64 "\nevents_lost_notices=%lu\nbad_frames=%lu\n"
	       "streams_ended=%d\n", gaps, repeats, lost_notices, frames_bad, ended);
	printf("not_offered=%d\noffered_twice=%d\naction_posts=%lu\naction_errors=%lu\n", not_offered,
	       offered_twice, actions.posts, actions.errors);
	if (n_lat && lat) {
		qsort(lat, (size_t)n_lat, sizeof(*lat), cmp_double);
		printf("latency_ms_min=%.3f\nlatency_ms_p50=%.3f\nlatency_ms_p99=%.3f\nlatency_ms_max=%.3f\n",
		       lat[0], lat[n_lat / 2], lat[(size_t)((n_lat - 1) * 0.99)], lat[n_lat - 1]);
	}
	/* How we know the client is not the bottleneck: the share of the wall time its
	 * reading thread spent busy (the rest it waited in epoll_wait for the service),
	 * and its whole CPU use, posting threads included. */
	printf("client_read_loop_busy=%.4f\nclient_cpu_share=%.4f\nwall_s=%.2f\n", busy / wall,
	       cpu / wall, wall);
	free(lat);
	int ok = gaps == 0 && repeats == 0 && lost_notices == 0 && frames_bad == 0 && ended == 0 &&
	         not_offered == 0 && offered_twice == 0 && dial_errors == 0 && actions.errors == 0 &&
	         calls_placed == calls_max;
	printf("result=%s\n", ok ? "ok" : "FAILED");
	for (int i = 0; i < n_agents; i++) {
		close(agents[i].fd);
		free(agents[i].frame);
	}
	close(ep);
	free(agents);
	free(latency);
	free(offered);
	return ok ? 0 : 1;
}
