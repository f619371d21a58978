/* Surveys (问卷): defined in a YAML file, answered once per person, counted
 * as a report. A survey of kind "satisfaction" feeds its ratings to
 * pm-report's service report.
 *
 *	title: 物业服务满意度调查
 *	kind: satisfaction          # or general (default)
 *	anonymous: true             # answers name no one (default false)
 *	audience: all               # or building:CODE
 *	opens: 2026-12-01           # default: today
 *	closes: 2026-12-31          # the last day answers are taken
 *	questions:
 *	  - id: overall
 *	    text: 总体满意度
 *	    type: rating            # 1 to 5
 *	  - id: focus
 *	    text: 最希望改进哪一项？
 *	    type: single            # or multi: options required
 *	    options: [保洁, 绿化, 安保]
 *	  - id: comment
 *	    text: 其他意见
 *	    type: text
 */
#ifndef PM_SURVEY_H
#define PM_SURVEY_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "pm/auth.h"
#include "pm/err.h"
#include "pm/report.h"

struct pm_db;

/* The survey in text (name: the file's, for messages) as a normalised
 * record {"title","kind","anonymous","audience","opens","closes",
 * "questions":[{"id","text","type","options"}]}; PM_EDATA with
 * "NAME:LINE:COL: message" or a message naming the question otherwise.
 * Reads no store: the fuzz target drives it. */
int pm_survey_parse(const char *text, size_t len, const char *name, json_t **out, struct pm_err *e);

/* Stores the survey of the YAML file at path (pm_survey_parse); audited.
 * *out is its record (pm_survey_get's). PM_EDATA for an unknown
 * building, a close before the opening. */
int pm_survey_add(struct pm_db *db, const char *path, json_t **out, struct pm_err *e);
/* {"type":"survey","id","title","kind","anonymous","audience","opens",
 * "closes","status","answers","questions","created_at","created_by"}. */
int pm_survey_get(struct pm_db *db, int64_t id, json_t **out, struct pm_err *e);
int pm_survey_each(struct pm_db *db, int (*fn)(void *ctx, json_t *rec), void *ctx, struct pm_err *e);

/* An answer: question id to its answer as text: a rating "1" to "5", an
 * option of a single choice, options of a multiple choice joined with
 * ",", free text. by: the person answering (staff entering a paper
 * form); NULL: the actor's own. Questions left out are unanswered. */
struct pm_survey_reply {
	int64_t survey;
	const char *by;
	json_t *answers;  /* {"overall":"4","focus":"绿化"} */
};
/* Stores the answer while the survey is open (PM_EFAIL otherwise), once
 * per person (PM_EFAIL for a second), for a current resident of a unit in
 * its audience (PM_ENOPERM otherwise; an owner answers only as
 * themselves, staff need govern.enter and --by); PM_EDATA for an unknown
 * question or a bad answer. The answer of an anonymous survey names no
 * one and is dated by day only. Audited without the answers of an
 * anonymous survey. */
int pm_survey_answer(struct pm_db *db, const struct pm_actor *a, const struct pm_survey_reply *r,
		     struct pm_err *e);

/* The results as a report: section "questions" (each with its answers and
 * a rating's average), "options" (each option's count and share of those
 * who answered the question), "comments" (free text, in the order given). */
int pm_survey_results(struct pm_db *db, int64_t id, struct pm_report **out, struct pm_err *e);

/* The ratings of the satisfaction surveys that opened in [start, end)
 * (UTC seconds), for pm-report's service report: how many surveys, the
 * *sum of their ratings and the *count of them (0: none). */
int pm_survey_satisfaction(struct pm_db *db, int64_t start, int64_t end, int64_t *surveys, int64_t *sum,
			   int64_t *count, struct pm_err *e);

#endif
