/* The flush loop: claims the messages due in batches, starts each as its
 * channel's rate allows over a pool of parallel transfers, and settles
 * the answers in rounds. In libpm-http, since it drives libcurl; every
 * decision about a message (its request, what an answer means, when to
 * try again) is lib/notify.c's. */
#include <errno.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "notify-internal.h"
#include "pm/db.h"
#include "pm/file.h"
#include "pm/i18n.h"
#include "pm/notify.h"
#include "pm/timeutil.h"

#define BATCH 1024

struct flush {
	struct pm_notify *n;
	const struct pm_notify_flush_opts *o;
	struct pm_http_pool *pool;
	struct pm_notify_msg *msgs;
	unsigned char *started;
	size_t count, done;
	int64_t next_us[PM_CH_COUNT];
	long taken;
	int rc;
	struct pm_err *e;
	int stopped;         /* standard output failed: start nothing more */
	struct pm_err why;   /* how */
};

static int64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void settle(struct flush *f, struct pm_notify_msg *m, enum pm_verdict v, const char *why)
{
	if (f->rc)
		return;
	f->rc = pm_notify_settle(f->n, m, &v, why, pm_now(), f->e);
	f->done++;
	if (f->o->told)
		f->o->told(f->o->ctx, m, v, why);
}

static void on_done(void *ctx, void *tag, const struct pm_http_res *res)
{
	struct flush *f = ctx;
	struct pm_notify_msg *m = tag;
	char why[300];
	enum pm_verdict v = pm_notify_verdict(m->channel, res, why, sizeof why);

	settle(f, m, v, why);
}

/* Sent means written out. Output that fails stops the flush: nothing
 * more is started, what is under way is settled, and what was claimed
 * but not written goes back to the queue, no attempt counted. */
static void to_stdout(struct flush *f, size_t i)
{
	struct pm_notify_msg *m = &f->msgs[i];
	json_t *rec = pm_notify_msg_json(m);

	if (!rec)
		f->rc = pm_err_set(f->e, PM_EFAIL, _("out of memory"));
	else if (!f->o->out)
		f->rc = pm_err_set(f->e, PM_ESOFTWARE, _("channel '%s' sends no requests"), pm_channel_name(m->channel));
	else if (f->o->out(f->o->ctx, rec, &f->why) != PM_OK) {
		f->stopped = 1;
		f->started[i] = 0;
	} else
		settle(f, m, PM_SENT, "");
	json_decref(rec);
}

/* Starts message i if its channel's rate allows; 1 if started or done. */
static int start(struct flush *f, size_t i, int64_t t)
{
	struct pm_notify_msg *m = &f->msgs[i];
	int rate = pm_notify_rate(f->n, m->channel);
	struct pm_err why;

	if (m->expired) { /* given up without a request: no rate to keep */
		f->started[i] = 1;
		settle(f, m, PM_FAILED, "");
		return 1;
	}
	if (rate > 0 && t < f->next_us[m->channel])
		return 0;
	if (rate > 0)
		f->next_us[m->channel] = (f->next_us[m->channel] > t - 1000000 / rate ?
					  f->next_us[m->channel] : t) + 1000000 / rate;
	f->started[i] = 1;
	if (m->channel == PM_CH_STDOUT) {
		to_stdout(f, i);
		return 1;
	}
	if (pm_notify_request(f->n, m, pm_now(), &why)) {
		settle(f, m, PM_FAILED, why.msg);
		return 1;
	}
	f->rc = pm_http_pool_add(f->pool, &m->req, m, f->e);
	return 1;
}

static int fill(struct flush *f)
{
	int64_t t = now_us();

	for (size_t i = 0; i < f->count && pm_http_pool_room(f->pool) > 0 && !f->rc && !f->stopped; i++)
		if (!f->started[i])
			start(f, i, t);
	return f->rc;
}

static int claim(struct flush *f)
{
	size_t max = BATCH;

	pm_notify_msgs_free(f->msgs, f->count);
	free(f->started);
	f->msgs = NULL;
	f->started = NULL;
	f->count = f->done = 0;
	if (f->o->limit && f->taken + (long)max > f->o->limit)
		max = (size_t)(f->o->limit - f->taken);
	if (max == 0)
		return PM_OK;
	if (pm_notify_claim(f->n, pm_now(), max, &f->msgs, &f->count, f->e))
		return f->e->code;
	f->taken += (long)f->count;
	if (!(f->started = calloc(f->count ? f->count : 1, 1)))
		return pm_err_set(f->e, PM_EFAIL, _("out of memory"));
	return PM_OK;
}

/* Once stopped and nothing is under way: what was claimed and not
 * started goes back, and the flush ends with why it stopped. */
static int give_back(struct flush *f)
{
	for (size_t i = 0; i < f->count && !f->rc; i++)
		if (!f->started[i])
			f->rc = pm_notify_unclaim(f->n, &f->msgs[i], f->e);
	if (!f->rc && !(f->rc = pm_notify_round_end(f->n, f->e)))
		f->rc = pm_err_set(f->e, f->why.code, "%s", f->why.msg);
	return f->rc;
}

static int run_batches(struct flush *f)
{
	while (!f->rc) {
		if (f->stopped && pm_http_pool_busy(f->pool) == 0)
			return give_back(f);
		if (f->done == f->count && !f->stopped) {
			if ((f->rc = pm_notify_round_end(f->n, f->e)) || (f->rc = claim(f)) || f->count == 0)
				break;
		}
		if ((f->rc = fill(f)))
			break;
		if (f->stopped && pm_http_pool_busy(f->pool) == 0)
			continue;
		if (pm_http_pool_busy(f->pool) == 0 && f->done < f->count)
			usleep(1000); /* waiting on a rate limit */
		else if ((f->rc = pm_http_pool_wait(f->pool, 1000, on_done, f, f->e)))
			break;
		if (!f->rc)
			f->rc = pm_notify_round_end(f->n, f->e);
	}
	return f->rc;
}

/* One flush at a time per store: a second would resend what the first
 * has under way. The lock goes with the process, however it ends. */
static int lock_store(struct pm_db *db, int *fd, struct pm_err *e)
{
	char path[4200];
	struct pm_file_mode m = pm_db_file_mode(db);

	snprintf(path, sizeof path, "%s.notify-lock", pm_db_path(db));
	if (pm_file_open(path, PM_FILE_APPEND, &m, fd, e))
		return e->code;
	if (flock(*fd, LOCK_EX | LOCK_NB) != 0) {
		close(*fd);
		return pm_err_set(e, PM_ETEMPFAIL, _("another flush is running on this store"));
	}
	return PM_OK;
}

/* The flush's account as its exit: the worst of what happened. */
static int account(const struct pm_notify_tally *t, struct pm_err *e)
{
	char sum[200];

	snprintf(sum, sizeof sum, _("sent %ld, to retry %ld, failed %ld, put off for quiet hours %ld"),
		 t->counts[PM_SENT], t->counts[PM_RETRY], t->counts[PM_FAILED], t->postponed);
	if (t->refused)
		return pm_err_set(e, PM_ECONFIG, _("%s: left queued %ld; %s"), t->why, t->refused, sum);
	if (t->counts[PM_FAILED])
		return pm_err_set(e, PM_EUNAVAIL, _("some messages failed for good: %s"), sum);
	if (t->counts[PM_RETRY])
		return pm_err_set(e, PM_ETEMPFAIL, _("some messages wait to be retried: %s"), sum);
	return pm_err_set(e, PM_OK, "%s", sum);
}

int pm_notify_flush(struct pm_notify *n, const struct pm_notify_flush_opts *o, struct pm_err *e)
{
	struct flush f = {.n = n, .o = o, .e = e};
	int fd, rc;

	if ((rc = lock_store(notify_db(n), &fd, e)))
		return rc;
	if (!(rc = pm_notify_flush_start(n, o->only_queued_here, e)) &&
	    !(rc = pm_http_pool_new(o->parallel > 0 ? o->parallel : pm_notify_parallel(n), &f.pool, e))) {
		rc = run_batches(&f);
		if (rc)
			pm_notify_round_abort(n);
	}
	pm_http_pool_free(f.pool);
	pm_notify_msgs_free(f.msgs, f.count);
	free(f.started);
	close(fd);
	if (rc == PM_OK)
		rc = pm_notify_flush_end(n, e);
	return rc ? rc : account(pm_notify_tally(n), e);
}
