/* pm-mqtt: the MQTT bridge. sub writes each message of the topics it
 * follows as one JSON line (mapped to a record type by topic), so device
 * traffic flows into pm-gate events ingest or pm-meter ingest; pub sends
 * a command. QoS 1 both ways, a persistent session, and reconnection
 * with back-off, so nothing published while it was away is lost. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <mosquitto.h>
#include <sodium.h>

#include "pm/cli.h"
#include "pm/config.h"
#include "pm/i18n.h"
#include "pm/mqtt.h"
#include "pm/secret.h"
#include "pm/timeutil.h"

enum { O_BROKER = 0x100, O_TOPIC, O_MAP, O_CLIENT, O_USER, O_PASSWORD, O_CAFILE, O_COUNT,
       O_CLEAN, O_MESSAGE, O_RETAIN };

#define TOPICS 16
#define BACKOFF_MAX 60

struct conn {
	struct pm_ctx *c;
	const char *broker, *user, *password_ref, *cafile, *client_id;
	char *password;
	struct pm_mqtt_broker b;
	struct pm_mqtt_map *map;
	json_t *cfg;        /* the store's mqtt section, when there is one */
	struct pm_config *config;
	/* sub */
	const char *topics[TOPICS];
	int ntopics, clean;
	long count, seen;
	/* pub */
	int mid, acked;
	int refused, rc;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* ---- settings: options first, then the store's mqtt section ---- */

static const char *setting(struct conn *k, const char *opt, const char *key)
{
	return opt ? opt : json_string_value(json_object_get(k->cfg, key));
}

/* The store's configuration: from --db, or from $PM_DB when that store
 * exists (pm-mqtt works without one). */
static int store_config(struct conn *k)
{
	struct pm_ctx *c = k->c;
	struct pm_db *db;
	const char *env = getenv("PM_DB");

	if (!c->db_path && (!env || !*env || access(env, F_OK) != 0))
		return PM_OK;
	if (pm_cli_db(c, NULL, &db) ||
	    pm_config_current(db, pm_date_of(pm_now(), pm_db_tz(db)), &k->config, &c->err))
		return c->err.code;
	/* A subscriber runs for days: it keeps no snapshot of the store. */
	pm_db_read_end(db);
	k->cfg = pm_config_section(k->config, "mqtt");
	return PM_OK;
}

static int settle(struct conn *k, const char *map_file)
{
	struct pm_ctx *c = k->c;
	json_t *list;

	if (store_config(k))
		return c->err.code;
	k->broker = setting(k, k->broker, "broker");
	k->user = setting(k, k->user, "user");
	k->password_ref = setting(k, k->password_ref, "password");
	k->cafile = setting(k, k->cafile, "cafile");
	k->client_id = setting(k, k->client_id, "client_id");
	if (!k->broker)
		return pm_cli_usage(c, _("--broker is required (or mqtt.broker in the configuration)"));
	if (pm_mqtt_broker_parse(k->broker, &k->b, &c->err))
		return pm_cli_usage(c, "%s", c->err.msg);
	if (k->password_ref && !k->user)
		return pm_cli_usage(c, _("a password needs --user"));
	if (k->password_ref && pm_secret_get(c->db, k->password_ref, _("the broker's password"), &k->password, &c->err))
		return c->err.code;
	if (map_file)
		return pm_mqtt_map_file(map_file, &k->map, &c->err);
	if ((list = json_object_get(k->cfg, "map")))
		return pm_mqtt_map_from(list, &k->map, &c->err);
	return PM_OK;
}

static void conn_free(struct conn *k)
{
	pm_secret_free(k->password);
	pm_mqtt_map_free(k->map);
	pm_config_free(k->config);
}

/* ---- the connection ---- */

static void on_connect(struct mosquitto *m, void *ud, int rc)
{
	struct conn *k = ud;

	if (rc != 0) {
		/* Refused (a bad password, an id not allowed): trying again
		 * will not help. */
		pm_cli_warn(k->c, _("broker %s:%d refused the connection: %s"), k->b.host, k->b.port,
			    mosquitto_connack_string(rc));
		k->refused = rc == 4 || rc == 5 ? PM_ENOPERM : PM_EUNAVAIL;
		mosquitto_disconnect(m);
		return;
	}
	for (int i = 0; i < k->ntopics; i++)
		mosquitto_subscribe(m, NULL, k->topics[i], 1);
}

static void on_message(struct mosquitto *m, void *ud, const struct mosquitto_message *msg)
{
	struct conn *k = ud;
	struct pm_err e = {0};
	json_t *rec;

	if (pm_mqtt_record(k->map, msg->topic, msg->payload, (size_t)msg->payloadlen, &rec, &e)) {
		pm_cli_warn(k->c, "%s", e.msg);
	} else {
		if (pm_jsonl_write(stdout, rec, &e) || fflush(stdout)) {
			pm_cli_warn(k->c, _("write error on standard output: %s"), strerror(errno));
			k->rc = PM_EIO;
			stop = 1;
		}
		json_decref(rec);
	}
	if (k->count && ++k->seen >= k->count)
		stop = 1;
	if (stop)
		mosquitto_disconnect(m);
}

static void on_publish(struct mosquitto *m, void *ud, int mid)
{
	struct conn *k = ud;

	if (mid == k->mid) {
		k->acked = 1;
		mosquitto_disconnect(m);
	}
}

static struct mosquitto *conn_new(struct conn *k, const char *id, int clean)
{
	struct mosquitto *m = mosquitto_new(id, clean, k);

	if (!m)
		return NULL;
	mosquitto_int_option(m, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
	if (k->user)
		mosquitto_username_pw_set(m, k->user, k->password);
	if (k->b.tls)
		mosquitto_tls_set(m, k->cafile, k->cafile ? NULL : "/etc/ssl/certs", NULL, NULL, NULL);
	mosquitto_connect_callback_set(m, on_connect);
	mosquitto_message_callback_set(m, on_message);
	mosquitto_publish_callback_set(m, on_publish);
	return m;
}

/* Sleeps up to s seconds, less when a signal asks to stop. */
static void pause_for(int s)
{
	for (int i = 0; i < s * 10 && !stop; i++)
		nanosleep(&(struct timespec){0, 100 * 1000 * 1000}, NULL);
}

static const char *why(int rc)
{
	return rc == MOSQ_ERR_ERRNO ? strerror(errno) : mosquitto_strerror(rc);
}

/* Runs the connection until stop: every loss of it is followed by a
 * new try after 1, 2, 4 ... up to 60 seconds. */
static int run_forever(struct conn *k, struct mosquitto *m)
{
	int rc = mosquitto_connect(m, k->b.host, k->b.port, 30), delay = 1;

	while (!stop && !k->refused) {
		if (rc == MOSQ_ERR_SUCCESS && (rc = mosquitto_loop(m, 500, 1)) == MOSQ_ERR_SUCCESS) {
			delay = 1;
			continue;
		}
		if (stop || k->refused || rc == MOSQ_ERR_NOMEM || rc == MOSQ_ERR_INVAL ||
		    rc == MOSQ_ERR_TLS)
			break;
		pm_cli_warn(k->c, _("broker %s:%d: %s; trying again in %d s"), k->b.host, k->b.port,
			    why(rc), delay);
		pause_for(delay);
		delay = delay * 2 > BACKOFF_MAX ? BACKOFF_MAX : delay * 2;
		rc = mosquitto_reconnect(m);
	}
	if (k->refused)
		return pm_err_set(&k->c->err, k->refused, _("the broker refused the connection"));
	if (rc == MOSQ_ERR_TLS || rc == MOSQ_ERR_INVAL || rc == MOSQ_ERR_NOMEM)
		return pm_err_set(&k->c->err, PM_EUNAVAIL, _("broker %s:%d: %s"), k->b.host, k->b.port, why(rc));
	return k->rc;
}

/* A persistent session needs the same id every time: the host and the
 * topics followed make one. */
/* The session's id: the host's and the topics', the same at every start,
 * so a restart finds what the broker held; with fresh, a new one each
 * time. */
static void default_id(struct conn *k, int fresh, char *buf, size_t n)
{
	unsigned char h[crypto_generichash_BYTES_MIN];
	char host[64] = "", hex[sizeof h * 2 + 1];
	crypto_generichash_state st;

	gethostname(host, sizeof host - 1);
	if (fresh) {
		randombytes_buf(h, 4);
	} else {
		crypto_generichash_init(&st, NULL, 0, sizeof h);
		for (int i = 0; i < k->ntopics; i++)
			crypto_generichash_update(&st, (const unsigned char *)k->topics[i], strlen(k->topics[i]) + 1);
		crypto_generichash_final(&st, h, sizeof h);
	}
	sodium_bin2hex(hex, sizeof hex, h, 4);
	snprintf(buf, n, "pm-mqtt-%.40s-%s%s", host, fresh ? "clean-" : "", hex);
}

/* ---- sub ---- */

static const struct pm_opt sub_opts[] = {
	{"broker", O_BROKER, "URL", N_("mqtt://HOST[:PORT] or mqtts://HOST[:PORT] (default: mqtt.broker)")},
	{"topic", O_TOPIC, "FILTER", N_("a topic filter to follow, like 'gates/#' (required; repeatable)")},
	{"map", O_MAP, "FILE", N_("a YAML list of topic patterns to record types (default: mqtt.map)")},
	{"client-id", O_CLIENT, "ID", N_("the session's client id (default: from the host and topics; with --clean, a new one)")},
	{"user", O_USER, "NAME", N_("the broker's user name")},
	{"password", O_PASSWORD, "SECRET", N_("the password, as env:NAME or file:PATH")},
	{"cafile", O_CAFILE, "FILE", N_("trust the CA in FILE for mqtts://")},
	{"count", O_COUNT, "N", N_("stop after N messages")},
	{"clean", O_CLEAN, NULL, N_("a clean session: forget what was missed while away")},
	{NULL, 0, NULL, NULL},
};

static int conn_opt(struct conn *k, int key, const char *arg)
{
	switch (key) {
	case O_BROKER: k->broker = arg; return 1;
	case O_CLIENT: k->client_id = arg; return 1;
	case O_USER: k->user = arg; return 1;
	case O_PASSWORD: k->password_ref = arg; return 1;
	case O_CAFILE: k->cafile = arg; return 1;
	}
	return 0;
}

static int cmd_sub(struct pm_ctx *c, int argc, char **argv)
{
	struct conn k = {.c = c};
	const char *map = NULL, *arg;
	struct mosquitto *m;
	char id[128];
	int64_t count;
	int key, rc;

	while ((key = pm_cli_opt(c, argc, argv, &arg)) > 0) {
		if (conn_opt(&k, key, arg))
			continue;
		switch (key) {
		case O_TOPIC:
			if (k.ntopics == TOPICS)
				return pm_cli_usage(c, _("at most %d topics"), TOPICS);
			if (mosquitto_sub_topic_check(arg) != MOSQ_ERR_SUCCESS)
				return pm_cli_usage(c, _("'%s' is not a topic filter"), arg);
			k.topics[k.ntopics++] = arg;
			break;
		case O_MAP: map = arg; break;
		case O_CLEAN: k.clean = 1; break;
		case O_COUNT:
			if (pm_cli_arg_count(c, "--count", arg, &count))
				return PM_EUSAGE;
			k.count = (long)count;
			break;
		}
	}
	if (key < 0)
		return c->stop;
	if (c->optind < argc)
		return pm_cli_usage(c, _("unexpected argument '%s'"), argv[c->optind]);
	if (k.ntopics == 0)
		return pm_cli_usage(c, _("--topic is required"));
	if ((rc = settle(&k, map))) {
		conn_free(&k);
		return rc;
	}
	/* A clean session is a look of its own: under the service's id it
	 * would throw the service off the broker and clear what the broker
	 * holds for it (an admin's peek lost the readings it took). */
	if (!k.client_id)
		default_id(&k, k.clean, id, sizeof id);
	mosquitto_lib_init();
	if (!(m = conn_new(&k, k.client_id ? k.client_id : id, k.clean))) {
		rc = pm_err_set(&c->err, PM_EFAIL, _("cannot start an MQTT client: %s"), strerror(errno));
	} else {
		signal(SIGINT, on_signal);
		signal(SIGTERM, on_signal);
		rc = run_forever(&k, m);
		mosquitto_destroy(m);
	}
	mosquitto_lib_cleanup();
	conn_free(&k);
	return rc;
}

/* ---- pub ---- */

static const struct pm_opt pub_opts[] = {
	{"broker", O_BROKER, "URL", N_("mqtt://HOST[:PORT] or mqtts://HOST[:PORT] (default: mqtt.broker)")},
	{"topic", O_TOPIC, "TOPIC", N_("the topic (required)")},
	{"message", O_MESSAGE, "TEXT", N_("the message; '-' reads it from standard input (required)")},
	{"retain", O_RETAIN, NULL, N_("the broker keeps it for later subscribers")},
	{"client-id", O_CLIENT, "ID", N_("the client id (default: a new one)")},
	{"user", O_USER, "NAME", N_("the broker's user name")},
	{"password", O_PASSWORD, "SECRET", N_("the password, as env:NAME or file:PATH")},
	{"cafile", O_CAFILE, "FILE", N_("trust the CA in FILE for mqtts://")},
	{NULL, 0, NULL, NULL},
};

#define MESSAGE_MAX (256 * 1024)

static int read_message(struct pm_ctx *c, const char *arg, char **out, size_t *len)
{
	if (strcmp(arg, "-") != 0) {
		*out = strdup(arg);
		*len = strlen(arg);
	} else if ((*out = malloc(MESSAGE_MAX + 1))) {
		*len = fread(*out, 1, MESSAGE_MAX + 1, stdin);
		if (*len > MESSAGE_MAX) {
			free(*out);
			return pm_err_set(&c->err, PM_EDATA, _("the message is longer than %d bytes"), MESSAGE_MAX);
		}
	}
	return *out ? PM_OK : pm_err_set(&c->err, PM_EFAIL, _("out of memory"));
}

/* Publishes and waits for the broker's acknowledgement (PUBACK). */
static int publish(struct conn *k, struct mosquitto *m, const char *topic, const char *msg,
		   size_t len, int retain)
{
	struct pm_ctx *c = k->c;
	time_t deadline = time(NULL) + 30;
	int rc = mosquitto_connect(m, k->b.host, k->b.port, 30);

	if (rc != MOSQ_ERR_SUCCESS)
		return pm_err_set(&c->err, PM_EUNAVAIL, _("broker %s:%d: %s"), k->b.host, k->b.port, why(rc));
	if ((rc = mosquitto_publish(m, &k->mid, topic, (int)len, msg, 1, retain)) != MOSQ_ERR_SUCCESS)
		return pm_err_set(&c->err, PM_EUNAVAIL, _("cannot publish to '%s': %s"), topic, why(rc));
	while (!k->acked && !k->refused && !stop && time(NULL) < deadline)
		if ((rc = mosquitto_loop(m, 500, 1)) != MOSQ_ERR_SUCCESS && !k->acked)
			return pm_err_set(&c->err, k->refused ? k->refused : PM_EUNAVAIL,
					  _("broker %s:%d: %s"), k->b.host, k->b.port, why(rc));
	if (!k->acked)
		return pm_err_set(&c->err, k->refused ? k->refused : PM_EUNAVAIL,
				  _("broker %s:%d did not acknowledge the message"), k->b.host, k->b.port);
	return PM_OK;
}

static int cmd_pub(struct pm_ctx *c, int argc, char **argv)
{
	struct conn k = {.c = c};
	const char *topic = NULL, *message = NULL, *arg;
	struct mosquitto *m;
	char *msg = NULL;
	size_t len = 0;
	int key, rc, retain = 0;

	while ((key = pm_cli_opt(c, argc, argv, &arg)) > 0) {
		if (conn_opt(&k, key, arg))
			continue;
		switch (key) {
		case O_TOPIC: topic = arg; break;
		case O_MESSAGE: message = arg; break;
		case O_RETAIN: retain = 1; break;
		}
	}
	if (key < 0)
		return c->stop;
	if (c->optind < argc)
		return pm_cli_usage(c, _("unexpected argument '%s'"), argv[c->optind]);
	if (!topic || !message)
		return pm_cli_usage(c, _("--topic and --message are required"));
	if (mosquitto_pub_topic_check(topic) != MOSQ_ERR_SUCCESS)
		return pm_cli_usage(c, _("'%s' is not a topic to publish to"), topic);
	if ((rc = settle(&k, NULL)) || (rc = read_message(c, message, &msg, &len))) {
		conn_free(&k);
		return rc;
	}
	mosquitto_lib_init();
	if (!(m = conn_new(&k, k.client_id, 1))) {
		rc = pm_err_set(&c->err, PM_EFAIL, _("cannot start an MQTT client: %s"), strerror(errno));
	} else {
		rc = publish(&k, m, topic, msg, len, retain);
		mosquitto_destroy(m);
	}
	mosquitto_lib_cleanup();
	free(msg);
	conn_free(&k);
	return rc;
}

static const struct pm_cmd cmds[] = {
	{"sub", cmd_sub, NULL, N_("follow topics and write each message as a JSON line"), sub_opts, NULL},
	{"pub", cmd_pub, NULL, N_("publish a message (a command to a device)"), pub_opts, NULL},
	{NULL, NULL, NULL, NULL, NULL, NULL},
};

static const struct pm_prog prog = {
	"pm-mqtt", N_("pm-mqtt: the MQTT bridge between devices and pm"), cmds, NULL, NULL,
};

int main(int argc, char **argv)
{
	return pm_cli_main(&prog, argc, argv);
}
